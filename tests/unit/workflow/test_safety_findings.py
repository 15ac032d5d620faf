"""Issue 11: every guard is re-checked at the moment of acting (findings 3, 4, 9), transient reads and
throttling never turn a change into a failure (finding 5), ended executions are settled (finding 7)."""

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from elasticache_autoscaler.adapters.elasticache import ALREADY_THERE_RESULT, ElastiCache, IncreaseReplicas
from elasticache_autoscaler.errors import CallOutcomeUnknownError, GroupBusyError, ThrottledError
from elasticache_autoscaler.models.act import ActRequest, SkipReason
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.check import CheckRequest
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.record_request import OutcomeRequest
from elasticache_autoscaler.models.snapshot import Guards, Topology
from elasticache_autoscaler.models.workflow import Execution
from elasticache_autoscaler.timestamps import iso
from elasticache_autoscaler.workflow.act_step import ActDeps, act
from elasticache_autoscaler.workflow.check_step import check
from elasticache_autoscaler.workflow.execution_end import EndDeps, ExecutionEnded, settle_execution
from elasticache_autoscaler.workflow.lock_step import LockReleaseRefused, force_release_when_quiescent
from elasticache_autoscaler.workflow.record_step import RecordDeps, record_outcome
from tests.fakes.adapters import FakeDecisionLog, FakeElastiCache, FakeNotifier, FakeState, topology
from tests.unit.workflow.conftest import ARN, NOW

LARGE, XLARGE = "cache.r7g.large", "cache.r7g.xlarge"
MANAGED, PAUSED = "elasticache-autoscaler:managed", "elasticache-autoscaler:paused"
KEY = RecordKey(cluster="orders", decided_at="2026-11-26T12:00:00.000000Z")
ONE_ONE = Capacity(node_type=LARGE, shards=1, replicas_per_shard=1)
ONE_TWO = Capacity(node_type=LARGE, shards=1, replicas_per_shard=2)
ADD = Decision(
    action=Action.ADD_REPLICAS, current=ONE_ONE, target=ONE_TWO, reasons=("read CPU",), dry_run=False
)
UP = Decision(
    action=Action.SCALE_UP,
    current=ONE_ONE,
    target=ONE_ONE.model_copy(update={"node_type": XLARGE}),
    reasons=("memory",),
    dry_run=False,
)


class World:
    def __init__(self, topo: Topology | None = None) -> None:
        self.elasticache = FakeElastiCache()
        self.elasticache.add(topo or topology("orders", allowed_scale_up=(XLARGE,)))
        self.log = FakeDecisionLog()
        self.state = FakeState()
        self.notifier = FakeNotifier()

    def plan(self, key: RecordKey, decision: Decision, arn: str = ARN, status: str = "planned") -> None:
        self.log.put(
            DecisionRecord(
                cluster=key.cluster,
                decided_at=key.decided_at,
                action=decision.action,
                current=decision.current,
                target=decision.target,
                reasons=decision.reasons,
                mode="act",
                status="planned",
                trigger="console",
                execution_arn=arn,
                expires_at=0,
            )
        )
        self.log.items[(key.cluster, key.decided_at)]["status"] = status

    def deps(self) -> ActDeps:
        return ActDeps(
            elasticache=self.elasticache,
            log=self.log,
            state=self.state,
            managed_tag_key=MANAGED,
            paused_tag_key=PAUSED,
            lease_seconds=600,
        )

    def act(
        self, decision: Decision = ADD, key: RecordKey = KEY, owner: str = ARN, policy: Policy | None = None
    ) -> Any:
        request = ActRequest(
            cluster="orders", decision=decision, record=key, owner=owner, policy=policy or Policy()
        )
        return act(request, self.deps(), NOW)

    def status(self, key: RecordKey = KEY) -> str:
        return str(self.log.items[(key.cluster, key.decided_at)]["status"])


@pytest.fixture
def world() -> World:
    w = World()
    w.plan(KEY, ADD)
    w.state.acquire_lock("orders", ARN, NOW, 600)
    return w


