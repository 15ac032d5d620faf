"""Given alarm state changes and schedule ticks, When the triggers run, Then each managed cluster gets one
execution per event or time bucket, with a deterministic name, and everything else is ignored."""

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from elasticache_autoscaler.models.alarm_event import AlarmStateChange, AlarmStateChangeEvent
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.workflow.triggers import alarm_execution_name, start_for_alarm, start_for_schedule
from tests.fakes.adapters import FakeElastiCache, FakeStarter, topology
from tests.unit.workflow.conftest import NOW

EVENTS = Path(__file__).resolve().parents[3] / "events"
TAG = "elasticache-autoscaler:managed"


def _alarm(name: str = "ecas-orders-read-cpu", dimensions: dict[str, str] | None = None) -> AlarmStateChange:
    event = json.loads((EVENTS / "alarm_state_change.json").read_text())
    event["detail"]["alarmName"] = name
    metric = event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]
    metric["dimensions"] = dimensions if dimensions is not None else {"CacheClusterId": "orders-0001-002"}
    return AlarmStateChangeEvent.model_validate(event).detail


@pytest.fixture
def starter() -> FakeStarter:
    return FakeStarter()


def test_an_alarm_on_a_member_starts_one_execution_for_its_group(
    elasticache: FakeElastiCache, starter: FakeStarter
) -> None:
    started = start_for_alarm(_alarm(), elasticache, starter, "ecas-", TAG)
    assert (started.cluster, started.started) == ("orders", True)
    ((name, request),) = starter.started.items()
    assert name.startswith("alarm-orders-")
    assert (request.cluster, request.trigger, request.dry_run) == ("orders", "alarm", False)
    assert "ecas-orders-read-cpu" in (request.reason or "")


def test_a_duplicate_delivery_starts_nothing_new(elasticache: FakeElastiCache, starter: FakeStarter) -> None:
    start_for_alarm(_alarm(), elasticache, starter, "ecas-", TAG)
    again = start_for_alarm(_alarm(), elasticache, starter, "ecas-", TAG)
    assert (again.started, again.why) == (False, "duplicate")
    assert len(starter.started) == 1


def test_execution_names_are_deterministic_valid_and_distinct_per_state_change() -> None:
    first, second = _alarm(), _alarm()
    later = first.model_copy(
        update={"state": first.state.model_copy(update={"timestamp": "2030-01-01T00:00:00Z"})}
    )
    assert alarm_execution_name("orders", first) == alarm_execution_name("orders", second)
    assert alarm_execution_name("orders", first) != alarm_execution_name("orders", later)
    name = alarm_execution_name("a" * 40, first)
    assert len(name) <= 80
    assert all(c.isalnum() or c in "-_" for c in name)


def test_a_replication_group_dimension_is_used_directly(
    elasticache: FakeElastiCache, starter: FakeStarter
) -> None:
    started = start_for_alarm(
        _alarm(dimensions={"ReplicationGroupId": "orders"}), elasticache, starter, "ecas-", TAG
    )
    assert started.cluster == "orders"


@pytest.mark.parametrize(
    ("alarm", "why"),
    [
        (_alarm(name="someone-elses-alarm"), "alarm name lacks the prefix"),
        (_alarm(dimensions={"InstanceId": "i-123"}), "alarm watches no replication group"),
        (_alarm(dimensions={"CacheClusterId": "nobody-0001-001"}), "alarm watches no replication group"),
        (_alarm(dimensions={"ReplicationGroupId": "sessions"}), "cluster is not managed"),
        (_alarm(dimensions={"ReplicationGroupId": "gone"}), "cluster does not exist"),
    ],
)
def test_what_is_not_ours_is_ignored(
    alarm: AlarmStateChange, why: str, elasticache: FakeElastiCache, starter: FakeStarter
) -> None:
    started = start_for_alarm(alarm, elasticache, starter, "ecas-", TAG)
    assert (started.started, started.why) == (False, why)
    assert starter.started == {}


def test_a_schedule_tick_evaluates_every_managed_cluster_once_per_bucket(
    elasticache: FakeElastiCache, starter: FakeStarter
) -> None:
    first = start_for_schedule(NOW, elasticache, starter, TAG, bucket_minutes=5)
    assert [s.cluster for s in first.started] == ["orders"]  # "sessions" is not tagged: never found
    assert (first.groups, first.ignored, first.failed) == (1, (), ())
    again = start_for_schedule(NOW + timedelta(minutes=1), elasticache, starter, TAG, bucket_minutes=5)
    assert [(s.started, s.outcome) for s in again.started] == [(False, "duplicate")]
    later = start_for_schedule(NOW + timedelta(minutes=5), elasticache, starter, TAG, bucket_minutes=5)
    assert [s.started for s in later.started] == [True]
    assert all(r.trigger == "schedule" for r in starter.started.values())


class _SlowStarter(FakeStarter):
    """Holds each start a moment and records how many were in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    def start(self, name: str, request: WorkflowRequest) -> bool:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.01)
        with self._lock:
            self.in_flight -= 1
            return super().start(name, request)


def test_a_fleet_tick_starts_its_groups_in_bounded_parallel_batches() -> None:
    fleet = FakeElastiCache()
    for i in range(60):
        fleet.add(topology(f"g{i:02d}"))
    starter = _SlowStarter()

    tick = start_for_schedule(NOW, fleet, starter, TAG, bucket_minutes=5, parallelism=4)

    assert 1 < starter.most_in_flight <= 4
    assert [s.cluster for s in tick.started] == sorted(fleet.groups)  # reported in discovery order
    assert tick.groups == 60
    again = start_for_schedule(NOW, fleet, starter, TAG, bucket_minutes=5, parallelism=4)
    assert {s.outcome for s in again.started} == {"duplicate"}
    assert len(starter.started) == 60


def test_a_tick_reports_its_api_calls_and_duration(
    elasticache: FakeElastiCache, starter: FakeStarter
) -> None:
    calls = {"resource-groups-tagging-api.GetResources": 1, "sfn.StartExecution": 1}
    tick = start_for_schedule(NOW, elasticache, starter, TAG, bucket_minutes=5, api_calls=lambda: calls)
    wire = tick.to_wire()
    assert wire["apiCalls"] == calls
    assert isinstance(wire["durationMs"], int)
    assert wire["groups"] == 1
