"""The autoscaler's own signals (issue 13 part 3): a metric per decision and per outcome by cluster, action
and status, ``CircuitBreakerOpened`` when a failure opens a breaker, one "Decision Recorded" event per
decision (a failed publish never fails the decision), notifications that carry action and status."""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.record_request import FailureRequest, OutcomeRequest
from elasticache_autoscaler.models.workflow import Execution, ObserveInput
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from elasticache_autoscaler.workflow.record_step import RecordDeps, record_failure, record_outcome
from tests.fakes.adapters import FakeDecisionLog, FakeNotifier, FakeState
from tests.unit.workflow.conftest import NOW
from tests.unit.workflow.test_record_and_approval import KEY, _planned


def emf(captured: str) -> list[dict[str, Any]]:
    """The Embedded Metric Format documents a function printed: metric name -> its dimensions' values."""
    documents = []
    for line in captured.splitlines():
        if '"_aws"' in line:
            documents.append(json.loads(line))
    return documents


def metric_named(documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        d for d in documents if any(m["Name"] == name for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"])
    ]


@dataclass
class FakeEvents:
    published: list[DecisionRecord] = field(default_factory=list)
    fail: bool = False

    def decision_recorded(self, record: DecisionRecord) -> None:
        if self.fail:
            raise RuntimeError("PutEvents refused the decision event: AccessDenied")
        self.published.append(record)


@pytest.mark.parametrize("events_fail", [False, True])
def test_each_decision_is_counted_and_published(
    deps: ObserveDeps,
    log: FakeDecisionLog,
    execution: Execution,
    capsys: pytest.CaptureFixture[str],
    events_fail: bool,
) -> None:
    events = FakeEvents(fail=events_fail)
    observation = observe(ObserveInput(input={"cluster": "orders"}, execution=execution), deps, NOW)
    capsys.readouterr()

    decided = decide_step(observation, DecideDeps(deps.store, log, 90, events=events), NOW)

    (document,) = metric_named(emf(capsys.readouterr().out), "Decisions")
    assert (document["cluster"], document["action"], document["status"]) == (
        "orders",
        decided.decision.action.value,
        decided.status,
    )
    assert log.items, "the decision is recorded whether or not its event is published"
    assert [r.cluster for r in events.published] == ([] if events_fail else ["orders"])


def test_an_outcome_is_counted_and_its_notification_names_action_and_status(
    log: FakeDecisionLog, state: FakeState, execution: Execution, capsys: pytest.CaptureFixture[str]
) -> None:
    notifier = FakeNotifier()
    _planned(log, execution, status="in_progress")
    request = OutcomeRequest(
        op="outcome",
        execution=execution,
        record=KEY,
        outcome="succeeded",
        started_at=NOW,
        action="add_replicas",
    )

    record_outcome(request, RecordDeps(log, state, notifier, 90), NOW)

    (document,) = metric_named(emf(capsys.readouterr().out), "Outcomes")
    assert (document["cluster"], document["action"], document["status"]) == (
        "orders",
        "add_replicas",
        "succeeded",
    )
    (_, details), *_ = notifier.sent
    assert (details["cluster"], details["action"], details["status"]) == (
        "orders",
        "add_replicas",
        "succeeded",
    )


def test_the_failure_that_opens_the_breaker_emits_circuit_breaker_opened_once(
    log: FakeDecisionLog, state: FakeState, execution: Execution, capsys: pytest.CaptureFixture[str]
) -> None:
    notifier = FakeNotifier()
    deps = RecordDeps(log, state, notifier, 90)
    _planned(log, execution, status="in_progress")
    failed = FailureRequest.model_validate(
        {
            "op": "failure",
            "execution": execution.to_wire(),
            "input": {"cluster": "orders"},
            "state": {
                "error": {"Error": "ActionFailedError", "Cause": "InsufficientCacheClusterCapacity"},
                "observed": {"request": {"trigger": "alarm"}, "policy": {"circuitBreakerFailures": 2}},
                "decided": {"record": KEY.to_wire(), "live": True, "decision": {"action": "add_replicas"}},
            },
        }
    )

    record_failure(failed, deps, NOW)
    first = emf(capsys.readouterr().out)
    record_failure(failed, deps, NOW)
    second = emf(capsys.readouterr().out)
    record_failure(failed, deps, NOW)
    third = emf(capsys.readouterr().out)

    assert metric_named(first, "CircuitBreakerOpened") == []
    (opened,) = metric_named(second, "CircuitBreakerOpened")
    assert opened["service"] == "elasticache-autoscaler" and "cluster" not in opened
    assert metric_named(third, "CircuitBreakerOpened") == []
    (failure,) = metric_named(first, "Outcomes")
    assert (failure["action"], failure["status"]) == ("add_replicas", "failed")
    assert (notifier.sent[0][1]["action"], notifier.sent[0][1]["status"]) == ("add_replicas", "failed")
