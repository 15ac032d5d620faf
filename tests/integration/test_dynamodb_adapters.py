"""The decision log and the state table against moto's DynamoDB: conditional writes do what they promise."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from moto import mock_aws

from elasticache_autoscaler.adapters.decision_log import DecisionLog, StaleStatusError
from elasticache_autoscaler.adapters.state_table import StateTable
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.load_history import FetchedLoadHistory, LoadHistory
from elasticache_autoscaler.models.record import Outcome, RecordKey
from elasticache_autoscaler.models.snapshot import Guards
from tests.template_tables import create_table_args

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KEY = RecordKey(cluster="orders", decided_at="2026-11-26T12:00:00.000123Z")


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(**create_table_args("DecisionTable", "decisions"))
        ddb.create_table(**create_table_args("StateTable", "state"))
        yield ddb


def _record(arn: str = "arn:exec:1") -> DecisionRecord:
    capacity = Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1)
    return DecisionRecord(
        cluster=KEY.cluster,
        decided_at=KEY.decided_at,
        action=Action.ADD_REPLICAS,
        current=capacity,
        target=capacity.model_copy(update={"replicas_per_shard": 2}),
        reasons=("read CPU 88.0% above 66.0%",),
        mode="act",
        status="planned",
        trigger="alarm",
        execution_arn=arn,
        expires_at=1_900_000_000,
        signals={"readCpuMaxPercent": 88.0, "memoryMaxPercent": None},
        cost_per_hour_before=0.7,
        cost_per_hour_after=1.05,
    )


def test_a_record_round_trips_with_every_contract_attribute(client: Any) -> None:
    log = DecisionLog("decisions", client)
    log.put(_record())
    item = log.get(KEY)
    assert item is not None
    contract = {"cluster", "decidedAt", "action", "current", "target", "reasons", "mode", "status"}
    contract |= {"trigger", "executionArn", "expiresAt"}
    assert contract <= set(item)
    assert item["target"] == {"nodeType": "cache.r7g.large", "shards": 2, "replicasPerShard": 2}
    assert item["signals"] == {"readCpuMaxPercent": 88.0, "memoryMaxPercent": None}  # null: no data
    assert item["expiresAt"] == 1_900_000_000


def test_a_retry_of_the_same_execution_is_idempotent_but_another_execution_cannot_overwrite(
    client: Any,
) -> None:
    log = DecisionLog("decisions", client)
    log.put(_record())
    log.put(_record())
    with pytest.raises(RuntimeError, match="another execution"):
        log.put(_record(arn="arn:exec:2"))


def test_status_moves_forward_only(client: Any) -> None:
    log = DecisionLog("decisions", client)
    log.put(_record())
    log.advance(KEY, Outcome(status="in_progress", started_at="2026-11-26T12:00:01Z"))
    log.advance(KEY, Outcome(status="succeeded", finished_at="2026-11-26T12:10:00Z", duration_seconds=599.0))
    with pytest.raises(StaleStatusError):
        log.advance(KEY, Outcome(status="failed", error="late"))
    item = log.get(KEY)
    assert item is not None
    assert (item["status"], item["durationSeconds"]) == ("succeeded", 599)


def test_an_unknown_record_cannot_be_advanced(client: Any) -> None:
    with pytest.raises(StaleStatusError):
        DecisionLog("decisions", client).advance(KEY, Outcome(status="succeeded"))


def test_recent_history_is_newest_first(client: Any) -> None:
    log = DecisionLog("decisions", client)
    log.put(_record())
    history = log.recent("orders", NOW - timedelta(days=1))
    assert [h.action for h in history] == [Action.ADD_REPLICAS]
    assert log.recent("orders", NOW + timedelta(days=1)) == ()


def test_one_lock_holder_at_a_time_with_an_expiring_lease(client: Any) -> None:
    state = StateTable("state", client)
    assert state.acquire_lock("orders", "exec-a", NOW, lease_seconds=600) is None
    assert state.acquire_lock("orders", "exec-b", NOW, lease_seconds=600) == "exec-a"
    assert state.acquire_lock("orders", "exec-a", NOW, lease_seconds=600) is None  # renewing our own
    later = NOW + timedelta(seconds=601)
    assert state.acquire_lock("orders", "exec-b", later, lease_seconds=600) is None  # the lease expired
    assert state.release_lock("orders", "exec-a") is False  # no longer ours
    assert state.release_lock("orders", "exec-b") is True
    assert state.lock_holder("orders", later) is None


def test_the_breaker_opens_after_n_failures_and_only_an_operator_closes_it(client: Any) -> None:
    state = StateTable("state", client)
    assert state.guards("orders", NOW).circuit_open is False
    state.count_failure("orders", breaker_at=2)
    state.count_success("orders")
    state.count_failure("orders", breaker_at=2)
    assert state.count_failure("orders", breaker_at=2).circuit_open is True
    state.count_success("orders")
    assert state.guards("orders", NOW).circuit_open is True
    state.set_switches("orders", reset_circuit=True, paused=True)
    guards = state.guards("orders", NOW)
    assert (guards.circuit_open, guards.consecutive_failures, guards.paused) == (False, 0, True)


class _GetItemsSeen:
    """moto's client, noting each GetItem's key; with ``together``, each GetItem waits at a barrier for the
    others (a barrier that breaks on its timeout when they are sent one after another)."""

    def __init__(self, client: Any, together: int = 1) -> None:
        self._client = client
        self._barrier = threading.Barrier(together, timeout=5)
        self.keys: list[str] = []

    def get_item(self, **request: Any) -> Any:
        self.keys.append(request["Key"]["id"]["S"])
        self._barrier.wait()
        return self._client.get_item(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_the_guards_and_the_lock_holder_are_read_together(client: Any) -> None:
    StateTable("state", client).acquire_lock("orders", "exec-a", NOW, lease_seconds=600)
    seen = _GetItemsSeen(client, together=2)
    assert StateTable("state", cast("DynamoDBClient", seen)).guards("orders", NOW) == Guards(
        lock_held_by="exec-a"
    )
    assert sorted(seen.keys) == ["guards#orders", "lock#orders"]


def test_the_guards_without_the_lock_read_only_the_guards_item(client: Any) -> None:
    """Act's read: it renews the lock itself, so the lock item is not read."""
    state = StateTable("state", client)
    state.acquire_lock("orders", "exec-a", NOW, lease_seconds=600)
    state.set_switches("orders", paused=True)
    seen = _GetItemsSeen(client)
    assert StateTable("state", cast("DynamoDBClient", seen)).guards("orders", NOW, lock=False) == Guards(
        paused=True
    )
    assert seen.keys == ["guards#orders"]


