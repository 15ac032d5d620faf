"""Workflow step: acquire or release the per-cluster lock (a lease in the state table)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.workflow import LockRequest
from elasticache_autoscaler.observability import logger, tracer
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.lock_step import handle_lock


@logger.inject_lambda_context(clear_state=True, correlation_id_path="owner")
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    return handle_lock(
        parse(LockRequest, event),
        wiring.state_table(),
        datetime.now(UTC),
        wiring.settings().lock_lease_seconds,
    ).to_wire()
