"""Act and Check with the fake ElastiCache: the right call with the right absolute target, refusals that make
no call, and a change ElastiCache abandoned."""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

# act() dispatches through the kinds registry, imported on its first call (~0.2 s): import it with the
# module, never inside the first example of a hypothesis test's deadline.
import elasticache_autoscaler.kinds.registry  # noqa: F401
from elasticache_autoscaler.adapters.elasticache import (
    ALREADY_THERE_RESULT,
    DecreaseReplicas,
    IncreaseReplicas,
    replica_count_request,
    shards_to_remove,
)
from elasticache_autoscaler.errors import ActionFailedError, GroupBusyError
from elasticache_autoscaler.models.act import ActRequest, SkipReason
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.check import CheckRequest, CheckResult
from elasticache_autoscaler.models.decision import BlockedBy, Capacity, Decision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.snapshot import Guards, Member, Role, Shard, Topology
from elasticache_autoscaler.workflow.act_step import ActDeps, act
from elasticache_autoscaler.workflow.check_step import check
from tests.fakes.adapters import FakeDecisionLog, FakeElastiCache, FakeState, topology
from tests.unit.workflow.conftest import ARN, NOW

LARGE, XLARGE, MEDIUM = "cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.medium"
KEY = RecordKey(cluster="orders", decided_at="2026-11-26T12:00:00.000000Z")


def _capacity(shards: int = 1, replicas: int = 1, node_type: str = LARGE) -> Capacity:
    return Capacity(node_type=node_type, shards=shards, replicas_per_shard=replicas)


def _decision(action: Action, current: Capacity, target: Capacity, **extra: Any) -> Decision:
    return Decision(action=action, current=current, target=target, reasons=("test",), dry_run=False, **extra)


def _planned_log() -> FakeDecisionLog:
    log = FakeDecisionLog()
    log.items[(KEY.cluster, KEY.decided_at)] = {
        "status": "planned",
        "executionArn": ARN,
        "action": "add_replicas",
        "decidedAt": KEY.decided_at,
    }
    return log


def _deps(fake: FakeElastiCache, log: FakeDecisionLog, state: FakeState | None = None) -> ActDeps:
    return ActDeps(
        elasticache=fake,
        log=log,
        state=state or FakeState(),
        managed_tag_key="elasticache-autoscaler:managed",
        paused_tag_key="elasticache-autoscaler:paused",
        lease_seconds=600,
    )


def _fake(topo: Topology) -> FakeElastiCache:
    fake = FakeElastiCache()
    fake.add(topo)
    return fake


def _request(decision: Decision, policy: Policy | None = None) -> ActRequest:
    return ActRequest(cluster="orders", decision=decision, record=KEY, owner=ARN, policy=policy or Policy())


def _act(fake: FakeElastiCache, decision: Decision, log: FakeDecisionLog | None = None) -> str:
    return act(_request(decision), _deps(fake, log or _planned_log()), NOW).operation


ALLOWED: dict[str, Any] = {"allowed_scale_up": (XLARGE,), "allowed_scale_down": (MEDIUM,)}

