"""EventBridge Scheduler tick -> one evaluation per managed cluster per time bucket."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.alarm_event import ScheduleInput
from elasticache_autoscaler.observability import logger, metrics, tracer
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.triggers import start_for_schedule


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> list[dict[str, object]]:
    parse(ScheduleInput, event)
    settings = wiring.settings()
    started = start_for_schedule(
        datetime.now(UTC),
        wiring.elasticache(),
        wiring.starter(),
        settings.managed_tag_key,
        settings.schedule_bucket_minutes,
    )
    return [s.to_wire() for s in started]
