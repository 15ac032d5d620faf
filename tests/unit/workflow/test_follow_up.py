"""After a scale-out succeeded: the group's alarms reconciled at once, and a bounded follow-up evaluation
while one of them is still in ALARM (issue 13 part 2)."""

import json

import pytest

from elasticache_autoscaler.models.reconcile_event import ExecutionSucceededEvent
from elasticache_autoscaler.models.request import MAX_FOLLOW_UPS
from elasticache_autoscaler.workflow.follow_up import (
    FollowUpDeps,
    after_execution,
    follow_up_name,
)
from elasticache_autoscaler.workflow.reconcile import ReconcileDeps, reconcile
from tests.fakes.adapters import FakeAlarmStore, FakeElastiCache, FakePolicies, FakeStarter, topology

ARN = "arn:aws:states:us-east-1:123456789012:execution:ScalingStateMachine:alarm-orders-1"


def event(action: str = "add_replicas", follow_up: int = 0, acted: bool = True) -> ExecutionSucceededEvent:
    output: dict[str, object] = {"decided": {"decision": {"action": action, "reasons": []}}}
    if acted:
        output["acted"] = {"startedAt": "2026-12-04T19:00:00Z"}
    return ExecutionSucceededEvent.model_validate(
        {
            "source": "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            "detail": {
                "executionArn": ARN,
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:ScalingStateMachine",
                "status": "SUCCEEDED",
                "input": json.dumps({"cluster": "orders", "trigger": "alarm", "followUp": follow_up}),
                "output": json.dumps(output),
            },
        }
    )


Setup = tuple[FollowUpDeps, FakeAlarmStore, FakeElastiCache, FakeStarter]


@pytest.fixture
def setup() -> Setup:
    groups = FakeElastiCache()
    groups.add(topology("orders", shards=1, replicas=1))
    store = FakeAlarmStore()
    starter = FakeStarter()
    deps = ReconcileDeps(
        groups, store, FakePolicies(), "ecas-", "stack", "elasticache-autoscaler:managed", groups
    )
    reconcile(deps)
    return FollowUpDeps(reconcile=deps, starter=starter), store, groups, starter


def test_a_scale_out_still_in_alarm_is_followed_up_once_per_execution(setup: Setup) -> None:
    deps, store, groups, starter = setup
    store.states["ecas-orders.orders-0001-002.read-cpu"] = "ALARM"
    groups.add(topology("orders", shards=1, replicas=2))  # the scale-out added a member

    result = after_execution(event(), deps)

    # the new member's alarms exist right after the change
    assert result.reconciled is not None and len(result.reconciled.created) == 6
    assert any("orders-0001-003" in name for name in store.alarms)
    # and the group is evaluated again, because its alarm stays in ALARM (no new event would come)
    name = follow_up_name("orders", ARN)
    assert result.follow_up == name and set(starter.started) == {name}
    request = starter.started[name]
    assert (request.cluster, request.trigger, request.follow_up) == ("orders", "alarm", 1)
    assert "ecas-orders.orders-0001-002.read-cpu" in (request.reason or "")
    # a duplicate delivery starts nothing new
    assert after_execution(event(), deps).why == "follow-up already started"


def test_follow_ups_are_bounded(setup: Setup) -> None:
    deps, store, _, starter = setup
    store.states["ecas-orders.orders-0001-001.memory"] = "ALARM"

    result = after_execution(event(follow_up=MAX_FOLLOW_UPS), deps)

    assert result.follow_up is None and starter.started == {}


@pytest.mark.parametrize(
    ("action", "acted"), [("none", False), ("remove_replicas", True), ("add_replicas", False)]
)
def test_only_a_scale_out_that_acted_is_followed_up(setup: Setup, action: str, acted: bool) -> None:
    deps, store, _, starter = setup
    store.states["ecas-orders.orders-0001-001.memory"] = "ALARM"

    result = after_execution(event(action, acted=acted), deps)

    assert result.follow_up is None and starter.started == {}
    assert result.reconciled is not None  # reconciled all the same


def test_no_alarm_in_alarm_no_follow_up(setup: Setup) -> None:
    deps, _, _, starter = setup

    result = after_execution(event(), deps)

    assert result.why == "no alarm of the group in ALARM" and starter.started == {}
