"""A CloudWatch alarm state change reaches an EventBridge rule's Lambda target with the AWS payload."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

PATTERN = {
    "source": ["aws.cloudwatch"],
    "detail-type": ["CloudWatch Alarm State Change"],
    "detail": {"alarmName": [{"prefix": "ecas-"}], "state": {"value": ["ALARM"]}},
}


def _recorded_events(logs: Any, expected: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = []
        if logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/record")["logGroups"]:
            for stream in logs.describe_log_streams(logGroupName="/aws/lambda/record")["logStreams"]:
                events = logs.get_log_events(
                    logGroupName="/aws/lambda/record", logStreamName=stream["logStreamName"]
                )
                found += [
                    json.loads(e["message"][len("EVENT ") :])
                    for e in events["events"]
                    if e["message"].startswith("EVENT ")
                ]
        if len(found) >= expected:
            return found
        time.sleep(0.2)
    return found


def _alarm(cw: Any, name: str) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        AlarmDescription="memory",
        Namespace="AWS/ElastiCache",
        MetricName="DatabaseMemoryUsageCountedForEvictPercentage",
        Dimensions=[{"Name": "ReplicationGroupId", "Value": "orders"}],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=80,
        ComparisonOperator="GreaterThanThreshold",
    )


def test_alarm_state_change_is_delivered_to_the_rule_target(
    functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    events, cw = client("events"), client("cloudwatch")
    events.put_rule(Name="ecas-alarms", EventPattern=json.dumps(PATTERN))
    events.put_targets(Rule="ecas-alarms", Targets=[{"Id": "record", "Arn": functions["record"]}])
    _alarm(cw, "ecas-orders-memory-high")
    _alarm(cw, "someone-else-memory-high")

    cw.set_alarm_state(AlarmName="someone-else-memory-high", StateValue="ALARM", StateReason="not ours")
    cw.set_alarm_state(AlarmName="ecas-orders-memory-high", StateValue="OK", StateReason="fine")
    cw.set_alarm_state(
        AlarmName="ecas-orders-memory-high", StateValue="ALARM", StateReason="Threshold Crossed"
    )
    delivered = _recorded_events(client("logs"), expected=1)
    time.sleep(0.5)
    delivered = _recorded_events(client("logs"), expected=1)

    assert len(delivered) == 1
    event = delivered[0]
    assert event["source"] == "aws.cloudwatch"
    assert event["detail-type"] == "CloudWatch Alarm State Change"
    assert event["resources"] == ["arn:aws:cloudwatch:us-east-1:000000000000:alarm:ecas-orders-memory-high"]
    detail = event["detail"]
    assert detail["alarmName"] == "ecas-orders-memory-high"
    assert detail["state"]["value"] == "ALARM"
    assert detail["state"]["reason"] == "Threshold Crossed"
    assert detail["state"]["timestamp"].endswith("+0000")
    assert detail["previousState"]["value"] == "OK"
    assert detail["previousState"]["reason"] == "fine"
    assert detail["configuration"]["description"] == "memory"
    metric = detail["configuration"]["metrics"][0]["metricStat"]
    assert metric["metric"] == {
        "namespace": "AWS/ElastiCache",
        "name": "DatabaseMemoryUsageCountedForEvictPercentage",
        "dimensions": {"ReplicationGroupId": "orders"},
    }
    assert metric["period"] == 60
    assert metric["stat"] == "Maximum"


def test_metric_data_moves_only_the_alarm_with_the_same_dimensions(client: Callable[[str], Any]) -> None:
    cw = client("cloudwatch")
    for group in ("dims-a", "dims-b"):
        cw.put_metric_alarm(
            AlarmName=f"ecas-{group}-cpu",
            Namespace="AWS/ElastiCache",
            MetricName="EngineCPUUtilization",
            Dimensions=[{"Name": "ReplicationGroupId", "Value": group}],
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=80,
            ComparisonOperator="GreaterThanThreshold",
        )

    cw.put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[
            {
                "MetricName": "EngineCPUUtilization",
                "Dimensions": [{"Name": "ReplicationGroupId", "Value": "dims-a"}],
                "Value": 95.0,
            }
        ],
    )

    alarms = cw.describe_alarms(AlarmNamePrefix="ecas-dims-")["MetricAlarms"]
    assert {a["AlarmName"]: a["StateValue"] for a in alarms} == {
        "ecas-dims-a-cpu": "ALARM",
        "ecas-dims-b-cpu": "INSUFFICIENT_DATA",
    }
