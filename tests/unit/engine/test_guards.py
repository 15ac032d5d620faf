"""Every action x every guard: a guarded action is never executable, keeps its action and names the guard."""

from collections.abc import Callable

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.guards import GuardCheck, kind_standing_guard, standing_guard
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.policy import Policy, ScaleInGate
from elasticache_autoscaler.models.snapshot import Guards, Snapshot
from tests.unit.engine.builders import NOW, past
from tests.unit.engine.cases import Case, automatic_cases

CASES = automatic_cases()


def _with_guards(snap: Snapshot, guards: Guards) -> Snapshot:
    return snap.model_copy(update={"guards": guards})


def _with_topology(snap: Snapshot, **changes: object) -> Snapshot:
    return snap.model_copy(update={"topology": snap.topology.model_copy(update=changes)})


def _member_creating(snap: Snapshot) -> Snapshot:
    shard = snap.topology.shards[0]
    creating = shard.members[-1].model_copy(update={"status": "creating"})
    shards = (
        shard.model_copy(update={"members": (*shard.members[:-1], creating)}),
        *snap.topology.shards[1:],
    )
    return _with_topology(snap, shards=shards)


GUARDS: dict[str, tuple[Callable[[Snapshot], Snapshot], BlockedBy]] = {
    "paused": (lambda s: _with_guards(s, Guards(paused=True)), BlockedBy.PAUSED),
    "circuit open": (lambda s: _with_guards(s, Guards(circuit_open=True)), BlockedBy.CIRCUIT_OPEN),
    "failures at the breaker": (
        lambda s: _with_guards(s, Guards(consecutive_failures=3)),
        BlockedBy.CIRCUIT_OPEN,
    ),
    "group modifying": (lambda s: _with_topology(s, status="modifying"), BlockedBy.NOT_QUIESCENT),
    "pending modification": (
        lambda s: _with_topology(s, pending_modifications=("NodeType",)),
        BlockedBy.NOT_QUIESCENT,
    ),
    "member creating": (_member_creating, BlockedBy.NOT_QUIESCENT),
    "lock held": (lambda s: _with_guards(s, Guards(lock_held_by="exec-1")), BlockedBy.LOCK_HELD),
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_unguarded_the_case_takes_its_action(case: Case) -> None:
    decision = decide(case.snapshot, case.policy, (), NOW)

    assert decision.action is case.action, decision.reasons
    assert decision.changes_something


@pytest.mark.parametrize("guard", GUARDS, ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_standing_guard_blocks_every_action(case: Case, guard: str) -> None:
    apply, code = GUARDS[guard]

    decision = decide(apply(case.snapshot), case.policy, (), NOW)

    assert decision.action is case.action
    assert decision.blocked_code is code
    assert not decision.changes_something
    assert any(reason.startswith("guards:") for reason in decision.reasons)


SCALE_CASES = [case for case in CASES if case.action.is_topology_change]


@pytest.mark.parametrize("case", SCALE_CASES, ids=lambda c: c.name)
def test_inside_its_own_cooldown_an_action_is_blocked(case: Case) -> None:
    # A short stabilization window, so that the scale-in cooldown (30 min) is what stops a scale-in.
    policy = case.policy.model_copy(update={"scale_in_stabilization_seconds": 600})
    same_direction = Action.ADD_REPLICAS if case.action.is_scale_out else Action.REMOVE_REPLICAS

    # 4 minutes: inside the default scale-out cooldown (5 min) and the 10 min stabilization window.
    decision = decide(case.snapshot, policy, (past(same_direction, minutes_ago=4),), NOW)

    if case.action.is_scale_out:
        assert decision.blocked_code is BlockedBy.COOLDOWN
        assert decision.action is case.action
    else:
        # 4 minutes after a scale-in is also inside the 10 min stabilization window: no scale-in at all.
        assert decision.action is Action.NONE
        assert any("stabilization window" in reason for reason in decision.reasons)


@pytest.mark.parametrize("case", [c for c in SCALE_CASES if c.action.is_scale_in], ids=lambda c: c.name)
def test_scale_in_cooldown_blocks_after_the_stabilization_window(case: Case) -> None:
    policy = case.policy.model_copy(
        update={"scale_in_stabilization_seconds": 600, "scale_in_gate": ScaleInGate(lookback_seconds=600)}
    )

    decision = decide(case.snapshot, policy, (past(Action.REMOVE_REPLICAS, minutes_ago=20),), NOW)

    assert decision.action is case.action
    assert decision.blocked_code is BlockedBy.COOLDOWN
    assert "scale-in" in str(decision.blocked_by)


@pytest.mark.parametrize("case", [c for c in SCALE_CASES if c.action.is_scale_out], ids=lambda c: c.name)
def test_scale_out_is_not_held_by_a_recent_scale_in(case: Case) -> None:
    decision = decide(case.snapshot, case.policy, (past(Action.REMOVE_SHARDS, minutes_ago=2),), NOW)

    assert decision.action is case.action
    assert decision.changes_something


@pytest.mark.parametrize("case", SCALE_CASES, ids=lambda c: c.name)
def test_cooldown_is_over_after_its_time(case: Case) -> None:
    history = (past(Action.ADD_SHARDS, minutes_ago=121), past(Action.REMOVE_SHARDS, minutes_ago=121))

    decision = decide(case.snapshot, case.policy, history, NOW)

    assert decision.changes_something, decision.reasons


@pytest.mark.parametrize("status", ["skipped", "blocked"])
def test_decisions_that_changed_nothing_start_no_cooldown(status: str) -> None:
    case = CASES[0]

    decision = decide(
        case.snapshot, case.policy, (past(Action.ADD_SHARDS, minutes_ago=1, status=status),), NOW
    )

    assert decision.changes_something


def test_a_failed_action_still_counts_for_the_cooldown() -> None:
    case = CASES[0]

    decision = decide(case.snapshot, case.policy, (past(Action.ADD_SHARDS, 1, status="failed"),), NOW)

    assert decision.blocked_code is BlockedBy.COOLDOWN


@pytest.mark.parametrize("case", [c for c in CASES if c.action.is_rotation], ids=lambda c: c.name)
def test_rotation_has_no_scaling_cooldown(case: Case) -> None:
    history = (past(Action.ADD_SHARDS, 1), past(Action.REMOVE_SHARDS, 1))

    decision = decide(case.snapshot, case.policy, history, NOW)

    assert decision.action is Action.ROTATE_AUTH_TOKEN
    assert decision.changes_something


def test_guards_are_reported_in_order_paused_first() -> None:
    case = CASES[0]
    snap = _with_topology(
        _with_guards(case.snapshot, Guards(paused=True, lock_held_by="x")), status="modifying"
    )

    assert decide(snap, case.policy, (), NOW).blocked_code is BlockedBy.PAUSED


def test_a_guard_with_nothing_to_do_blocks_nothing() -> None:
    case = CASES[-1]
    calm = case.snapshot.model_copy(update={"guards": Guards(paused=True)})

    decision = decide(
        calm,
        case.policy.model_copy(
            update={"rotation": case.policy.rotation.model_copy(update={"interval_days": None})}
        ),
        (),
        NOW,
    )

    assert decision.action is Action.NONE
    assert decision.blocked_by is None
    assert decision.reasons[0] == "guards: paused"


@pytest.mark.parametrize(
    ("check", "noun", "whole"),
    [
        (
            lambda guards: standing_guard(_with_guards(CASES[0].snapshot, guards), Policy()),
            "cluster",
            "group",
        ),
        (lambda guards: kind_standing_guard(guards, None, 3), "cache", "cache"),
    ],
    ids=["replication group", "other kinds"],
)
def test_each_kind_names_what_its_standing_guards_checked(
    check: Callable[[Guards], GuardCheck], noun: str, whole: str
) -> None:
    # Given a cache paused by an operator, then the same cache clear of every guard
    paused, clear = check(Guards(paused=True)), check(Guards())
    # Then the pause names the kind's own word for it, and the all-clear what was found quiescent
    assert paused.blocked_by is not None
    assert paused.blocked_by.detail == f"an operator paused this {noun}"
    assert clear == GuardCheck(None, f"guards: not paused, circuit closed, {whole} quiescent, no lock held")
