"""Workflow step: acquire or release the per-cluster lock (a lease in the state table)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.lock import LockRequest
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.settings import LockSettings
from elasticache_autoscaler.workflow.lock_step import handle_lock


@logger.inject_lambda_context(clear_state=True, correlation_id_path="owner")
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    settings = wiring.settings(LockSettings)
    return handle_lock(
        parse(LockRequest, event),
        wiring.state_table(settings["STATE_TABLE"]),
        datetime.now(UTC),
        settings["LOCK_LEASE_SECONDS"],
    ).to_wire()