ACTIONS: list[
    tuple[Action, Capacity, Capacity, dict[str, Any], tuple[str, object], tuple[str, dict[str, Any]]]
] = [
    (
        Action.ADD_REPLICAS,
        _capacity(1, 1),
        _capacity(1, 2),
        {},
        ("set_replica_count", 2),
        (
            "increase_replica_count",
            {"ReplicationGroupId": "orders", "NewReplicaCount": 2, "ApplyImmediately": True},
        ),
    ),
    (
        Action.REMOVE_REPLICAS,
        _capacity(3, 2),
        _capacity(3, 1),
        {},
        ("set_replica_count", 1),
        (
            "decrease_replica_count",
            {"ReplicationGroupId": "orders", "NewReplicaCount": 1, "ApplyImmediately": True},
        ),
    ),
    (
        Action.ADD_SHARDS,
        _capacity(2, 1),
        _capacity(3, 1),
        {},
        ("set_shard_count", 3),
        (
            "modify_replication_group_shard_configuration",
            {"ReplicationGroupId": "orders", "NodeGroupCount": 3, "ApplyImmediately": True},
        ),
    ),
    (
        Action.REMOVE_SHARDS,
        _capacity(3, 1),
        _capacity(2, 1),
        {"shards_to_remove": ("0002",)},  # the engine's emptiest shard, not the highest id
        ("set_shard_count", 2),
        (
            "modify_replication_group_shard_configuration",
            {
                "ReplicationGroupId": "orders",
                "NodeGroupCount": 2,
                "ApplyImmediately": True,
                "NodeGroupsToRemove": ["0002"],
            },
        ),
    ),
    (
        Action.SCALE_UP,
        _capacity(1, 1),
        _capacity(1, 1, XLARGE),
        {},
        ("set_node_type", XLARGE),
        (
            "modify_replication_group",
            {"ReplicationGroupId": "orders", "CacheNodeType": XLARGE, "ApplyImmediately": True},
        ),
    ),
    (
        Action.SCALE_DOWN,
        _capacity(1, 1),
        _capacity(1, 1, MEDIUM),
        {},
        ("set_node_type", MEDIUM),
        (
            "modify_replication_group",
            {"ReplicationGroupId": "orders", "CacheNodeType": MEDIUM, "ApplyImmediately": True},
        ),
    ),
]


@pytest.mark.parametrize(
    ("action", "current", "target", "extra", "call", "request_made"),
    ACTIONS,
    ids=[a[0].value for a in ACTIONS],
)
def test_each_action_makes_one_call_with_the_absolute_target(  # noqa: PLR0917 - pytest parameters
    action: Action,
    current: Capacity,
    target: Capacity,
    extra: dict[str, Any],
    call: tuple[str, object],
    request_made: tuple[str, dict[str, Any]],
) -> None:
    fake = _fake(topology("orders", shards=current.shards, replicas=current.replicas_per_shard, **ALLOWED))
    log = _planned_log()
    operation = _act(fake, _decision(action, current, target, **extra), log)
    assert fake.calls == [(call[0], "orders", call[1])]
    assert fake.requests == [request_made]
    assert operation == request_made[0]
    record = log.get(KEY)
    assert record is not None
    assert record["status"] == "in_progress"
    assert record["startedAt"]


def test_act_reads_the_topology_once_and_calls_on_it() -> None:
    fake = _fake(topology("orders", shards=2, replicas=1))
    operation = _act(fake, _decision(Action.ADD_REPLICAS, _capacity(2, 1), _capacity(2, 2)))
    assert operation == "increase_replica_count"
    assert fake.topology_reads == 1


def test_already_there_is_a_success_that_says_so() -> None:
    fake = _fake(topology("orders", shards=1, replicas=2))
    operation = _act(fake, _decision(Action.ADD_REPLICAS, _capacity(1, 1), _capacity(1, 2)))
    assert operation == ALREADY_THERE_RESULT
    assert fake.requests == []


def _member_busy(topo: Topology) -> Topology:
    shard = topo.shards[0]
    member = shard.members[-1].model_copy(update={"status": "creating"})
    return topo.model_copy(
        update={"shards": (shard.model_copy(update={"members": (*shard.members[:-1], member)}),)}
    )


BUSY = pytest.mark.parametrize(
    "busy",
    [
        topology("orders").model_copy(update={"status": "modifying"}),
        topology("orders", pending_modifications=("CacheNodeType",)),
        _member_busy(topology("orders")),
        topology("orders").model_copy(
            update={"shards": (topology("orders").shards[0].model_copy(update={"status": "modifying"}),)}
        ),
    ],
    ids=["group", "pending", "member", "shard"],
)


