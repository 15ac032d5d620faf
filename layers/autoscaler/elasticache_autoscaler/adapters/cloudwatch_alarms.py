"""CloudWatch metric alarms: list by name prefix, read an alarm's owner tag, put, delete; and the dashboard
of what they watch.

Only reconcile (``workflow.reconcile``) changes alarms, and only those whose owner tag names this stack."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.alarms import OWNER_TAG_KEY

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

DELETE_BATCH = 100  # DeleteAlarms' limit per call
COMPARED = (
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
)


@dataclass(frozen=True, slots=True)
class ExistingAlarm:
    name: str
    arn: str
    state: str
    configuration: dict[str, object]


def existing_from(alarm: dict[str, Any]) -> ExistingAlarm:
    """The fields reconcile compares, from one of DescribeAlarms' ``MetricAlarms``."""
    configuration = {key: alarm.get(key) for key in COMPARED}
    dimensions = alarm.get("Dimensions") or []
    configuration["Dimensions"] = [{"Name": d["Name"], "Value": d["Value"]} for d in dimensions]
    if configuration.get("Threshold") is not None:
        configuration["Threshold"] = float(configuration["Threshold"])  # type: ignore[arg-type]
    return ExistingAlarm(
        name=alarm["AlarmName"],
        arn=alarm.get("AlarmArn", ""),
        state=alarm.get("StateValue", "INSUFFICIENT_DATA"),
        configuration=configuration,
    )


class AlarmStorePort(Protocol):
    def list_alarms(self, name_prefix: str) -> dict[str, ExistingAlarm]: ...
    def owner_of(self, alarm: ExistingAlarm) -> str | None: ...
    def put(self, request: "PutMetricAlarmInputTypeDef") -> None: ...
    def delete(self, names: list[str]) -> None: ...
    def put_dashboard(self, name: str, body: dict[str, object]) -> None: ...
    @property
    def region(self) -> str: ...


class CloudWatchAlarms:
    def __init__(self, client: "CloudWatchClient | None" = None) -> None:
        self._client = client or aws.cloudwatch()

    def list_alarms(self, name_prefix: str) -> dict[str, ExistingAlarm]:
        found: dict[str, ExistingAlarm] = {}
        for page in self._client.get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=name_prefix, AlarmTypes=["MetricAlarm"]
        ):
            for alarm in page.get("MetricAlarms", []):
                existing = existing_from(dict(alarm))
                found[existing.name] = existing
        return found

    def owner_of(self, alarm: ExistingAlarm) -> str | None:
        tags = self._client.list_tags_for_resource(ResourceARN=alarm.arn).get("Tags", [])
        return next((t["Value"] for t in tags if t["Key"] == OWNER_TAG_KEY), None)

    def put(self, request: "PutMetricAlarmInputTypeDef") -> None:
        self._client.put_metric_alarm(**request)

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), DELETE_BATCH):
            self._client.delete_alarms(AlarmNames=names[start : start + DELETE_BATCH])

    def put_dashboard(self, name: str, body: dict[str, object]) -> None:
        self._client.put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))

    @property
    def region(self) -> str:
        return self._client.meta.region_name
