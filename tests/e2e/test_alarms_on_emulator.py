"""Owned alarms on the deployed stack (issue 13 parts 1 and 2): reconcile makes a managed group's alarms
match its policy and members, the load fires one, the execution it starts scales out, the alarms then
cover the new member, and the scale-out still in alarm is followed up. Alarms it does not own stay.

The emulator evaluates an alarm on PutMetricAlarm and PutMetricData only (no periodic evaluation), on the
statistic of the datapoints of its last EvaluationPeriods x Period, without M of N: enough for "load ->
ALARM" here, as the load is put after the alarms exist."""

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import Deployed
from tools.stack_driver import wait_until

pytestmark = pytest.mark.emulator

OWNER_TAG = "elasticache-autoscaler:owner"
SIGNALS = ("memory", "evictions", "connections", "network-in-allowance", "network-out-allowance")


def _owner(deployed: Deployed, alarm: dict[str, Any]) -> str | None:
    tags = deployed.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    return next((t["Value"] for t in tags if t["Key"] == OWNER_TAG), None)


def _group_arn(deployed: Deployed, group_id: str) -> str:
    return str(deployed.group(group_id)["ARN"])


def test_reconcile_keeps_a_groups_alarms_in_line_with_its_policy_and_tag(
    deployed: Deployed, group_id: str
) -> None:
    # Given a managed group (1 primary, 1 replica) under the default targets
    # When reconcile runs (as its schedule does)
    deployed.reconcile()

    # Then its alarms appear: one per node and signal, the policy's thresholds and M of N, owned by the stack
    alarms = deployed.owned_alarms(group_id)
    primary, replica = f"ecas-{group_id}.{group_id}-001", f"ecas-{group_id}.{group_id}-002"
    assert set(alarms) == {f"{primary}.{s}" for s in (*SIGNALS, "write-cpu")} | {
        f"{replica}.{s}" for s in (*SIGNALS, "read-cpu")
    }
    read = alarms[f"{replica}.read-cpu"]
    assert (read["MetricName"], read["Statistic"], read["ComparisonOperator"]) == (
        "EngineCPUUtilization",
        "Maximum",
        "GreaterThanThreshold",
    )
    assert read["Threshold"] == pytest.approx(60 * 1.1)
    assert (read["EvaluationPeriods"], read["DatapointsToAlarm"], read["Period"]) == (3, 2, 60)
    assert {d["Name"]: d["Value"] for d in read["Dimensions"]} == {
        "CacheClusterId": f"{group_id}-002",
        "CacheNodeId": "0001",
    }
    assert {_owner(deployed, a) for a in alarms.values()} == {deployed.stack.name}
    # and the signals dashboard draws the group's nodes against its thresholds
    body = json.loads(
        deployed.client("cloudwatch").get_dashboard(DashboardName=f"{deployed.stack.name}-signals")[
            "DashboardBody"
        ]
    )
    (read_widget,) = [w for w in body["widgets"] if w["properties"]["title"].startswith("read-cpu ")]
    assert [f"{group_id}-002"] == [
        line[3] for line in read_widget["properties"]["metrics"] if line[3].startswith(group_id)
    ]
    assert {"label": f"{group_id} alarm threshold", "value": pytest.approx(66)} in read_widget["properties"][
        "annotations"
    ]["horizontal"]

    # When the policy changes
    deployed.set_policy(group_id, {"mode": "act", "targets": {"readCpuPercent": 50}, "tolerance": 0.2})
    deployed.reconcile()
    # Then the alarms follow it
    assert deployed.owned_alarms(group_id)[f"{replica}.read-cpu"]["Threshold"] == pytest.approx(60)

    # When the group is untagged
    elasticache = deployed.client("elasticache")
    elasticache.remove_tags_from_resource(
        ResourceName=_group_arn(deployed, group_id), TagKeys=["elasticache-autoscaler:managed"]
    )
    deployed.reconcile()
    # Then its alarms are gone
    assert deployed.owned_alarms(group_id) == {}


def test_an_alarm_the_stack_does_not_own_is_never_touched(deployed: Deployed, group_id: str) -> None:
    # Given alarms of the prefix the stack did not create: one under a name reconcile wants for the group
    # (another threshold, no owner tag), one hand-made beside it
    cloudwatch = deployed.client("cloudwatch")
    squatted = f"ecas-{group_id}.{group_id}-002.read-cpu"
    hand_made = f"ecas-{group_id}.hand.made"
    for name in (squatted, hand_made):
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/ElastiCache",
            MetricName="EngineCPUUtilization",
            Dimensions=[{"Name": "CacheClusterId", "Value": f"{group_id}-002"}],
            Statistic="Average",
            Period=300,
            EvaluationPeriods=1,
            Threshold=12.5,
            ComparisonOperator="GreaterThanThreshold",
            Tags=[{"Key": "team", "Value": "payments"}],
        )

    # When reconcile runs while the group is managed, then after it is untagged
    first = deployed.reconcile()
    deployed.client("elasticache").remove_tags_from_resource(
        ResourceName=_group_arn(deployed, group_id), TagKeys=["elasticache-autoscaler:managed"]
    )
    second = deployed.reconcile()

    # Then neither alarm was changed nor deleted, and both were reported as not owned
    alarms = deployed.owned_alarms(group_id)
    assert set(alarms) == {squatted, hand_made}
    for name in (squatted, hand_made):
        assert (alarms[name]["Threshold"], alarms[name]["Period"]) == (12.5, 300)
    assert {squatted, hand_made} <= set(first["notOwned"])
    assert {squatted, hand_made} <= set(second["notOwned"])
    cloudwatch.delete_alarms(AlarmNames=[squatted, hand_made])


