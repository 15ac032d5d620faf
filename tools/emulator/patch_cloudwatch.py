"""Alarm state changes publish "CloudWatch Alarm State Change" on the default event bus, and an
alarm is evaluated on its own metric only (same dimensions).

ministack only fires SNS alarm actions. Every transition it makes (SetAlarmState, evaluation on
PutMetricAlarm / PutMetricData, composite alarms) goes through ``_dispatch_alarm_actions``; the
wrapper below publishes the EventBridge event first (whatever ActionsEnabled says, as AWS does),
with the payload shape of the AWS documentation example
(shared/reference/events/eventbridge-alarm-state-change.json, mirrored in events/alarm_state_change.json).

ministack's evaluation pools every datum of the alarm's namespace and metric name whatever its
dimensions, so one cluster's metric would move every cluster's alarm. The wrapper hands it only the
series whose dimensions equal the alarm's, as CloudWatch does.

IAM (``AUTH=true``): ministack authorizes CloudWatch calls on the alarm ARN only when the request has an
``AlarmName``; ``ListTagsForResource``/``TagResource``/``UntagResource`` (``ResourceARN``), ``DeleteAlarms``
(``AlarmNames``) and ``PutDashboard`` (``DashboardName``) were authorized on ``*``, so a policy scoped to
``arn:...:alarm:<prefix>*`` or to one dashboard refused them where AWS allows them. ``_resource_arn``
names the alarm or dashboard those calls act on (``DeleteAlarms``: AWS checks every alarm it names, this
checks the first one).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from ministack.core import iam_actions
from ministack.services import cloudwatch, eventbridge

logger = logging.getLogger("emulator.cloudwatch")

_original_dispatch = cloudwatch._dispatch_alarm_actions
# Set by install(): the resolver in place then (patch_elasticache wraps it before this one does).
_original_resource_arn: Any = None
_original_evaluate = cloudwatch._evaluate_alarm
# alarm ARN -> the state it entered last, for the next event's previousState
_last_state: dict[str, dict[str, Any]] = {}


def _timestamp(epoch: float) -> str:
    at = datetime.fromtimestamp(epoch, tz=UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"


def _metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    if not alarm.get("MetricName"):
        return []
    metric_stat: dict[str, Any] = {
        "metric": {
            "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []},
            "name": alarm["MetricName"],
            "namespace": alarm.get("Namespace", ""),
        },
        "period": alarm.get("Period", 60),
        "stat": alarm.get("ExtendedStatistic") or alarm.get("Statistic") or "Average",
    }
    if alarm.get("Unit"):
        metric_stat["unit"] = alarm["Unit"]
    return [{"id": str(uuid.uuid4()), "metricStat": metric_stat, "returnData": True}]


def alarm_event_detail(alarm: dict[str, Any], old_state: str, new_state: str, reason: str) -> dict[str, Any]:
    arn = alarm.get("AlarmArn", "")
    now = time.time()
    previous = _last_state.get(arn) or {
        "reason": "Unchecked: Initial alarm creation",
        "timestamp": _timestamp(alarm.get("AlarmConfigurationUpdatedTimestamp") or now),
        "value": old_state,
    }
    state: dict[str, Any] = {"reason": reason, "timestamp": _timestamp(now), "value": new_state}
    if alarm.get("StateReasonData"):
        state["reasonData"] = alarm["StateReasonData"]
    configuration: dict[str, Any] = {"description": alarm.get("AlarmDescription", "")}
    if alarm.get("AlarmRule"):
        configuration["alarmRule"] = alarm["AlarmRule"]
    else:
        configuration["metrics"] = _metrics(alarm)
    _last_state[arn] = state
    return {
        "alarmName": alarm.get("AlarmName", ""),
        "configuration": configuration,
        "previousState": previous,
        "state": state,
    }


def _dispatch(alarm: dict[str, Any], old_state: str, new_state: str, reason: str) -> None:
    try:
        detail = alarm_event_detail(alarm, old_state, new_state, reason)
        eventbridge._put_events(
            {
                "Entries": [
                    {
                        "Source": "aws.cloudwatch",
                        "DetailType": "CloudWatch Alarm State Change",
                        "Detail": json.dumps(detail),
                        "Resources": [alarm.get("AlarmArn", "")],
                        "EventBusName": "default",
                    }
                ]
            },
            allow_aws_source=True,
        )
    except Exception:
        logger.exception("alarm state change event failed for %s", alarm.get("AlarmName"))
    _original_dispatch(alarm, old_state, new_state, reason)


def _evaluate(alarm: dict[str, Any]) -> None:
    """Evaluate with ``_metrics`` narrowed to the alarm's exact dimensions.

    Runs on the server's event loop (CloudWatch handlers are synchronous), so swapping the module
    global for the duration of the call cannot be observed by another request.
    """
    wanted = cloudwatch._dims_key({d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []})
    everything = cloudwatch._metrics
    cloudwatch._metrics = {key: points for key, points in everything.items() if key[2] == wanted}
    try:
        _original_evaluate(alarm)
    finally:
        cloudwatch._metrics = everything


def _decoded(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        decoded = json.loads(body)
    except (ValueError, TypeError):
        try:
            import cbor2  # ministack's own dependency for smithy-rpc-v2-cbor

            decoded = cbor2.loads(body)
        except Exception:
            return {}
    return decoded if isinstance(decoded, dict) else {}


def _resource_arn(  # noqa: PLR0917 - ministack's extract_resource_arn signature
    service: str,
    method: str,
    path: str,
    headers: dict[str, Any],
    body: bytes,
    query_params: dict[str, Any],
    region: str,
    account_id: str,
) -> str:
    if service == "monitoring":
        fields = _decoded(body)

        def query(key: str) -> str:
            value = query_params.get(key, "")
            return str(value[0] if isinstance(value, list) and value else value or "")

        resource = fields.get("ResourceARN") or query("ResourceARN")
        if resource:
            return str(resource)
        dashboard = fields.get("DashboardName") or query("DashboardName")
        if dashboard:
            return f"arn:aws:cloudwatch::{account_id}:dashboard/{dashboard}"
        names = fields.get("AlarmNames") or [query("AlarmNames.member.1")]
        if names and names[0]:
            return f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{names[0]}"
    return str(_original_resource_arn(service, method, path, headers, body, query_params, region, account_id))


def install() -> None:
    global _original_resource_arn  # noqa: PLW0603 - the one resolver this patch wraps, chained at install
    _original_resource_arn = iam_actions.extract_resource_arn
    iam_actions.extract_resource_arn = _resource_arn
    cloudwatch._dispatch_alarm_actions = _dispatch
    cloudwatch._evaluate_alarm = _evaluate
