"""Issue 11, findings 6 and B: the triggers never crash on what they do not manage.

The real ElastiCache adapter answers a deleted group with a raw ``ReplicationGroupNotFoundFault`` from its
tag lookup, so these tests drive it through botocore's Stubber (the in-memory fake already raised the
workflow's own ClusterNotFoundError and hid the crash). A missing or unmanaged group is a structured,
logged ignore; one bad group never stops a schedule tick; only an ALARM state starts anything.
"""

import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import Stubber

from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.errors import TickIncompleteError
from elasticache_autoscaler.models.alarm_event import AlarmStateChange, AlarmStateChangeEvent
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.workflow.triggers import start_for_alarm, start_for_schedule
from tests.fakes.adapters import FakeElastiCache, FakeStarter, topology
from tests.fakes.stubbed import offline_elasticache
from tests.unit.workflow.conftest import NOW
from tests.unit.workflow.test_triggers import EVENTS, _alarm

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

TAG = "elasticache-autoscaler:managed"


@pytest.fixture(autouse=True)
def _info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="elasticache-autoscaler")


def _arn(group: str) -> str:
    return f"arn:aws:elasticache:us-east-1:123456789012:replicationgroup:{group}"


@pytest.fixture
def client() -> "ElastiCacheClient":
    return offline_elasticache()


def _group_exists(stub: Stubber, group: str, managed: bool = True) -> None:
    stub.add_response(
        "describe_replication_groups",
        {"ReplicationGroups": [{"ReplicationGroupId": group, "ARN": _arn(group)}]},
        {"ReplicationGroupId": group},
    )
    tags = [{"Key": TAG, "Value": "true"}] if managed else []
    stub.add_response("list_tags_for_resource", {"TagList": tags}, {"ResourceName": _arn(group)})


def _group_is_gone(stub: Stubber, group: str) -> None:
    stub.add_client_error(
        "describe_replication_groups",
        service_error_code="ReplicationGroupNotFoundFault",
        service_message=f"ReplicationGroup {group} not found.",
        http_status_code=404,
        expected_params={"ReplicationGroupId": group},
    )


def _logs(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The structured log records: level, message and the key/values logged with them."""
    return [
        {**vars(r), "level": r.levelname, "message": r.getMessage()}
        for r in caplog.records
        if r.name == "elasticache-autoscaler"
    ]


def test_finding6_an_alarm_for_a_deleted_group_is_a_logged_ignore(
    client: "ElastiCacheClient", stub: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    _group_is_gone(stub, "demo-redis")
    starter = FakeStarter()
    result = start_for_alarm(
        _alarm(dimensions={"ReplicationGroupId": "demo-redis"}), ElastiCache(client), starter, "ecas-", TAG
    )
    assert (result.cluster, result.started, result.why) == ("demo-redis", False, "cluster does not exist")
    assert starter.started == {}
    ignored = [r for r in _logs(caplog) if r.get("cluster") == "demo-redis"]
    assert [(r["level"], r["message"]) for r in ignored] == [("INFO", "cluster does not exist: ignored")]
    assert ignored[0]["alarm"] == "ecas-orders-read-cpu"


def test_finding6_an_alarm_on_a_deleted_member_is_a_logged_ignore(
    client: "ElastiCacheClient", stub: Stubber
) -> None:
    stub.add_client_error(
        "describe_cache_clusters",
        service_error_code="CacheClusterNotFound",
        http_status_code=404,
        expected_params={"CacheClusterId": "demo-redis-002"},
    )
    starter = FakeStarter()
    result = start_for_alarm(
        _alarm(dimensions={"CacheClusterId": "demo-redis-002"}), ElastiCache(client), starter, "ecas-", TAG
    )
    assert (result.started, result.why) == (False, "alarm watches no replication group")
    assert starter.started == {}


class _FailsFor(FakeStarter):
    def __init__(self, bad: str) -> None:
        super().__init__()
        self.bad = bad

    def start(self, name: str, request: WorkflowRequest) -> bool:
        if request.cluster == self.bad:
            raise RuntimeError("StartExecution throttled")
        return super().start(name, request)


def test_finding6_one_group_that_fails_never_stops_the_tick(
    elasticache: FakeElastiCache, caplog: pytest.LogCaptureFixture
) -> None:
    elasticache.add(topology("billing", shards=1, replicas=1))
    elasticache.add(topology("payments", shards=1, replicas=1))
    starter = _FailsFor("orders")  # between the other two
    with pytest.raises(TickIncompleteError, match=r"1 group\(s\) not started \(orders\); 2 started"):
        start_for_schedule(NOW, elasticache, starter, TAG, bucket_minutes=5)
    assert sorted(r.cluster for r in starter.started.values()) == ["billing", "payments"]
    (summary,) = [r for r in _logs(caplog) if r["message"] == "schedule tick handled"]
    assert summary["failed"] == {"orders": "RuntimeError: StartExecution throttled"}
    assert (summary["groups"], summary["new"], summary["duplicates"]) == (3, 2, 0)


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_only_an_alarm_state_starts_an_execution(
    state: str, elasticache: FakeElastiCache, caplog: pytest.LogCaptureFixture
) -> None:
    alarm = _alarm(dimensions={"ReplicationGroupId": "orders"})
    alarm = alarm.model_copy(update={"state": alarm.state.model_copy(update={"value": state})})
    starter = FakeStarter()
    result = start_for_alarm(alarm, elasticache, starter, "ecas-", TAG)
    assert (result.started, result.why) == (False, f"alarm state is {state}, not ALARM")
    assert starter.started == {}
    assert any(r["message"] == f"alarm state is {state}, not ALARM: ignored" for r in _logs(caplog))


@pytest.mark.parametrize(("state", "starts"), [("ALARM", True), ("OK", False), ("INSUFFICIENT_DATA", False)])
def test_the_real_event_payload_starts_only_in_alarm(
    state: str, starts: bool, elasticache: FakeElastiCache
) -> None:
    """The project's copy of AWS's example event (events/), in each state: parsed, and only ALARM starts."""
    event = json.loads((EVENTS / "alarm_state_change.json").read_text())
    event["detail"]["alarmName"] = "ecas-orders-read-cpu"
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = {
        "ReplicationGroupId": "orders"
    }
    event["detail"]["state"]["value"] = state
    alarm: AlarmStateChange = AlarmStateChangeEvent.model_validate(event).detail
    starter = FakeStarter()
    assert start_for_alarm(alarm, elasticache, starter, "ecas-", TAG).started is starts
    assert len(starter.started) == int(starts)