def _assert_skipped(world: World, result: Any, why: SkipReason) -> None:
    assert (result.skipped, result.skip, result.outcome) == (True, why, "skipped")
    assert world.elasticache.calls == []
    assert world.status() == "planned"  # the workflow records the skip (outcome act_skipped)


def test_finding3_paused_by_tag_during_the_approval_wait_is_skipped_without_a_call(world: World) -> None:
    world.elasticache.group_tags["orders"][PAUSED] = "true"
    _assert_skipped(world, world.act(), SkipReason.PAUSED)


def test_finding3_paused_by_switch_during_the_approval_wait_is_skipped_without_a_call(world: World) -> None:
    world.state.set_switches("orders", paused=True)
    _assert_skipped(world, world.act(), SkipReason.PAUSED)


def test_finding3_breaker_opened_meanwhile_is_skipped_without_a_call(world: World) -> None:
    world.state.guard = Guards(circuit_open=True, consecutive_failures=3)
    _assert_skipped(world, world.act(), SkipReason.CIRCUIT_OPEN)


def test_finding3_a_scale_out_settled_meanwhile_puts_us_in_cooldown(world: World) -> None:
    other = RecordKey(cluster="orders", decided_at=iso(NOW - timedelta(minutes=2)))
    world.plan(other, ADD, arn="another-execution", status="succeeded")
    _assert_skipped(world, world.act(), SkipReason.COOLDOWN)


def test_finding3_our_own_record_is_not_a_cooldown(world: World) -> None:
    result = world.act()
    assert (result.skipped, result.outcome) == (False, "called")
    assert world.elasticache.calls == [("set_replica_count", "orders", 2)]
    assert world.status() == "in_progress"


def test_finding3_a_group_changed_since_the_decision_is_skipped(world: World) -> None:
    world.elasticache.groups["orders"] = topology("orders", replicas=3)
    _assert_skipped(world, world.act(), SkipReason.TOPOLOGY_CHANGED)


def test_finding3_a_group_busy_at_the_moment_of_acting_is_skipped(world: World) -> None:
    world.elasticache.groups["orders"] = topology("orders").model_copy(update={"status": "modifying"})
    _assert_skipped(world, world.act(), SkipReason.NOT_QUIESCENT)


def test_finding9_a_direct_invoke_for_an_unmanaged_group_is_refused(world: World) -> None:
    world.elasticache.group_tags["orders"] = {}
    _assert_skipped(world, world.act(), SkipReason.NOT_MANAGED)


def test_finding4_act_without_the_lock_is_refused(world: World) -> None:
    world.state.locks["orders"] = ("another-execution", int(NOW.timestamp()) + 600)
    _assert_skipped(world, world.act(), SkipReason.LOCK_NOT_HELD)


def test_finding4_two_concurrent_actions_make_exactly_one_call(world: World) -> None:
    """add_replicas holds the lock and calls; scale_up, decided on the same snapshot, gets the lock after the
    change finished and finds the group changed (and a scale-out just made): skipped, no second call."""
    key_b = RecordKey(cluster="orders", decided_at="2026-11-26T12:00:00.000001Z")
    world.plan(key_b, UP, arn="exec-b")
    assert world.act().outcome == "called"
    assert world.state.acquire_lock("orders", "exec-b", NOW, 600) == ARN  # lock held: recorded skipped
    world.elasticache.groups["orders"] = topology("orders", replicas=2, allowed_scale_up=(XLARGE,))
    world.state.release_lock("orders", ARN)
    assert world.state.acquire_lock("orders", "exec-b", NOW, 600) is None
    loser = world.act(UP, key_b, owner="exec-b")
    # the winner's change is in the log (a scale-out: cooldown) and the group is not what the loser saw
    assert loser.skipped
    assert loser.skip in {SkipReason.COOLDOWN, SkipReason.TOPOLOGY_CHANGED}
    assert world.elasticache.calls == [("set_replica_count", "orders", 2)]


def test_finding4_act_renews_the_lease_for_the_action_timeout(world: World) -> None:
    world.act(policy=Policy(action_timeout_seconds=7200))
    assert world.state.locks["orders"] == (ARN, int(NOW.timestamp()) + 7200)