# --- the forecast's items: the capacity timeline and the cached load history ---------------------------


def test_the_capacity_timeline_is_appended_and_trimmed_in_its_own_item(client: Any) -> None:
    state = StateTable("state", client)
    two = Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1)
    three = two.model_copy(update={"shards": 3})
    old = CapacityChange(at=NOW - timedelta(days=9), before=three, after=two)
    recent = CapacityChange(at=NOW, before=two, after=three)

    assert state.capacity_timeline("orders") == CapacityTimeline()
    state.record_capacity_change("orders", old, keep_since=NOW - timedelta(days=10))
    state.record_capacity_change("orders", recent, keep_since=NOW - timedelta(days=8))

    assert state.capacity_timeline("orders").changes == (recent,)  # 9 days ago: out of the window
    assert state.guards("orders", NOW) == Guards()  # the guards item is untouched


def test_the_load_history_cache_round_trips(client: Any) -> None:
    state = StateTable("state", client)
    measured = LoadHistory(end=NOW, memory_percent=(40.0, None, 41.5), read_cpu_percent=())
    fetched = FetchedLoadHistory(fetched_at=NOW, measured=measured)

    assert state.fetched_load_history("orders") is None
    state.keep_load_history("orders", fetched)

    assert state.fetched_load_history("orders") == fetched
    assert state.fetched_load_history("sessions") is None
