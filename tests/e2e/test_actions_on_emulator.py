"""Every scaling action and its failure modes, on the deployed stack on the emulator."""

import json
import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Deployed

pytestmark = pytest.mark.emulator

ACT = {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 60, "approvalRequired": []}


def _group(
    deployed: Deployed, shards: int = 1, replicas: int = 1, node_type: str = "cache.r7g.large", **policy: Any
) -> str:
    group = f"a{uuid.uuid4().hex[:10]}"
    deployed.create_group(group, replicas=replicas, shards=shards, node_type=node_type)
    deployed.set_policy(group, {**ACT, **policy})
    deployed.emulator.reset()
    return group


def _run(
    deployed: Deployed, group: str, action: str, target: object = None, timeout: float = 90
) -> dict[str, Any]:
    request: dict[str, object] = {"cluster": group, "action": action, "dryRun": False}
    if target is not None:
        request["target"] = target
    return deployed.wait(deployed.start(request), timeout=timeout)


def _operations(deployed: Deployed) -> list[str]:
    return [str(c["operation"]) for c in deployed.emulator.mutating_calls()]


CASES = [
    # (shards, replicas, node type) -> action, target -> the one ElastiCache call -> what the group became
    ((1, 2, "cache.r7g.large"), "remove_replicas", 1, "DecreaseReplicaCount", {"replicas": 1}),
    ((2, 1, "cache.r7g.large"), "add_shards", 3, "ModifyReplicationGroupShardConfiguration", {"shards": 3}),
    (
        (3, 1, "cache.r7g.large"),
        "remove_shards",
        2,
        "ModifyReplicationGroupShardConfiguration",
        {"shards": 2},
    ),
    (
        (1, 1, "cache.r7g.large"),
        "scale_up",
        "cache.r7g.xlarge",
        "ModifyReplicationGroup",
        {"node": "cache.r7g.xlarge"},
    ),
    (
        (1, 1, "cache.r7g.xlarge"),
        "scale_down",
        "cache.r7g.large",
        "ModifyReplicationGroup",
        {"node": "cache.r7g.large"},
    ),
]


@pytest.mark.parametrize(("start", "action", "target", "operation", "expect"), CASES)
def test_each_action_changes_the_group_and_succeeds(  # noqa: PLR0917 - one parameter per column
    deployed: Deployed,
    start: tuple[int, int, str],
    action: str,
    target: object,
    operation: str,
    expect: dict[str, object],
) -> None:
    shards, replicas, node_type = start
    group = _group(deployed, shards=shards, replicas=replicas, node_type=node_type)
    described = _run(deployed, group, action, target)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    record = deployed.record_of(described["executionArn"])
    assert (record["status"], record["action"]) == ("succeeded", action), record["reasons"]
    assert _operations(deployed) == [operation]
    observed = {"replicas": deployed.replicas(group), "shards": deployed.shards(group)}
    observed["node"] = deployed.group(group)["CacheNodeType"]
    assert {k: observed[k] for k in expect} == expect
    assert deployed.lock_item(group) is None


def test_a_busy_answer_is_waited_out_then_the_action_succeeds(deployed: Deployed) -> None:
    group = _group(deployed)
    deployed.emulator.inject_fault("IncreaseReplicaCount", "InvalidReplicationGroupState", count=2)
    described = _run(deployed, group, "add_replicas", 2)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.record_of(described["executionArn"])["status"] == "succeeded"
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 3
    assert deployed.replicas(group) == 2


def test_throttling_is_retried(deployed: Deployed) -> None:
    group = _group(deployed)
    deployed.emulator.inject_fault("IncreaseReplicaCount", "Throttling", count=2)
    described = _run(deployed, group, "add_replicas", 2)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 3
    assert deployed.replicas(group) == 2


def test_no_operation_fault_counts_as_success(deployed: Deployed) -> None:
    # Given another writer's identical change lands just as ours is sent: ElastiCache says NoOperationFault
    group = _group(deployed)
    deployed.emulator.inject_fault("IncreaseReplicaCount", "NoOperationFault", after_applying=True)
    described = _run(deployed, group, "add_replicas", 2)
    # Then that is success, not a failure, and the workflow still waits for the group to settle
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.record_of(described["executionArn"])["status"] == "succeeded"
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 1
    assert deployed.replicas(group) == 2


def test_a_target_reached_meanwhile_is_success_without_a_call(deployed: Deployed) -> None:
    # Given a scale-out waiting for approval while someone else brings the group to the same size
    group = _group(deployed, approvalRequired=["add_replicas"])
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    token = _await_task_token(deployed, execution_arn)
    elasticache = deployed.client("elasticache")
    elasticache.increase_replica_count(ReplicationGroupId=group, NewReplicaCount=2, ApplyImmediately=True)
    deadline = time.monotonic() + 30
    while deployed.group(group)["Status"] != "available" and time.monotonic() < deadline:
        time.sleep(0.2)
    # When it is approved
    deployed.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps({"approved": True}))
    described = deployed.wait(execution_arn)
    # Then the absolute target is already met: success, and no second call
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.record_of(execution_arn)["status"] == "succeeded"
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 1
    assert deployed.replicas(group) == 2


