"""EventBridge "Step Functions Execution Status Change" (ABORTED, TIMED_OUT, FAILED) of the scaling workflow:
settle the execution's decision record and lock (workflow.execution_end)."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.execution_end import ExecutionEnded, settle_execution


@logger.inject_lambda_context(clear_state=True, correlation_id_path="detail.executionArn")
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    ended = parse(ExecutionEnded, event.get("detail", {}))
    return settle_execution(ended, wiring.execution_end_deps(), datetime.now(UTC)).to_wire()
