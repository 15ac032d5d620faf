"""Workflow step: read the stored observation back, run the decision engine and write the decision record."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.workflow import Observation
from elasticache_autoscaler.observability import logger, metrics, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.decide_step import decide_step


@logger.inject_lambda_context(clear_state=True, correlation_id_path="execution.arn")
@metrics.log_metrics
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    decided = decide_step(parse(Observation, event), wiring.decide_deps(), datetime.now(UTC))
    metrics.add_dimension(name="action", value=decided.decision.action.value)
    metrics.add_metric(name=f"Decision_{decided.status}", unit=MetricUnit.Count, value=1)
    logger.info("decided", action=decided.decision.action.value, status=decided.status, mode=decided.mode)
    return decided.to_wire()
