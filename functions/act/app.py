"""Workflow step: holding the lock, re-read the group, re-check every guard, make one call (or skip)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.act import ActRequest
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.act_step import act


@logger.inject_lambda_context(clear_state=True)
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    return act(parse(ActRequest, event), wiring.act_deps(), datetime.now(UTC)).to_wire()