def test_a_change_that_outlives_its_timeout_is_recorded_and_keeps_the_lock_until_quiescent(
    deployed: Deployed,
) -> None:
    group = _group(deployed, checkIntervalSeconds=20)
    deployed.emulator.stick(group)
    started = time.monotonic()
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    deadline = time.monotonic() + 150

    def status() -> str | None:
        records = [r for r in deployed.decision_records(group) if r["executionArn"] == execution_arn]
        return str(records[0]["status"]) if records else None

    while status() != "failed" and time.monotonic() < deadline:
        time.sleep(0.5)
    # The change was made and is still running: failed "timed_out: still modifying after N s", not counted
    assert time.monotonic() - started >= 60
    record = deployed.record_of(execution_arn)
    assert record["status"] == "failed"
    assert record["reason"].startswith("timed_out: still modifying after"), record["reason"]
    guards = deployed.client("dynamodb").get_item(
        TableName=deployed.stack.state_table, Key={"id": {"S": f"guards#{group}"}}, ConsistentRead=True
    )
    assert int(guards.get("Item", {}).get("consecutiveFailures", {}).get("N", "0")) == 0
    # and the lock stays while the group is modifying; released once it is quiescent
    assert deployed.lock_item(group) is not None
    deployed.emulator.stick(group, stuck=False)
    described = deployed.wait(execution_arn)
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.lock_item(group) is None
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 1


def test_an_open_circuit_breaker_makes_no_call(deployed: Deployed) -> None:
    group = _group(deployed, circuitBreakerFailures=2, scaleOutCooldownSeconds=0)
    deployed.emulator.inject_fault("IncreaseReplicaCount", "InsufficientCacheClusterCapacity", count=20)
    for _ in range(2):
        assert _run(deployed, group, "add_replicas", 2)["error"] == "ActionFailedError"
    deployed.emulator.reset()
    described = _run(deployed, group, "add_replicas", 2)
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "skipped"
    assert record["blockedBy"].startswith("circuit_open")
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_a_paused_cluster_gets_no_call(deployed: Deployed) -> None:
    group = _group(deployed)
    arn = deployed.group(group)["ARN"]
    deployed.client("elasticache").add_tags_to_resource(
        ResourceName=arn, Tags=[{"Key": "elasticache-autoscaler:paused", "Value": "true"}]
    )
    deployed.emulator.reset()  # the tagging above is not the autoscaler's call
    described = _run(deployed, group, "add_replicas", 2)
    record = deployed.record_of(described["executionArn"])
    assert (record["status"], record["blockedBy"].split(":")[0]) == ("skipped", "paused")
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def _await_task_token(deployed: Deployed, execution_arn: str) -> str:
    """The approval request as an operator receives it (SNS -> an SQS inbox), for this execution."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for note in deployed.notifications():
            if note["message"].get("execution") == execution_arn and "taskToken" in note["message"]:
                assert str(note["subject"]).startswith("Approve ")
                assert "send-task-success" in note["message"]["howToAnswer"]["approve"]
                return str(note["message"]["taskToken"])
        time.sleep(0.3)
    raise TimeoutError("the workflow never asked for approval")


@pytest.mark.parametrize("answer", ["approve", "reject"])
def test_a_risky_action_waits_for_a_person(deployed: Deployed, answer: str) -> None:
    group = _group(deployed, shards=3, approvalRequired=["remove_shards"])
    execution_arn = deployed.start(
        {"cluster": group, "action": "remove_shards", "target": 2, "dryRun": False}
    )
    token = _await_task_token(deployed, execution_arn)
    assert deployed.emulator.counters().get("__mutating__", 0) == 0
    sfn = deployed.client("stepfunctions")
    if answer == "approve":
        sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True, "by": "e2e"}))
    else:
        sfn.send_task_failure(taskToken=token, error="Rejected", cause="not during the sale")
    described = deployed.wait(execution_arn)
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(execution_arn)
    if answer == "approve":
        assert record["status"] == "succeeded"
        assert deployed.shards(group) == 2
    else:
        assert (record["status"], record["reason"]) == ("skipped", "rejected by an operator")
        assert deployed.shards(group) == 3
        assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_an_unanswered_approval_is_a_rejection(deployed: Deployed) -> None:
    group = _group(deployed, shards=3, approvalRequired=["remove_shards"], approvalTimeoutSeconds=60)
    described = _run(deployed, group, "remove_shards", 2, timeout=120)
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "skipped"
    assert "treated as rejected" in record["reason"]
    assert deployed.shards(group) == 3