@BUSY
def test_not_quiescent_at_the_moment_of_acting_is_skipped_without_a_call(busy: Topology) -> None:
    fake = _fake(busy)
    log = _planned_log()
    decision = _decision(Action.ADD_REPLICAS, _capacity(1, 1), _capacity(1, 2))
    result = act(_request(decision), _deps(fake, log), NOW)
    assert (result.skipped, result.skip) == (True, SkipReason.NOT_QUIESCENT)
    assert fake.calls == []
    assert (log.get(KEY) or {})["status"] == "planned"


@BUSY
def test_a_retry_of_our_own_act_waits_while_the_group_is_busy(busy: Topology) -> None:
    """In progress: our earlier attempt may be what is running; wait (GroupBusyError), never skip or call."""
    fake = _fake(busy)
    log = _planned_log()
    log.items[(KEY.cluster, KEY.decided_at)]["status"] = "in_progress"
    with pytest.raises(GroupBusyError):
        _act(fake, _decision(Action.ADD_REPLICAS, _capacity(1, 1), _capacity(1, 2)), log)
    assert fake.calls == []


def test_a_busy_answer_is_raised_and_the_retry_calls_again_with_the_same_target() -> None:
    fake = _fake(topology("orders", shards=1, replicas=1))
    fake.fail_with = GroupBusyError("increase_replica_count: InvalidReplicationGroupState")
    log = _planned_log()
    decision = _decision(Action.ADD_REPLICAS, _capacity(1, 1), _capacity(1, 2))
    with pytest.raises(GroupBusyError):
        _act(fake, decision, log)
    assert len(fake.calls) == 1  # no retry inside the step
    fake.fail_with = None
    assert _act(fake, decision, log) == "increase_replica_count"  # the record is already in progress
    assert fake.calls == [("set_replica_count", "orders", 2)] * 2


@pytest.mark.parametrize(
    ("action", "node_type", "allowed"),
    [
        (Action.SCALE_UP, XLARGE, {"allowed_scale_up": ("cache.r7g.2xlarge",)}),
        (Action.SCALE_DOWN, MEDIUM, {"allowed_scale_down": ()}),
        # listed, but in the other direction
        (Action.SCALE_UP, MEDIUM, {"allowed_scale_down": (MEDIUM,)}),
    ],
)
def test_a_node_type_not_allowed_is_refused_without_a_call(
    action: Action, node_type: str, allowed: dict[str, Any]
) -> None:
    fake = _fake(topology("orders", **allowed))
    log = _planned_log()
    with pytest.raises(ActionFailedError, match="not allowed"):
        _act(fake, _decision(action, _capacity(), _capacity(node_type=node_type)), log)
    assert fake.calls == []
    assert (log.get(KEY) or {})["status"] == "planned"


@pytest.mark.parametrize(
    ("action", "extra", "reason"),
    [
        (Action.ROTATE_AUTH_TOKEN, {}, "rotation"),
        (Action.ROTATE_USER_PASSWORD, {}, "rotation"),
        (Action.NONE, {}, "changes nothing"),
        (Action.ADD_REPLICAS, {"blocked_by": BlockedBy.COOLDOWN.because("3 min left")}, "blocked"),
        (Action.ADD_REPLICAS, {"dry_run": True}, "dry run"),
    ],
)
def test_what_this_flow_does_not_run_is_refused_before_any_read(
    action: Action, extra: dict[str, Any], reason: str
) -> None:
    fake = FakeElastiCache()  # no group: a read would raise ClusterNotFoundError
    fields = {
        "action": action,
        "current": _capacity(),
        "target": _capacity(1, 2),
        "reasons": ("t",),
        "dry_run": False,
    }
    decision = Decision.model_validate({**fields, **extra})
    with pytest.raises(ActionFailedError, match=reason):
        _act(fake, decision)
    assert fake.calls == []


# --- check -------------------------------------------------------------------------------------------


def _check(
    fake: FakeElastiCache, target: Capacity, current: Capacity | None, elapsed: int = 120
) -> CheckResult:
    request = CheckRequest(
        cluster="orders",
        target=target,
        current=current,
        started_at=NOW - timedelta(seconds=elapsed),
        timeout_seconds=900,
    )
    return check(request, fake, NOW)


