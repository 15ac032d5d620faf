"""Given a step's outcome or failure, When it is recorded, Then the record moves forward, the circuit
breaker counts failed actions, the lock is released and someone is told."""

from typing import Any

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.approval import ApprovalRequest
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.record_request import FailureRequest, OutcomeRequest
from elasticache_autoscaler.models.workflow import Execution
from elasticache_autoscaler.workflow.approval_step import request_approval
from elasticache_autoscaler.workflow.record_step import RecordDeps, record_failure, record_outcome
from tests.fakes.adapters import FakeDecisionLog, FakeNotifier, FakeState
from tests.unit.workflow.conftest import NOW

KEY = RecordKey(cluster="orders", decided_at="2026-11-26T12:00:00.000123Z")
CAPACITY = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1)


@pytest.fixture
def notifier() -> FakeNotifier:
    return FakeNotifier()


@pytest.fixture
def record_deps(log: FakeDecisionLog, state: FakeState, notifier: FakeNotifier) -> RecordDeps:
    return RecordDeps(log=log, state=state, notifier=notifier, retention_days=90)


def _planned(log: FakeDecisionLog, execution: Execution, status: str = "planned") -> None:
    log.put(
        DecisionRecord(
            cluster=KEY.cluster,
            decided_at=KEY.decided_at,
            action=Action.ADD_REPLICAS,
            current=CAPACITY,
            target=CAPACITY.model_copy(update={"replicas_per_shard": 2}),
            reasons=("read CPU high",),
            mode="act",
            status="planned",
            trigger="alarm",
            execution_arn=execution.arn,
            expires_at=0,
        )
    )
    log.items[(KEY.cluster, KEY.decided_at)]["status"] = status


def _failure(execution: Execution, state: dict[str, Any]) -> FailureRequest:
    return FailureRequest.model_validate(
        {"op": "failure", "execution": execution.to_wire(), "input": {"cluster": "orders"}, "state": state}
    )


def test_success_moves_the_record_forward_with_timings_and_notifies(
    record_deps: RecordDeps, log: FakeDecisionLog, execution: Execution, notifier: FakeNotifier
) -> None:
    _planned(log, execution, status="in_progress")
    request = OutcomeRequest(
        op="outcome",
        execution=execution,
        record=KEY,
        outcome="succeeded",
        started_at=NOW,
        action="add_replicas",
    )
    record_outcome(request, record_deps, NOW.replace(minute=5))
    item = log.items[(KEY.cluster, KEY.decided_at)]
    assert (item["status"], item["durationSeconds"]) == ("succeeded", 300.0)
    assert item["startedAt"] < item["finishedAt"]
    (subject, _), *_ = notifier.sent
    assert subject == "add_replicas succeeded on orders"


def test_status_never_moves_backwards(
    record_deps: RecordDeps, log: FakeDecisionLog, execution: Execution
) -> None:
    _planned(log, execution, status="succeeded")
    request = OutcomeRequest(
        op="outcome", execution=execution, record=KEY, outcome="act_skipped", detail="late"
    )
    record_outcome(request, record_deps, NOW)
    assert log.items[(KEY.cluster, KEY.decided_at)]["status"] == "succeeded"


def test_a_failed_action_counts_toward_the_breaker_and_leaves_the_lock_to_the_lock_step(
    record_deps: RecordDeps,
    log: FakeDecisionLog,
    state: FakeState,
    execution: Execution,
    notifier: FakeNotifier,
) -> None:
    _planned(log, execution, status="in_progress")
    state.acquire_lock("orders", execution.arn, NOW, 600)
    failed_state = {
        "error": {
            "Error": "ActionFailedError",
            "Cause": "increase_replica_count: InsufficientCacheClusterCapacity",
        },
        "observed": {"request": {"trigger": "alarm"}, "policy": {"circuitBreakerFailures": 2}},
        "decided": {"record": KEY.to_wire(), "live": True},
    }
    record_failure(_failure(execution, failed_state), record_deps, NOW)
    item = log.items[(KEY.cluster, KEY.decided_at)]
    assert item["status"] == "failed"
    assert "InsufficientCacheClusterCapacity" in item["error"]
    # finding 4: one owner releases the lock (the ReleaseLockAfterFailure state, workflow.lock_step)
    assert state.lock_holder("orders", NOW) == execution.arn
    assert (state.guard.consecutive_failures, state.guard.circuit_open) == (1, False)
    record_failure(_failure(execution, failed_state), record_deps, NOW)
    assert state.guard.circuit_open is True
    assert notifier.sent[-1][1]["circuitOpen"] is True


