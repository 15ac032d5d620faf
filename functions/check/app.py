"""Workflow step: has the change finished (group, shards and members available, target reached)?"""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.workflow import CheckRequest
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.check_step import check


@logger.inject_lambda_context(clear_state=True)
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    return check(parse(CheckRequest, event), wiring.elasticache(), datetime.now(UTC)).to_wire()
