"""EventBridge "CloudWatch Alarm State Change" -> one workflow execution for the managed cluster."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.alarm_event import AlarmStateChangeEvent
from elasticache_autoscaler.observability import logger, metrics, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.settings import OnAlarmSettings
from elasticache_autoscaler.workflow.triggers import start_for_alarm


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    alarm = parse(AlarmStateChangeEvent, event).detail
    settings = wiring.settings(OnAlarmSettings)
    started = start_for_alarm(
        alarm,
        wiring.elasticache(),
        wiring.starter(settings["STATE_MACHINE_ARN"]),
        settings["ALARM_PREFIX"],
        settings["MANAGED_TAG_KEY"],
        other_kinds=wiring.other_kinds(),
    )
    return started.to_wire()