def test_check_is_done_when_the_target_is_reached_and_everything_is_available() -> None:
    result = _check(_fake(topology("orders", shards=1, replicas=2)), _capacity(1, 2), _capacity(1, 1))
    assert result.done
    assert not result.abandoned
    assert result.waiting_for is None


def test_check_waits_for_a_member_still_creating() -> None:
    result = _check(_fake(_member_busy(topology("orders", replicas=2))), _capacity(1, 2), _capacity(1, 1))
    assert not result.done
    assert not result.abandoned
    assert "creating" in (result.waiting_for or "")


@pytest.mark.parametrize(
    ("before", "target", "kind"),
    [
        (_capacity(3, 1), _capacity(2, 1), "scale-in"),
        (_capacity(1, 2), _capacity(1, 1), "scale-in"),
        (_capacity(1, 1), _capacity(1, 1, MEDIUM), "change"),
    ],
)
def test_check_detects_a_change_elasticache_abandoned(before: Capacity, target: Capacity, kind: str) -> None:
    back = topology("orders", shards=before.shards, replicas=before.replicas_per_shard)
    result = _check(_fake(back), target, before, elapsed=5000)
    assert result.abandoned
    assert not result.done
    assert not result.timed_out  # abandoned, not timed out: one reason for the failure
    assert f"abandoned the {kind}" in (result.waiting_for or "")
    assert result.observed == before


def test_a_group_still_changing_back_to_its_old_size_is_not_yet_abandoned() -> None:
    result = _check(
        _fake(topology("orders", shards=3).model_copy(update={"status": "modifying"})),
        _capacity(2, 1),
        _capacity(3, 1),
    )
    assert not result.abandoned
    assert not result.done


def test_without_current_check_cannot_tell_and_waits_until_the_timeout() -> None:
    fake = _fake(topology("orders", shards=3))
    assert not _check(fake, _capacity(2, 1), None, elapsed=60).timed_out
    result = _check(fake, _capacity(2, 1), None, elapsed=900)
    assert not result.abandoned
    assert result.timed_out


def test_check_wire_fields() -> None:
    request = CheckRequest.model_validate(
        {
            "cluster": "orders",
            "target": _capacity(2).to_wire(),
            "current": _capacity(3).to_wire(),
            "startedAt": NOW.isoformat(),
            "timeoutSeconds": 900,
        }
    )
    assert request.current == _capacity(3)
    wire = check(request, _fake(topology("orders", shards=3)), NOW).to_wire()
    assert wire["abandoned"] is True
    assert wire["done"] is False
    assert wire["timedOut"] is False
    assert "waitingFor" in wire


# --- request builders: properties --------------------------------------------------------------------


def _uneven(counts: list[int]) -> Topology:
    shards = tuple(
        Shard(
            shard_id=f"{s + 1:04d}",
            status="available",
            members=tuple(
                Member(
                    cluster_id=f"orders-{s + 1:04d}-{m + 1:03d}",
                    role=Role.PRIMARY if m == 0 else Role.REPLICA,
                    status="available",
                )
                for m in range(n + 1)
            ),
        )
        for s, n in enumerate(counts)
    )
    return topology("orders", shards=len(counts)).model_copy(update={"shards": shards})


