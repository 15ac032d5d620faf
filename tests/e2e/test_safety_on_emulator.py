"""Issue 11 on the deployed stack: guards re-checked at the moment of acting (findings 3, 4, 9), outcome truth
under throttling and hung calls (finding 5), executions that end without a Catch (finding 7)."""

import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Deployed
from tools import local_stack

pytestmark = pytest.mark.emulator

ACT = {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 60, "approvalRequired": []}
PAUSED_TAG = "elasticache-autoscaler:paused"


def _group(deployed: Deployed, managed: bool = True, **policy: Any) -> str:
    group = f"s{uuid.uuid4().hex[:10]}"
    deployed.create_group(group, managed=managed)
    deployed.set_policy(group, {**ACT, **policy})
    deployed.emulator.reset()
    return group


def _await_task_token(deployed: Deployed, execution_arn: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for note in deployed.notifications():
            if note["message"].get("execution") == execution_arn and "taskToken" in note["message"]:
                return str(note["message"]["taskToken"])
        time.sleep(0.3)
    raise TimeoutError("the workflow never asked for approval")


def _approve(deployed: Deployed, token: str) -> None:
    deployed.client("stepfunctions").send_task_success(
        taskToken=token, output=json.dumps({"approved": True, "by": "e2e"})
    )


def _mutating(deployed: Deployed) -> int:
    return int(deployed.emulator.counters().get("__mutating__", 0))


def _guards(deployed: Deployed, group: str) -> dict[str, Any]:
    item = deployed.client("dynamodb").get_item(
        TableName=deployed.stack.state_table, Key={"id": {"S": f"guards#{group}"}}, ConsistentRead=True
    )
    return dict(item.get("Item", {}))


def _until(predicate: Any, timeout: float = 45, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise TimeoutError(f"{what} not reached within {timeout}s")


@pytest.mark.parametrize("pause", ["tag", "switch"])
def test_finding3_pause_during_approval_wait_no_mutating_call(deployed: Deployed, pause: str) -> None:
    # Given a scale-out waiting for approval (Observe saw the group unpaused)
    group = _group(deployed, approvalRequired=["add_replicas"])
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    token = _await_task_token(deployed, execution_arn)
    # When an operator pauses the cluster during the wait, then someone approves
    if pause == "tag":
        deployed.client("elasticache").add_tags_to_resource(
            ResourceName=deployed.group(group)["ARN"], Tags=[{"Key": PAUSED_TAG, "Value": "true"}]
        )
    else:
        deployed.client("dynamodb").update_item(
            TableName=deployed.stack.state_table,
            Key={"id": {"S": f"guards#{group}"}},
            UpdateExpression="SET paused = :p",
            ExpressionAttributeValues={":p": {"BOOL": True}},
        )
    deployed.emulator.reset()  # the tagging is the operator's call, not the autoscaler's
    _approve(deployed, token)
    described = deployed.wait(execution_arn)
    # Then nothing is called: the decision is recorded skipped (paused), not failed, and the lock is free
    assert described["status"] == "SUCCEEDED", described.get("cause")
    record = deployed.record_of(execution_arn)
    assert record["status"] == "skipped"
    assert record["reason"].startswith("paused"), record["reason"]
    assert _mutating(deployed) == 0
    assert deployed.replicas(group) == 1
    assert deployed.lock_item(group) is None
    assert int(_guards(deployed, group).get("consecutiveFailures", {}).get("N", "0")) == 0


def test_finding4_two_concurrent_actions_exactly_one_call(deployed: Deployed) -> None:
    # Given scale_up decided on the original snapshot and waiting for approval, while add_replicas, decided
    # on the same group, runs to completion
    # (no cooldown: the planned scale_up must not stop add_replicas in Decide)
    group = _group(deployed, approvalRequired=["scale_up"], scaleOutCooldownSeconds=0)
    up = deployed.start(
        {"cluster": group, "action": "scale_up", "target": "cache.r7g.xlarge", "dryRun": False}
    )
    token = _await_task_token(deployed, up)
    add = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    assert deployed.wait(add)["status"] == "SUCCEEDED"
    # When scale_up is approved (its decision saw 1 replica)
    _approve(deployed, token)
    described = deployed.wait(up)
    # Then exactly one mutating call was made: the winner succeeded, the other was skipped with why
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert [c["operation"] for c in deployed.emulator.mutating_calls()] == ["IncreaseReplicaCount"]
    assert deployed.record_of(add)["status"] == "succeeded"
    loser = deployed.record_of(up)
    assert loser["status"] == "skipped"
    assert loser["reason"].startswith("topology_changed"), loser["reason"]
    assert deployed.group(group)["CacheNodeType"] == "cache.r7g.large"
    assert int(_guards(deployed, group).get("consecutiveFailures", {}).get("N", "0")) == 0
    assert not _guards(deployed, group).get("circuitOpen", {}).get("BOOL", False)
    assert deployed.lock_item(group) is None


def test_finding5_throttled_check_still_succeeded(deployed: Deployed) -> None:
    # Given a change in flight (the group stays modifying until we let it go)
    group = _group(deployed)
    deployed.emulator.stick(group)
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    _until(lambda: deployed.emulator.counters().get("IncreaseReplicaCount") == 1, what="the call")
    # When DescribeReplicationGroups is throttled beyond botocore's own retries during Check
    deployed.emulator.inject_fault(
        "DescribeReplicationGroups", "Throttling", count=12, message="Rate exceeded"
    )
    _until(lambda: deployed.emulator.state()["faults"] == [], what="the throttled reads")
    deployed.emulator.stick(group, stuck=False)
    described = deployed.wait(execution_arn)
    # Then the applied change is still recorded succeeded; nothing counted toward the breaker
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.record_of(execution_arn)["status"] == "succeeded"
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 1
    assert deployed.replicas(group) == 2
    assert int(_guards(deployed, group).get("consecutiveFailures", {}).get("N", "0")) == 0
    assert deployed.lock_item(group) is None


def test_finding5_hung_call_never_leads_to_a_second_mutating_call(deployed: Deployed) -> None:
    # Given IncreaseReplicaCount takes effect but its answer hangs longer than the Act function may wait
    group = _group(deployed)
    deployed.emulator.delay("IncreaseReplicaCount", 40.0)
    described = deployed.wait(
        deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False}),
        timeout=120,
    )
    # Then the retried Act re-read the group and found the change made: one call, succeeded
    assert described["status"] == "SUCCEEDED", described.get("cause")
    assert deployed.record_of(described["executionArn"])["status"] == "succeeded"
    assert deployed.emulator.counters()["IncreaseReplicaCount"] == 1
    assert _mutating(deployed) == 1
    assert deployed.replicas(group) == 2
    assert deployed.lock_item(group) is None


