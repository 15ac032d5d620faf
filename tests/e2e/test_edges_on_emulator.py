"""Issue 11 on the local emulator (IAM enforced): a strict console edge (finding 2) and triggers that never
crash on a missing group (finding 6), with the real handlers deployed from the real template."""

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import Deployed

SCHEDULE_INPUT = {"source": "elasticache-autoscaler.schedule"}


def _function_name(deployed: Deployed, logical_id: str) -> str:
    detail = deployed.client("cloudformation").describe_stack_resource(
        StackName=deployed.stack.name, LogicalResourceId=logical_id
    )["StackResourceDetail"]
    return str(detail["PhysicalResourceId"])


def _invoke(deployed: Deployed, logical_id: str, event: dict[str, Any]) -> tuple[str | None, Any]:
    """A synchronous invocation of a deployed handler: (FunctionError or None, the decoded payload)."""
    answer = deployed.client("lambda").invoke(
        FunctionName=_function_name(deployed, logical_id), Payload=json.dumps(event).encode()
    )
    return answer.get("FunctionError"), json.loads(answer["Payload"].read() or b"null")


def _quiesce(deployed: Deployed, timeout: float = 60) -> None:
    """Wait until no execution of the scaling workflow runs: nothing else calls ElastiCache meanwhile, so an
    injected fault meets the call it is meant for."""
    sfn = deployed.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while sfn.list_executions(stateMachineArn=deployed.stack.state_machine_arn, statusFilter="RUNNING")[
        "executions"
    ]:
        assert time.monotonic() < deadline, "executions still running"
        time.sleep(0.3)


