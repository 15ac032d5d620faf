"""The thin handlers: each parses its event, calls one step with the wired adapters, returns a model.
Wiring is replaced by fakes here; the deployed handlers run for real in tests/e2e."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from elasticache_autoscaler import wiring
from elasticache_autoscaler.adapters.call_count import CallCounter
from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.kinds.memcached import MemcachedClustersKind
from elasticache_autoscaler.kinds.serverless import ServerlessCachesKind
from elasticache_autoscaler.workflow.decide_step import DecideDeps
from elasticache_autoscaler.workflow.observe import ObserveDeps
from elasticache_autoscaler.workflow.record_step import RecordDeps
from tests.fakes.adapters import (
    FakeDecisionLog,
    FakeElastiCache,
    FakeMetrics,
    FakeNotifier,
    FakeObservationStore,
    FakePolicies,
    FakeStarter,
    FakeState,
    topology,
)
from tests.fakes.kinds import FakeKindMetrics, FakeMemcached, FakeServerless

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {
    "DECISION_TABLE": "decisions",
    "STATE_TABLE": "state",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:scaling",
    "POLICY_PREFIX": "/elasticache-autoscaler/test",
    "MANAGED_TAG_KEY": "elasticache-autoscaler:managed",
    "PAUSED_TAG_KEY": "elasticache-autoscaler:paused",
    "ALARM_PREFIX": "ecas-",
    "SCHEDULE_BUCKET_MINUTES": "5",
    "DECISION_RETENTION_DAYS": "90",
    "LOCK_LEASE_SECONDS": "7200",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notes",
    "POWERTOOLS_METRICS_NAMESPACE": "ElastiCacheAutoscaler",
}


@dataclass
class Context:
    function_name: str = "test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "req-1"


@dataclass
class Fakes:
    elasticache: FakeElastiCache
    starter: FakeStarter
    log: FakeDecisionLog
    state: FakeState
    notifier: FakeNotifier


def handler(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"handler_{name}", ROOT / "functions" / name / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Fakes:
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    wiring.validated_settings.cache_clear()
    made = Fakes(FakeElastiCache(), FakeStarter(), FakeDecisionLog(), FakeState(), FakeNotifier())
    made.elasticache.add(topology("orders"))
    monkeypatch.setattr(wiring, "elasticache", lambda: made.elasticache)
    monkeypatch.setattr(wiring, "starter", lambda arn: made.starter)
    monkeypatch.setattr(wiring, "managed_groups", lambda: made.elasticache)
    monkeypatch.setattr(
        wiring,
        "other_kinds",
        lambda: (
            MemcachedClustersKind(FakeMemcached(), FakeKindMetrics()),
            ServerlessCachesKind(FakeServerless(), FakeKindMetrics()),
        ),
    )
    monkeypatch.setattr(wiring, "tick_call_counter", lambda: CallCounter().watching())
    monkeypatch.setattr(wiring, "decision_log", lambda table: made.log)
    monkeypatch.setattr(wiring, "state_table", lambda table: made.state)
    monkeypatch.setattr(wiring, "notifier", lambda topic_arn: made.notifier)
    store = FakeObservationStore()
    monkeypatch.setattr(
        wiring,
        "observe_deps",
        lambda: ObserveDeps(
            made.elasticache, FakeMetrics(), FakePolicies(), made.state, made.log, *_tags(), store=store
        ),
    )
    monkeypatch.setattr(wiring, "decide_deps", lambda: DecideDeps(store, made.log, 90))
    monkeypatch.setattr(wiring, "record_deps", lambda: RecordDeps(made.log, made.state, made.notifier, 90))
    return made


def _tags() -> tuple[str, str]:
    return ENVIRONMENT["MANAGED_TAG_KEY"], ENVIRONMENT["PAUSED_TAG_KEY"]


def _event(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "events" / name).read_text())
    return loaded


def test_on_alarm_starts_an_execution(fakes: Fakes) -> None:
    event = _event("alarm_state_change.json")
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = {
        "ReplicationGroupId": "orders"
    }
    answer = handler("on_alarm").lambda_handler(event, Context())
    assert answer["started"] is True
    assert list(fakes.starter.started) == [answer["executionName"]]


def test_on_alarm_rejects_a_malformed_event_naming_the_field(fakes: Fakes) -> None:
    event = _event("alarm_state_change.json")
    del event["detail"]["alarmName"]
    with pytest.raises(InvalidInputError, match="alarmName"):
        handler("on_alarm").lambda_handler(event, Context())
    assert fakes.starter.started == {}


def test_on_schedule_needs_its_explicit_input(fakes: Fakes) -> None:
    tick = handler("on_schedule").lambda_handler(_event("schedule_tick.json"), Context())
    assert tick["started"][0]["cluster"] == "orders"
    with pytest.raises(InvalidInputError, match="source"):
        handler("on_schedule").lambda_handler({"detail": "{}"}, Context())


def test_observe_then_decide_then_lock_round_trip(fakes: Fakes) -> None:
    execution = {
        "arn": "arn:aws:states:us-east-1:123456789012:execution:scaling:x",
        "startedAt": "2026-11-26T12:00:00Z",
    }
    observed = handler("observe").lambda_handler(
        {"input": _event("console_evaluate.json"), "execution": execution}, Context()
    )
    decided = handler("decide").lambda_handler(observed, Context())
    assert decided["status"] == "skipped"
    assert len(fakes.log.items) == 1
    lock = {"op": "acquire", "cluster": "orders", "owner": execution["arn"]}
    assert handler("lock").lambda_handler(lock, Context())["acquired"] is True
    assert handler("lock").lambda_handler({**lock, "owner": "other"}, Context())["acquired"] is False


def test_record_failure_notifies_and_leaves_the_lock_to_the_lock_step(fakes: Fakes) -> None:
    execution = {"arn": "arn:run", "startedAt": "2026-11-26T12:00:00Z"}
    handler("lock").lambda_handler({"op": "acquire", "cluster": "orders", "owner": "arn:run"}, Context())
    event = {
        "op": "failure",
        "execution": execution,
        "input": {"cluster": "orders"},
        "state": {"error": {"Error": "States.TaskFailed", "Cause": "boom"}},
    }
    key = handler("record").lambda_handler(event, Context())
    assert key["cluster"] == "orders"
    assert set(fakes.state.locks) == {"orders"}  # released by ReleaseLockAfterFailure (one owner)
    handler("lock").lambda_handler({"op": "release", "cluster": "orders", "owner": "arn:run"}, Context())
    assert fakes.state.locks == {}
    assert fakes.notifier.sent[-1][0] == "autoscaler failed on orders"
