"""The real template, state machine and handlers, deployed on the local emulator: one scenario per test."""

import json
import time
from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import Deployed

pytestmark = pytest.mark.emulator


def test_alarm_starts_one_execution_and_records_its_decision(deployed: Deployed, group_id: str) -> None:
    # Given an ecas- alarm on a member of a managed group
    alarm = deployed.put_replica_cpu_alarm(group_id, threshold=66)
    before = deployed.execution_arns()
    # When the alarm goes into ALARM
    deployed.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="ALARM", StateReason="e2e: replica CPU high"
    )
    # Then on_alarm starts one execution for the group, which records a decision triggered by the alarm
    execution_arn = deployed.wait_for_new_execution(before, timeout=30, cluster=group_id)
    assert deployed.executions_for(group_id, deployed.execution_arns() - before) == [execution_arn], (
        "expected one execution for one alarm"
    )
    described = deployed.wait(execution_arn)
    assert str(described["name"]).startswith(f"alarm-{group_id}-")
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(execution_arn)
    assert record["trigger"] == "alarm"
    assert record["reasons"]
    assert record["status"] in {"skipped", "succeeded"}


def test_manual_evaluate_in_observe_mode_records_and_changes_nothing(
    deployed: Deployed, group_id: str
) -> None:
    deployed.set_policy(group_id, {"mode": "observe"})
    execution_arn = deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    assert deployed.wait(execution_arn)["status"] == "SUCCEEDED"
    record = deployed.record_of(execution_arn)
    assert (record["mode"], record["status"], record["action"]) == ("observe", "skipped", "add_replicas")
    assert record["current"]["replicasPerShard"] == 1
    assert record["target"]["replicasPerShard"] == 2
    assert datetime.fromisoformat(record["decidedAt"]).tzinfo == UTC
    assert record["expiresAt"] > time.time()
    assert deployed.replicas(group_id) == 1
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_manual_add_replicas_in_act_mode_changes_the_group(deployed: Deployed, group_id: str) -> None:
    execution_arn = deployed.start(
        {"cluster": group_id, "action": "add_replicas", "target": 2, "dryRun": False}
    )
    assert deployed.wait(execution_arn)["status"] == "SUCCEEDED"
    record = deployed.record_of(execution_arn)
    assert (record["mode"], record["status"], record["action"]) == ("act", "succeeded", "add_replicas")
    assert record["finishedAt"] >= record["startedAt"]
    assert deployed.replicas(group_id) == 2
    assert deployed.lock_item(group_id) is None
    (call,) = deployed.emulator.mutating_calls()
    assert call["operation"] == "IncreaseReplicaCount"
    assert call["params"]["NewReplicaCount"] in (2, "2")


def test_a_second_execution_while_the_lock_is_held_is_skipped(deployed: Deployed, group_id: str) -> None:
    # Given a first execution holding the lock while its change is still running
    deployed.emulator.stick(group_id)
    first = deployed.start({"cluster": group_id, "action": "add_replicas", "target": 2, "dryRun": False})
    deadline = time.monotonic() + 30
    while deployed.lock_item(group_id) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert deployed.lock_item(group_id) is not None
    # When a second one wants to act
    second = deployed.start({"cluster": group_id, "action": "add_replicas", "target": 3, "dryRun": False})
    # Then it records "skipped" (lock held) and makes no call
    assert deployed.wait(second)["status"] == "SUCCEEDED"
    record = deployed.record_of(second)
    assert record["status"] == "skipped"
    # the engine sees the busy group or the held lock in its snapshot (or AcquireLock loses the race)
    why = " ".join([*record["reasons"], record.get("blockedBy") or "", record.get("reason") or ""])
    assert "lock" in why or "not quiescent" in why
    # And the first completes once the change finishes, and releases the lock
    deployed.emulator.stick(group_id, stuck=False)
    assert deployed.wait(first)["status"] == "SUCCEEDED"
    assert deployed.record_of(first)["status"] == "succeeded"
    assert deployed.lock_item(group_id) is None
    assert [c["operation"] for c in deployed.emulator.mutating_calls()] == ["IncreaseReplicaCount"]