@pytest.mark.parametrize(
    ("acted", "error", "counted"),
    [
        (None, "ActionFailedError", 1),  # the call itself failed: nothing changed
        ({"outcome": "called"}, "ActionAbandoned", 1),  # ElastiCache gave the change up
        ({"outcome": "called"}, "Lambda.Unknown", 0),  # Check broke after the change was made
        ({"outcome": "already_there"}, "Lambda.Unknown", 1),
    ],
)
def test_finding5_only_a_change_that_did_not_happen_counts_toward_the_breaker(
    record_deps: RecordDeps,
    log: FakeDecisionLog,
    state: FakeState,
    execution: Execution,
    *,
    acted: dict[str, str] | None,
    error: str,
    counted: int,
) -> None:
    _planned(log, execution, status="in_progress")
    failed_state: dict[str, Any] = {
        "error": {"Error": error, "Cause": "x"},
        "observed": {"request": {"trigger": "alarm"}, "policy": {"circuitBreakerFailures": 3}},
        "decided": {"record": KEY.to_wire(), "live": True},
    }
    if acted is not None:
        failed_state["acted"] = acted
    record_failure(_failure(execution, failed_state), record_deps, NOW)
    assert log.items[(KEY.cluster, KEY.decided_at)]["status"] == "failed"
    assert state.guard.consecutive_failures == counted


def test_a_failure_does_not_release_someone_elses_lock(
    record_deps: RecordDeps, state: FakeState, execution: Execution
) -> None:
    state.acquire_lock("orders", "another-execution", NOW, 600)
    record_failure(_failure(execution, {"error": {"Error": "States.Timeout", "Cause": ""}}), record_deps, NOW)
    assert state.lock_holder("orders", NOW) == "another-execution"


def test_a_failure_before_deciding_writes_a_failed_record_and_counts_nothing(
    record_deps: RecordDeps, log: FakeDecisionLog, state: FakeState, execution: Execution
) -> None:
    key = record_failure(
        _failure(execution, {"error": {"Error": "PolicyStoreUnavailableError", "Cause": "ssm down"}}),
        record_deps,
        NOW,
    )
    assert key is not None
    item = log.items[(key.cluster, key.decided_at)]
    assert (item["status"], item["action"]) == ("failed", "none")
    assert "ssm down" in item["reasons"][0]
    assert state.guard.consecutive_failures == 0


def test_success_resets_the_failure_count(
    record_deps: RecordDeps, log: FakeDecisionLog, state: FakeState
) -> None:
    execution = Execution(arn="arn:run-2", started_at=NOW)
    state.count_failure("orders", breaker_at=3)
    _planned(log, execution, status="in_progress")
    record_outcome(
        OutcomeRequest(op="outcome", execution=execution, record=KEY, outcome="succeeded"), record_deps, NOW
    )
    assert state.guard.consecutive_failures == 0


def test_approval_request_tells_how_to_approve_and_reject(
    execution: Execution, notifier: FakeNotifier
) -> None:
    decision = Decision(
        action=Action.SCALE_DOWN,
        current=CAPACITY,
        target=CAPACITY.model_copy(update={"node_type": "cache.r7g.medium"}),
        reasons=("every signal low for 30 min",),
        approval_required=True,
    )
    request = ApprovalRequest(
        task_token="TOKEN-123", execution=execution, record=KEY, decision=decision, timeout_seconds=900
    )
    request_approval(request, notifier)
    ((subject, details),) = notifier.sent
    assert subject == "Approve scale_down on orders?"
    commands = details["howToAnswer"]
    assert isinstance(commands, dict)
    assert "send-task-success" in commands["approve"] and "TOKEN-123" in commands["approve"]
    assert "send-task-failure" in commands["reject"] and "Rejected" in commands["reject"]
    assert details["unanswered"] == "treated as rejected"
