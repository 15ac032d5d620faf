"""Workflow step: has the change finished (the cache and every part of it available, target reached)?
The kind of the target (``kinds``) reads the cache."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.check import CheckRequest
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.check_step import check_cache


@logger.inject_lambda_context(clear_state=True)
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    request = parse(CheckRequest, event)
    return check_cache(request, wiring.elasticache(), wiring.other_kinds(), datetime.now(UTC)).to_wire()