def _cli(deployed: Deployed, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **deployed.emulator.aws_env(),
        "PYTHONPATH": str(local_stack.REPO_ROOT / "layers" / "autoscaler"),
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "elasticache_autoscaler_cli.main",
            "guards",
            "--table",
            deployed.stack.state_table,
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_finding7_stop_execution_while_holding_lock_settles_lock(deployed: Deployed) -> None:
    # Given an execution holding the lock while it waits between checks (the change itself finished)
    group = _group(deployed, checkIntervalSeconds=600)  # 30 s with the emulator's wait scale
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    _until(lambda: deployed.emulator.counters().get("IncreaseReplicaCount") == 1, what="the call")
    _until(lambda: deployed.group(group)["Status"] == "available", what="the change")
    assert deployed.lock_item(group) is not None
    # When an operator stops it (no Catch runs)
    deployed.client("stepfunctions").stop_execution(executionArn=execution_arn, cause="e2e stop")
    # Then the execution-end handler settles the record (not in_progress) and releases the quiescent lock
    _until(lambda: deployed.record_of(execution_arn)["status"] != "in_progress", what="the record settled")
    record = deployed.record_of(execution_arn)
    assert record["status"] == "failed"
    assert "ABORTED" in record["reason"]
    _until(lambda: deployed.lock_item(group) is None, what="the lock released")
    assert int(_guards(deployed, group).get("consecutiveFailures", {}).get("N", "0")) == 0


def test_finding7_stop_while_modifying_keeps_the_lock_and_release_lock_refuses(deployed: Deployed) -> None:
    # Given an execution stopped while its change is still running
    group = _group(deployed)
    deployed.emulator.stick(group)
    execution_arn = deployed.start({"cluster": group, "action": "add_replicas", "target": 2, "dryRun": False})
    _until(lambda: deployed.emulator.counters().get("IncreaseReplicaCount") == 1, what="the call")
    deployed.client("stepfunctions").stop_execution(executionArn=execution_arn, cause="e2e stop")
    _until(lambda: deployed.record_of(execution_arn)["status"] != "in_progress", what="the record settled")
    assert deployed.record_of(execution_arn)["status"] == "failed"
    # Then the lock stays while the group is modifying, and the operator's release is refused, saying why
    time.sleep(2)
    assert deployed.lock_item(group) is not None
    refused = _cli(deployed, "--release-lock", group)
    assert refused.returncode == 3, refused.stderr
    assert "not quiescent" in refused.stderr
    assert deployed.lock_item(group) is not None
    # And once the group is quiescent the release goes through
    deployed.emulator.stick(group, stuck=False)
    _until(lambda: deployed.group(group)["Status"] == "available", what="the change")
    released = _cli(deployed, "--release-lock", group)
    assert released.returncode == 0, released.stderr
    assert json.loads(released.stdout)["released"] is True
    assert deployed.lock_item(group) is None


def _function_name(deployed: Deployed, logical_id: str) -> str:
    resource = deployed.client("cloudformation").describe_stack_resource(
        StackName=deployed.stack.name, LogicalResourceId=logical_id
    )
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])


def test_finding9_direct_act_invoke_unmanaged_refused(deployed: Deployed) -> None:
    # Given a group that is not tagged managed
    group = _group(deployed, managed=False)
    capacity = {"nodeType": "cache.r7g.large", "shards": 1, "replicasPerShard": 1}
    payload = {
        "cluster": group,
        "decision": {
            "action": "add_replicas",
            "current": capacity,
            "target": {**capacity, "replicasPerShard": 2},
            "reasons": ["direct invoke"],
            "dryRun": False,
        },
        "record": {"cluster": group, "decidedAt": "2026-12-01T00:00:00.000000Z"},
        "owner": "someone-invoking-directly",
        "policy": {"mode": "act"},
    }
    # When someone invokes the Act function directly
    answer = deployed.client("lambda").invoke(
        FunctionName=_function_name(deployed, "ActFunction"), Payload=json.dumps(payload).encode()
    )
    result = json.loads(answer["Payload"].read())
    # Then it is refused: no call
    assert answer.get("FunctionError") is None, result
    assert (result["skipped"], result["skip"]) == (True, "not_managed"), result
    assert _mutating(deployed) == 0
    assert deployed.replicas(group) == 1
