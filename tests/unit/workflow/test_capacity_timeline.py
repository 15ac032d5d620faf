"""The capacity timeline: the record step appends a change that succeeded, trimmed to the history window."""

from datetime import timedelta

from elasticache_autoscaler.engine.forecast import HISTORY_DAYS
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.record_request import OutcomeRequest
from elasticache_autoscaler.models.workflow import Execution
from elasticache_autoscaler.workflow.record_step import RecordDeps, record_outcome
from tests.fakes.adapters import FakeDecisionLog, FakeNotifier, FakeState
from tests.unit.workflow.conftest import ARN, NOW

DAY = timedelta(days=1)
TWO = Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1)
THREE = TWO.model_copy(update={"shards": 3})


def _change(at_days_ago: float, before: Capacity, after: Capacity) -> CapacityChange:
    return CapacityChange(at=NOW - at_days_ago * DAY, before=before, after=after)


def test_appending_keeps_the_window_and_the_order() -> None:
    old, recent = _change(9, TWO, THREE), _change(2, THREE, TWO)

    timeline = CapacityTimeline(changes=(old,)).appended(recent, keep_since=NOW - HISTORY_DAYS * DAY)

    assert timeline.changes == (recent,)  # 9 days ago is out of the 8-day window
    assert timeline.capacity_at(NOW - 3 * DAY) == THREE  # before the first change kept: its "before"
    assert timeline.capacity_at(NOW) == TWO
    assert CapacityTimeline().capacity_at(NOW) is None  # nothing recorded: the caller uses today's


def _record_and_succeed(action: str, current: Capacity, target: Capacity) -> FakeState:
    log, state = FakeDecisionLog(), FakeState()
    key = RecordKey(cluster="orders", decided_at="2026-11-26T11:50:00Z")
    log.put(
        DecisionRecord(
            cluster="orders",
            decided_at=key.decided_at,
            action=action,
            current=current,
            target=target,
            reasons=("test",),
            mode="act",
            status="planned",
            trigger="schedule",
            execution_arn=ARN,
            expires_at=0,
        )
    )
    record_outcome(
        OutcomeRequest(
            op="outcome",
            execution=Execution(arn=ARN, started_at=NOW),
            record=key,
            outcome="succeeded",
            action=action,
        ),
        RecordDeps(log=log, state=state, notifier=FakeNotifier(), retention_days=90),
        NOW,
    )
    return state


def test_a_change_that_succeeded_joins_the_timeline() -> None:
    state = _record_and_succeed("add_shards", TWO, THREE)

    assert state.capacity_timeline("orders").changes == (_change(0, TWO, THREE),)


def test_a_decision_that_changed_no_capacity_does_not() -> None:
    state = _record_and_succeed("rotate_auth_token", TWO, TWO)

    assert state.capacity_timeline("orders").changes == ()
