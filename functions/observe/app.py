"""Workflow step: validate the request and take one snapshot (topology, metrics, policy, guards, history)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.workflow import ObserveInput
from elasticache_autoscaler.observability import logger, metrics, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.observe import observe


@logger.inject_lambda_context(clear_state=True, correlation_id_path="execution.arn")
@metrics.log_metrics
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    return observe(parse(ObserveInput, event), wiring.observe_deps(), datetime.now(UTC)).to_wire()
