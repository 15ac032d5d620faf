"""The EventBridge "CloudWatch Alarm State Change" event (the fields used here). Powertools has no model for
it, and extending its EventBridgeModel would load Powertools' parser package into every cold start of the
triggers (about 3 % of a bare boto3 import's instructions) for three fields: the envelope is declared here,
as models.reconcile_event's is."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    # AWS adds fields to its events over time: read what we need, ignore the rest.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AlarmState(_Lenient):
    value: Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
    reason: str = ""
    timestamp: str


class AlarmMetric(_Lenient):
    namespace: str
    name: str
    dimensions: dict[str, str] = {}


class AlarmMetricStat(_Lenient):
    metric: AlarmMetric


class AlarmMetricQuery(_Lenient):
    id: str
    metric_stat: AlarmMetricStat | None = Field(default=None, alias="metricStat")


class AlarmConfiguration(_Lenient):
    description: str | None = None
    metrics: list[AlarmMetricQuery] = []


class AlarmStateChange(_Lenient):
    alarm_name: str = Field(alias="alarmName")
    state: AlarmState
    previous_state: AlarmState | None = Field(default=None, alias="previousState")
    configuration: AlarmConfiguration = AlarmConfiguration()

    def dimensions(self) -> dict[str, str]:
        """Every dimension of every metric the alarm watches, merged."""
        merged: dict[str, str] = {}
        for query in self.configuration.metrics:
            if query.metric_stat is not None:
                merged.update(query.metric_stat.metric.dimensions)
        return merged


class AlarmStateChangeEvent(_Lenient):
    detail_type: Literal["CloudWatch Alarm State Change"] = Field(alias="detail-type")
    source: Literal["aws.cloudwatch"]
    detail: AlarmStateChange


class ScheduleInput(BaseModel):
    """The explicit Input the template gives the EventBridge Scheduler schedule."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["elasticache-autoscaler.schedule"]