@given(st.lists(st.integers(0, 5), min_size=1, max_size=6), st.integers(0, 5))
def test_replica_requests_bring_every_shard_to_at_least_the_target(counts: list[int], wanted: int) -> None:
    topo = _uneven(counts)
    request = replica_count_request(topo, wanted)
    if request is None:
        assert set(counts) == {wanted}
        return
    assert isinstance(request, IncreaseReplicas | DecreaseReplicas)
    params = request.params
    after: dict[str, int] = {f"{i + 1:04d}": n for i, n in enumerate(counts)}
    if "NewReplicaCount" in params:
        assert len(set(counts)) == 1
        after = {s: int(params["NewReplicaCount"]) for s in after}
    else:
        for shard in params["ReplicaConfiguration"]:
            after[shard["NodeGroupId"]] = shard["NewReplicaCount"]
    assert min(after.values()) == wanted  # the target is every shard's floor
    assert all(after[s] >= wanted for s, n in zip(after, counts, strict=True) if n >= wanted)
    assert params["ApplyImmediately"] is True
    assert "ReplicasToRemove" not in params  # never names a member: a primary cannot be removed


@given(
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n - 1),
            st.dictionaries(st.sampled_from([f"{i + 1:04d}" for i in range(n)]), st.floats(0, 100)),
        )
    )
)
def test_shard_removal_takes_the_emptiest_known_shards_first(case: tuple[int, int, dict[str, float]]) -> None:
    shards, count, memory = case
    removed = shards_to_remove(topology("orders", shards=shards), count, memory)
    assert len(removed) == count == len(set(removed))
    kept = [f"{i + 1:04d}" for i in range(shards) if f"{i + 1:04d}" not in removed]
    removed_known = [memory[s] for s in removed if s in memory]
    kept_known = [memory[s] for s in kept if s in memory]
    if removed_known and kept_known:
        assert max(removed_known) <= min(kept_known)
    if any(s not in memory for s in removed):
        assert all(s in removed for s in memory)  # unknown shards go only after every known one


@pytest.mark.parametrize(
    ("action", "target", "node_types"),
    [
        (Action.ADD_REPLICAS, _capacity(2, 2), False),
        (Action.ADD_SHARDS, _capacity(3, 1), False),
        (Action.SCALE_UP, _capacity(2, 1, XLARGE), True),
    ],
)
def test_act_reads_the_allowed_node_types_only_for_a_node_type_change(
    action: Action, target: Capacity, node_types: bool
) -> None:
    """ListAllowedNodeTypeModifications is needed only to refuse a node type the group may not go to."""
    fake = _fake(topology("orders", shards=2, replicas=1, **ALLOWED))
    assert _act(fake, _decision(action, _capacity(2, 1), target)) != ALREADY_THERE_RESULT
    assert fake.node_types_asked == [node_types]
    assert len(fake.calls) == 1


def test_act_reads_the_group_and_the_tables_together_then_checks_in_order() -> None:
    """The group, this decision's record, the guards and the recent decisions are in flight together (one
    round, not one after another: a barrier the four must reach, which breaks on its timeout when any two
    are read in turn); the guards are read without the lock (Act renews it next); the call still follows
    every check."""
    barrier = threading.Barrier(4, timeout=5)
    fake = _fake(topology("orders", shards=1, replicas=1))
    log, state = _planned_log(), FakeState()
    guards_asked: list[dict[str, object]] = []

    def arriving[**P, T](read: Callable[P, T]) -> Callable[P, T]:
        def wait_then_read(*args: P.args, **kwargs: P.kwargs) -> T:
            barrier.wait()
            return read(*args, **kwargs)

        return wait_then_read

    def guards_asked_for(cluster: str, now: datetime, *, lock: bool = True) -> Guards:
        guards_asked.append({"cluster": cluster, "lock": lock})
        return FakeState.guards(state, cluster, now, lock=lock)

    fake.read_topology_and_tags = arriving(fake.read_topology_and_tags)  # type: ignore[method-assign]
    log.get = arriving(log.get)  # type: ignore[method-assign]
    log.recent = arriving(log.recent)  # type: ignore[method-assign]
    state.guards = arriving(guards_asked_for)  # type: ignore[method-assign]
    decision = _decision(Action.ADD_REPLICAS, _capacity(1, 1), _capacity(1, 2))
    assert act(_request(decision), _deps(fake, log, state), NOW).operation == "increase_replica_count"
    assert guards_asked == [{"cluster": "orders", "lock": False}]
