"""EventBridge Scheduler tick -> one evaluation per managed cluster per time bucket.

Answers ``{"started": [...], "ignored": [], "failed": [...], "groups": n, "apiCalls": {...},
"durationMs": n}``: the managed groups come from one Tagging API pass, their evaluations start a few at a
time, and one that fails never stops the others (the tick raises after them, to be retried)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.alarm_event import ScheduleInput
from elasticache_autoscaler.observability import logger, metrics, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.settings import OnScheduleSettings
from elasticache_autoscaler.workflow.triggers import start_for_schedule


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    parse(ScheduleInput, event)
    settings = wiring.settings(OnScheduleSettings)
    with wiring.tick_call_counter() as calls:
        tick = start_for_schedule(
            datetime.now(UTC),
            wiring.managed_groups(),
            wiring.starter(settings["STATE_MACHINE_ARN"]),
            settings["MANAGED_TAG_KEY"],
            settings["SCHEDULE_BUCKET_MINUTES"],
            api_calls=calls.counts,
        )
    return tick.to_wire()