def test_an_unmanaged_cluster_is_ignored(deployed: Deployed) -> None:
    deployed.create_group("unmanaged-e2e", managed=False)
    cloudwatch = deployed.client("cloudwatch")
    alarm = "ecas-unmanaged-e2e-cpu"
    cloudwatch.put_metric_alarm(
        AlarmName=alarm,
        Namespace="AWS/ElastiCache",
        MetricName="EngineCPUUtilization",
        Dimensions=[{"Name": "CacheClusterId", "Value": "unmanaged-e2e-001"}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=66,
        ComparisonOperator="GreaterThanThreshold",
    )
    before = deployed.execution_arns()
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e")
    time.sleep(3)
    # Only this group's executions count: an earlier module's alarm or the schedule may start another's.
    assert deployed.executions_for("unmanaged-e2e", deployed.execution_arns() - before) == []
    # and started by hand, it is refused by name, with nothing recorded
    described = deployed.wait(deployed.start({"cluster": "unmanaged-e2e", "action": "evaluate"}))
    assert (described["status"], described["error"]) == ("FAILED", "ClusterNotManagedError")
    assert deployed.decision_records("unmanaged-e2e") == []


@pytest.mark.parametrize(
    ("request_body", "named"),
    [
        (
            {"cluster": "{group}", "action": "add_replicas", "target": 2, "dryRun": False, "force": True},
            "force",
        ),
        ({"cluster": "{group}", "action": "add_replicas", "target": "lots", "dryRun": False}, "target"),
        ({"cluster": "{group}", "action": "make_it_faster", "dryRun": False}, "action"),
    ],
)
def test_malformed_console_input_fails_at_once_and_changes_nothing(
    deployed: Deployed, group_id: str, request_body: dict[str, object], named: str
) -> None:
    body = json.loads(json.dumps(request_body).replace("{group}", group_id))
    described = deployed.wait(deployed.start(body))
    assert (described["status"], described["error"]) == ("FAILED", "InvalidInputError")
    assert named in described["cause"]
    assert deployed.decision_records(group_id) == []
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_a_failure_in_act_is_recorded_and_releases_the_lock(deployed: Deployed, group_id: str) -> None:
    deployed.emulator.inject_fault("IncreaseReplicaCount", "InsufficientCacheClusterCapacity", count=5)
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    )
    assert described["status"] == "FAILED"
    assert described["error"] == "ActionFailedError"
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "failed"
    assert "InsufficientCacheClusterCapacity" in record["error"]
    assert deployed.lock_item(group_id) is None
    assert deployed.replicas(group_id) == 1


def _plant_lock(deployed: Deployed, group_id: str, owner: str, expires_in: int) -> None:
    deployed.client("dynamodb").put_item(
        TableName=deployed.stack.state_table,
        Item={
            "id": {"S": f"lock#{group_id}"},
            "owner": {"S": owner},
            "expiration": {"N": str(int(time.time()) + expires_in)},
        },
    )


def test_a_lock_held_by_another_execution_means_skipped_and_no_call(
    deployed: Deployed, group_id: str
) -> None:
    _plant_lock(
        deployed, group_id, "arn:aws:states:us-east-1:000000000000:execution:other:run", expires_in=600
    )
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    )
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "skipped"
    assert "lock" in " ".join([*record["reasons"], record.get("blockedBy") or ""])
    assert deployed.emulator.counters().get("__mutating__", 0) == 0
    assert deployed.lock_item(group_id)["owner"]["S"].endswith("other:run")  # type: ignore[index]


def test_an_expired_lease_does_not_block(deployed: Deployed, group_id: str) -> None:
    _plant_lock(
        deployed, group_id, "arn:aws:states:us-east-1:000000000000:execution:aborted:run", expires_in=-5
    )
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    )
    assert described["status"] == "SUCCEEDED"
    assert deployed.record_of(described["executionArn"])["status"] == "succeeded"
    assert deployed.replicas(group_id) == 2
    assert deployed.lock_item(group_id) is None