def test_hung_call_retry_waits_for_the_running_change_and_never_calls_again(world: World) -> None:
    """The call was sent, its answer never came (Lambda or task timeout): the retried Act re-reads the group,
    finds it modifying (our change), waits; once at the target it answers already_there with no call."""
    world.act()
    assert len(world.elasticache.calls) == 1
    world.elasticache.groups["orders"] = topology("orders", replicas=2).model_copy(
        update={"status": "modifying"}
    )
    with pytest.raises(GroupBusyError):
        world.act()
    world.elasticache.groups["orders"] = topology("orders", replicas=2)
    result = world.act()
    assert (result.outcome, result.operation) == ("already_there", ALREADY_THERE_RESULT)
    assert len(world.elasticache.calls) == 1


class _Client:
    """An ElastiCache client whose mutating call raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def increase_replica_count(self, **params: Any) -> None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "X"), ThrottledError),
        (ReadTimeoutError(endpoint_url="http://x"), CallOutcomeUnknownError),
        (
            ClientError(
                {
                    "Error": {"Code": "InternalFailure"},
                    "ResponseMetadata": {
                        "RequestId": "r",
                        "HostId": "h",
                        "HTTPStatusCode": 503,
                        "HTTPHeaders": {},
                        "RetryAttempts": 0,
                    },
                },
                "X",
            ),
            CallOutcomeUnknownError,
        ),
    ],
    ids=["throttled", "read-timeout", "5xx"],
)
def test_finding5_a_throttled_or_lost_call_is_typed_never_an_action_failure(
    error: Exception, raised: type[Exception]
) -> None:
    adapter = ElastiCache(client=_Client(error))  # type: ignore[arg-type]
    with pytest.raises(raised):
        adapter._call(
            IncreaseReplicas(
                "increase_replica_count",
                {"ReplicationGroupId": "orders", "NewReplicaCount": 2, "ApplyImmediately": True},
            )
        )


class _ThrottledReads(FakeElastiCache):
    def read_topology(self, group_id: str) -> Topology:
        raise ClientError(
            {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "DescribeReplicationGroups"
        )


def test_finding5_a_throttled_check_is_one_more_round_not_a_failure() -> None:
    request = CheckRequest(
        cluster="orders", target=ONE_TWO, started_at=NOW, timeout_seconds=600, current=ONE_ONE
    )
    result = check(request, _ThrottledReads(), NOW + timedelta(seconds=30))
    assert (result.done, result.timed_out, result.abandoned) == (False, False, False)
    assert result.read_error is not None and "Throttling" in result.read_error


def test_finding5_a_non_transient_read_error_still_raises() -> None:
    class _Denied(FakeElastiCache):
        def read_topology(self, group_id: str) -> Topology:
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeReplicationGroups"
            )

    request = CheckRequest(cluster="orders", target=ONE_TWO, started_at=NOW, timeout_seconds=600)
    with pytest.raises(ClientError):
        check(request, _Denied(), NOW)


def _record_deps(world: World) -> RecordDeps:
    return RecordDeps(log=world.log, state=world.state, notifier=world.notifier, retention_days=90)


@pytest.mark.parametrize(
    ("outcome", "status"), [("timed_out", "failed"), ("throttled", "skipped"), ("act_skipped", "skipped")]
)
def test_finding5_timed_out_throttled_and_skipped_never_count_toward_the_breaker(
    world: World, outcome: str, status: str
) -> None:
    world.log.items[(KEY.cluster, KEY.decided_at)]["status"] = "in_progress"
    request = OutcomeRequest(
        op="outcome",
        execution=Execution(arn=ARN, started_at=NOW),
        record=KEY,
        outcome=outcome,
        detail="660 s: group modifying",
    )
    record_outcome(request, _record_deps(world), NOW)
    item = world.log.items[(KEY.cluster, KEY.decided_at)]
    assert item["status"] == status
    assert outcome in item["reason"] or status == "skipped"
    assert world.state.guards("orders", NOW).consecutive_failures == 0
    if outcome == "timed_out":
        assert item["reason"] == "timed_out: still modifying after 660 s: group modifying"


def _ended(status: str = "ABORTED", start_ms: int | None = None) -> ExecutionEnded:
    return ExecutionEnded.model_validate(
        {
            "executionArn": ARN,
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:ScalingStateMachine",
            "status": status,
            "startDate": start_ms if start_ms is not None else int(NOW.timestamp() * 1000),
            "input": '{"cluster": "orders", "action": "add_replicas"}',
            "cause": "stopped by an operator",
        }
    )


def _end_key() -> RecordKey:
    from elasticache_autoscaler.timestamps import decision_time

    return RecordKey(cluster="orders", decided_at=decision_time(NOW, ARN))


def _end_deps(world: World) -> EndDeps:
    return EndDeps(log=world.log, state=world.state, elasticache=world.elasticache)


def test_finding7_an_aborted_execution_in_progress_is_settled_failed_and_its_lock_released(
    world: World,
) -> None:
    world.plan(_end_key(), ADD, status="in_progress")
    settled = settle_execution(_ended(), _end_deps(world), NOW)
    assert (settled.record, settled.lock) == ("settled", "released")
    item = world.log.items[("orders", _end_key().decided_at)]
    assert item["status"] == "failed"
    assert "ABORTED" in item["reason"]
    assert world.state.lock_holder("orders", NOW) is None
    assert world.state.guards("orders", NOW).consecutive_failures == 0


def test_finding7_the_lock_of_a_group_still_modifying_is_kept(world: World) -> None:
    world.plan(_end_key(), ADD, status="in_progress")
    world.elasticache.groups["orders"] = topology("orders").model_copy(update={"status": "modifying"})
    settled = settle_execution(_ended("TIMED_OUT"), _end_deps(world), NOW)
    assert settled.lock == "kept: group not quiescent"
    assert world.state.lock_holder("orders", NOW) == ARN


def test_finding7_a_planned_record_is_skipped_and_a_settled_one_left_alone(world: World) -> None:
    world.plan(_end_key(), ADD)
    assert settle_execution(_ended(), _end_deps(world), NOW).record == "settled"
    assert world.log.items[("orders", _end_key().decided_at)]["status"] == "skipped"
    again = settle_execution(_ended(), _end_deps(world), NOW)  # delivered twice
    assert (again.record, again.lock) == ("already settled", "not held")


def test_finding7_someone_elses_lock_is_never_touched(world: World) -> None:
    world.state.locks["orders"] = ("another-execution", int(NOW.timestamp()) + 600)
    assert settle_execution(_ended(), _end_deps(world), NOW).lock == "not held"
    assert world.state.lock_holder("orders", NOW) == "another-execution"


def test_release_lock_cli_refuses_while_the_group_is_modifying(world: World) -> None:
    world.elasticache.groups["orders"] = topology("orders").model_copy(update={"status": "modifying"})
    with pytest.raises(LockReleaseRefused, match="not quiescent"):
        force_release_when_quiescent(world.state, world.elasticache, "orders")
    assert world.state.lock_holder("orders", NOW) == ARN
    world.elasticache.groups["orders"] = topology("orders")
    assert force_release_when_quiescent(world.state, world.elasticache, "orders") == {
        "released": True,
        "heldBy": ARN,
    }
    assert world.state.lock_holder("orders", NOW) is None


def test_finding4_renew_extends_our_lease_to_the_action_timeout_and_never_takes_anothers(
    world: World,
) -> None:
    from elasticache_autoscaler.models.lock import LockRequest
    from elasticache_autoscaler.workflow.lock_step import handle_lock

    renew = LockRequest(op="renew", cluster="orders", owner=ARN, lease_seconds=7200)
    assert handle_lock(renew, world.state, NOW, 600).acquired
    assert world.state.locks["orders"] == (ARN, int(NOW.timestamp()) + 7200)
    other = LockRequest(op="renew", cluster="orders", owner="another-execution", lease_seconds=7200)
    assert handle_lock(other, world.state, NOW, 600).holder == ARN
