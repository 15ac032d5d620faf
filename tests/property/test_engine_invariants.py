"""Invariants of decide() over generated snapshots, policies, histories and operator requests."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elasticache_autoscaler.engine import OperatorRequest, decide
from elasticache_autoscaler.engine.guards import seconds_since_topology_change
from elasticache_autoscaler.engine.signals import read_scale_in_window
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Decision
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.policy import Policy, size_rank
from elasticache_autoscaler.models.snapshot import Snapshot
from tests.property.strategies import after, histories, policies, requests, snapshots
from tests.unit.engine.builders import NOW

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def inputs(draw: st.DrawFn) -> tuple[Snapshot, Policy, History, OperatorRequest | None]:
    policy = draw(policies())
    return draw(snapshots(policy)), policy, draw(histories()), draw(requests)


def _decide(case: tuple[Snapshot, Policy, History, OperatorRequest | None]) -> Decision:
    snapshot, policy, history, request = case
    return decide(snapshot, policy, history, NOW, request)


@FAST
@given(inputs())
def test_every_decision_has_a_reason_and_stays_within_bounds(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    snapshot, policy, _, _ = case
    decision = _decide(case)

    assert decision.reasons
    target = decision.target
    assert policy.min_shards <= target.shards <= policy.max_shards or target.shards == decision.current.shards
    if (
        decision.action is not Action.NONE
        and target.replicas_per_shard != decision.current.replicas_per_shard
    ):
        floor = max(policy.min_replicas_per_shard, 1 if snapshot.topology.multi_az else 0)
        assert floor <= target.replicas_per_shard <= min(policy.max_replicas_per_shard, 5)
    if not snapshot.topology.cluster_mode_enabled:
        assert target.shards == 1


@FAST
@given(inputs())
def test_never_a_step_larger_than_max_step(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    _, policy, _, _ = case
    decision = _decide(case)

    current, target = decision.current, decision.target
    assert abs(target.shards - current.shards) <= policy.max_step.shards
    assert abs(target.replicas_per_shard - current.replicas_per_shard) <= policy.max_step.replicas
    assert (
        abs((size_rank(target.node_type) or 0) - (size_rank(current.node_type) or 0))
        <= policy.max_step.node_sizes
    )
    changed = [
        target.shards != current.shards,
        target.replicas_per_shard != current.replicas_per_shard,
        target.node_type != current.node_type,
    ]
    assert sum(changed) <= 1  # one kind of change per action


def _inside_cooldown(decision: Decision, history: History, policy: Policy) -> bool:
    action = decision.action
    if action.is_scale_out:
        same, cooldown = [p for p in history if p.action.is_scale_out], policy.scale_out_cooldown_seconds
    elif action.is_scale_in:
        same, cooldown = [p for p in history if p.action.is_scale_in], policy.scale_in_cooldown_seconds
    else:
        return False
    return any(p.may_have_changed_cluster and (NOW - p.settled_at).total_seconds() < cooldown for p in same)


@FAST
@given(inputs())
def test_never_an_action_inside_its_cooldown(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    _, policy, history, _ = case
    decision = _decide(case)

    if decision.changes_something:
        assert not _inside_cooldown(decision, history, policy)


@FAST
@given(inputs())
def test_never_act_unless_quiescent_and_unguarded(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    snapshot, _, _, _ = case
    decision = _decide(case)

    if decision.changes_something:
        assert snapshot.topology.not_quiescent_because() is None
        assert not snapshot.guards.paused
        assert not snapshot.guards.circuit_open
        assert snapshot.guards.lock_held_by is None


@FAST
@given(inputs())
def test_never_scale_in_on_missing_data_or_inside_the_stabilization_window(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    snapshot, policy, history, _ = case
    decision = decide(snapshot, policy, history, NOW)

    if decision.action.is_scale_in:
        assert read_scale_in_window(snapshot.metrics, snapshot.topology, policy).complete
        since = seconds_since_topology_change(history, NOW)
        assert since is None or since >= policy.scale_in_stabilization_seconds


@FAST
@given(inputs())
def test_the_next_evaluation_after_an_action_never_reverses_it(
    case: tuple[Snapshot, Policy, History, OperatorRequest | None],
) -> None:
    snapshot, policy, history, _ = case
    decision = decide(snapshot, policy, history, NOW)
    if not (decision.changes_something and decision.action.is_topology_change):
        return
    taken = PastDecision(action=decision.action, decided_at=NOW, finished_at=NOW, status="succeeded")
    later = NOW + timedelta(minutes=1)

    again = decide(after(snapshot, decision), policy, (*history, taken), later)

    if again.changes_something:
        assert again.action is not decision.action.opposite, (decision.reasons, again.reasons)
        assert not (decision.action.is_scale_in and again.action.is_scale_out), (
            decision.reasons,
            again.reasons,
        )