def test_load_fires_an_owned_alarm_the_scale_out_is_followed_up_and_the_alarms_cover_the_new_member(
    deployed: Deployed, group_id: str
) -> None:
    # Given the group's owned alarms (scale-outs may follow each other at once)
    deployed.set_policy(
        group_id,
        {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 60, "scaleOutCooldownSeconds": 0},
    )
    deployed.reconcile()
    before = deployed.execution_arns()

    # When the replica runs hot (PutMetricData: the emulator evaluates the alarm, which goes into ALARM)
    deployed.put_load(group_id, replica_cpu=88.0)

    # Then the read-CPU alarm of the replica fires, on_alarm starts an execution, and it scales out
    fired = f"ecas-{group_id}.{group_id}-002.read-cpu"
    assert deployed.owned_alarms(group_id)[fired]["StateValue"] == "ALARM"
    first = deployed.wait_for_new_execution(before, timeout=30, cluster=group_id)
    described = deployed.wait(first)
    assert described["status"] == "SUCCEEDED" and str(described["name"]).startswith(f"alarm-{group_id}-")
    assert deployed.record_of(first)["action"] == "add_replicas"
    assert deployed.replicas(group_id) >= 2

    # And right after the change (the succeeded execution's event), the alarms cover the new member
    new_member = f"ecas-{group_id}.{group_id}-003.read-cpu"
    wait_until(lambda: new_member in deployed.owned_alarms(group_id), timeout=45)
    # And, the alarm staying in ALARM (no new event), the group is evaluated again: a follow-up
    follow_up = wait_until(
        lambda: [e for e in deployed.executions() if str(e["name"]).startswith(f"followup-{group_id}-")],
        timeout=45,
    )
    input_of = deployed.client("stepfunctions").describe_execution(executionArn=follow_up[0]["executionArn"])
    assert '"followUp": 1' in input_of["input"] and '"trigger": "alarm"' in input_of["input"]


def test_the_reconcile_role_may_change_only_alarms_of_the_prefix(deployed: Deployed) -> None:
    # Given reconcile's own role (AUTH=true: the emulator enforces the template's IAM)
    outputs = deployed.client("cloudformation").describe_stacks(StackName=deployed.stack.name)["Stacks"][0][
        "Outputs"
    ]
    (function,) = [o["OutputValue"] for o in outputs if o["OutputKey"] == "ReconcileFunctionName"]
    role = deployed.client("lambda").get_function_configuration(FunctionName=function)["Role"]
    creds = deployed.client("sts").assume_role(RoleArn=role, RoleSessionName="e2e")["Credentials"]
    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=deployed.emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    admin = deployed.client("cloudwatch")
    alarm: dict[str, Any] = {
        "Namespace": "AWS/ElastiCache",
        "MetricName": "EngineCPUUtilization",
        "Statistic": "Maximum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 50.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    admin.put_metric_alarm(AlarmName="someone-elses-alarm", **alarm)
    admin.put_metric_alarm(AlarmName="ecas-role-check.a.memory", **alarm)
    named = admin.describe_alarms(AlarmNames=["someone-elses-alarm", "ecas-role-check.a.memory"])
    arn_of = {a["AlarmName"]: a["AlarmArn"] for a in named["MetricAlarms"]}

    # Then outside the prefix: no put, no delete, no tag read
    denied: tuple[Callable[[], object], ...] = (
        lambda: cloudwatch.put_metric_alarm(AlarmName="someone-elses-alarm", **alarm),
        lambda: cloudwatch.delete_alarms(AlarmNames=["someone-elses-alarm"]),
        lambda: cloudwatch.list_tags_for_resource(ResourceARN=arn_of["someone-elses-alarm"]),
    )
    for call in denied:
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] in {"AccessDenied", "AccessDeniedException"}
    # And inside it: all three
    cloudwatch.list_tags_for_resource(ResourceARN=arn_of["ecas-role-check.a.memory"])
    cloudwatch.put_metric_alarm(AlarmName="ecas-role-check.a.memory", **alarm)
    cloudwatch.delete_alarms(AlarmNames=["ecas-role-check.a.memory"])
    admin.delete_alarms(AlarmNames=["someone-elses-alarm"])