def _alarm_event(alarm: str, group_id: str, state: str = "ALARM") -> dict[str, Any]:
    """An EventBridge "CloudWatch Alarm State Change" event, shaped as AWS documents it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": "000000000000",
        "time": "2026-12-04T12:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{alarm}"],
        "detail": {
            "alarmName": alarm,
            "state": {
                "value": state,
                "reason": "e2e",
                "timestamp": datetime.now(UTC).isoformat(),
            },
            "previousState": {"value": "OK", "reason": "e2e", "timestamp": "2026-12-04T11:00:00.000+0000"},
            "configuration": {
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ElastiCache",
                                "name": "EngineCPUUtilization",
                                "dimensions": {"ReplicationGroupId": group_id},
                            },
                            "period": 60,
                            "stat": "Maximum",
                        },
                        "returnData": True,
                    }
                ]
            },
        },
    }


# ---------- finding 2: the console edge is strict ----------


@pytest.mark.parametrize(
    ("request_body", "named"),
    [
        ({"action": "scale_up", "dryRun": "false"}, "dryRun"),
        ({"action": "add_replicas", "target": 2, "dryRun": 0}, "dryRun"),
        ({"action": "add_replicas", "target": 2, "dryRun": 1}, "dryRun"),
        ({"action": "add_replicas", "target": "2", "dryRun": False}, "target"),
    ],
)
def test_finding2_a_console_string_never_changes_a_live_group(
    deployed: Deployed, group_id: str, request_body: dict[str, Any], named: str
) -> None:
    # Given a managed group in act mode, When an operator starts the workflow with a wrongly typed field
    described = deployed.wait(deployed.start({"cluster": group_id, **request_body}))
    # Then the execution fails at once with InvalidInputError naming the field, records nothing, calls nothing
    assert (described["status"], described["error"]) == ("FAILED", "InvalidInputError")
    assert f"{named}: " in described["cause"]
    assert deployed.decision_records(group_id) == []
    assert deployed.emulator.counters().get("__mutating__", 0) == 0
    assert deployed.replicas(group_id) == 1


# ---------- finding 6 and part B: the alarm trigger ----------


def test_finding6_an_alarm_left_behind_by_a_deleted_group_is_ignored_without_a_traceback(
    deployed: Deployed,
) -> None:
    # Given an ecas- alarm on a managed group, and the group deleted since
    group = f"gone{uuid.uuid4().hex[:8]}"
    deployed.create_group(group)
    alarm = f"ecas-{group}-memory"
    deployed.client("cloudwatch").put_metric_alarm(
        AlarmName=alarm,
        Namespace="AWS/ElastiCache",
        MetricName="DatabaseMemoryUsageCountedForEvictPercentage",
        Dimensions=[{"Name": "ReplicationGroupId", "Value": group}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
    )
    deployed.client("elasticache").delete_replication_group(ReplicationGroupId=group)
    before = deployed.execution_arns()
    # When the alarm goes into ALARM (the emulator delivers it through the real EventBridge rule)
    deployed.client("cloudwatch").set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e")
    time.sleep(3)
    # Then no execution starts for it (another module's group may have one started meanwhile)
    assert deployed.executions_for(group, deployed.execution_arns() - before) == []
    # and the handler answers a logged ignore, not an exception (the same event, delivered directly)
    error, answer = _invoke(deployed, "OnAlarmFunction", _alarm_event(alarm, group))
    assert error is None, answer
    assert (answer["cluster"], answer["started"], answer["why"]) == (group, False, "cluster does not exist")
    assert deployed.executions_for(group, deployed.execution_arns() - before) == []


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_an_alarm_state_other_than_alarm_starts_nothing(
    deployed: Deployed, group_id: str, state: str
) -> None:
    before = deployed.execution_arns()
    error, answer = _invoke(
        deployed, "OnAlarmFunction", _alarm_event(f"ecas-{group_id}-cpu", group_id, state)
    )
    assert error is None, answer
    assert (answer["started"], answer["why"]) == (False, f"alarm state is {state}, not ALARM")
    assert deployed.executions_for(group_id, deployed.execution_arns() - before) == []


def test_the_same_alarm_in_alarm_state_starts_one_execution(deployed: Deployed, group_id: str) -> None:
    """The control for the two tests above: the directly delivered event does start when it should."""
    before = deployed.execution_arns()
    error, answer = _invoke(deployed, "OnAlarmFunction", _alarm_event(f"ecas-{group_id}-cpu", group_id))
    assert error is None, answer
    assert answer["started"] is True
    (started,) = deployed.executions_for(group_id, deployed.execution_arns() - before)
    assert deployed.wait(started)["status"] == "SUCCEEDED"


# ---------- finding 6: the schedule trigger ----------


def test_finding6_the_tick_starts_tagged_groups_only_without_reading_each_group(deployed: Deployed) -> None:
    # Given managed groups and an unmanaged one
    mine = {f"tick{uuid.uuid4().hex[:8]}" for _ in range(3)}
    for group in sorted(mine):
        deployed.create_group(group)
        deployed.set_policy(group, {"mode": "observe"})
    plain = f"tick{uuid.uuid4().hex[:8]}"
    deployed.create_group(plain, managed=False)
    _quiesce(deployed)
    deployed.emulator.reset()
    # When the schedule ticks
    error, tick = _invoke(deployed, "OnScheduleFunction", SCHEDULE_INPUT)
    # Then every managed group started (the Tagging API found them: issue 13) and the unmanaged one did not
    assert error is None, tick
    started = {s["cluster"] for s in tick["started"]}
    assert mine <= started
    assert plain not in started
    assert tick["failed"] == []
    assert tick["apiCalls"]["resource-groups-tagging-api.GetResources"] >= 1
    sfn = deployed.client("stepfunctions")
    for started_one in (s for s in tick["started"] if s["cluster"] in mine):
        arn = deployed.stack.state_machine_arn.replace(":stateMachine:", ":execution:")
        described = sfn.describe_execution(executionArn=f"{arn}:{started_one['executionName']}")
        assert json.loads(described["input"])["trigger"] == "schedule"


def test_finding6_a_deleted_group_is_simply_not_evaluated(deployed: Deployed) -> None:
    group = f"tick{uuid.uuid4().hex[:8]}"
    deployed.create_group(group)
    deployed.client("elasticache").delete_replication_group(ReplicationGroupId=group)
    error, tick = _invoke(deployed, "OnScheduleFunction", SCHEDULE_INPUT)
    assert error is None, tick
    assert group not in {s["cluster"] for s in tick["started"]}
    assert tick["failed"] == []


# ---------- finding 9: the deployed act policy, enforced by the emulator's IAM ----------


def _as_the_act_role(deployed: Deployed) -> Any:
    """An ElastiCache client whose caller holds exactly the deployed act role's policies (an IAM user with
    the same documents: the emulator evaluates them as it evaluates the role, aws:ResourceTag included)."""
    iam = deployed.client("iam")
    role = _function_name(deployed, "ActFunctionRole")
    user = f"act-twin-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        iam.put_user_policy(
            UserName=user,
            PolicyName=name,
            PolicyDocument=document if isinstance(document, str) else json.dumps(document),
        )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.client(
        "elasticache",
        endpoint_url=deployed.emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def _code(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def test_finding9_the_act_role_may_scale_only_managed_unpaused_groups(deployed: Deployed) -> None:
    managed, unmanaged, paused = (f"iam{uuid.uuid4().hex[:8]}" for _ in range(3))
    deployed.create_group(managed)
    deployed.create_group(unmanaged, managed=False)
    deployed.create_group(paused)
    deployed.client("elasticache").add_tags_to_resource(
        ResourceName=deployed.group(paused)["ARN"],
        Tags=[{"Key": "elasticache-autoscaler:paused", "Value": "true"}],
    )
    act = _as_the_act_role(deployed)

    def add_replica(group: str) -> str:
        return _code(
            lambda: act.increase_replica_count(
                ReplicationGroupId=group, NewReplicaCount=2, ApplyImmediately=True
            )
        )

    assert add_replica(unmanaged) == "AccessDenied"
    assert add_replica(paused) == "AccessDenied"
    assert add_replica(managed) == "ok"
    assert deployed.replicas(unmanaged) == 1
