"""Workflow step: write an outcome, or a failure, to the decision log; notify (the lock step releases)."""

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, RootModel

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.record_request import FailureRequest, OutcomeRequest
from elasticache_autoscaler.observability import logger, metrics, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.record_step import record_failure, record_outcome


class RecordEvent(RootModel[Annotated[OutcomeRequest | FailureRequest, Field(discriminator="op")]]):
    pass


@logger.inject_lambda_context(clear_state=True, correlation_id_path="execution.arn")
@metrics.log_metrics
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object] | None:
    request = parse(RecordEvent, event).root
    now = datetime.now(UTC)
    key: RecordKey | None
    if isinstance(request, OutcomeRequest):
        key = record_outcome(request, wiring.record_deps(), now)
        metrics.add_dimension(name="action", value=request.action or "none")
        metrics.add_metric(
            name=f"Outcome_{request.outcome or request.status}", unit=MetricUnit.Count, value=1
        )
    else:
        key = record_failure(request, wiring.record_deps(), now)
        metrics.add_metric(name="Outcome_failed", unit=MetricUnit.Count, value=1)
    return key.to_wire() if key else None
