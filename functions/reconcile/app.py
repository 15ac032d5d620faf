"""Owned CloudWatch alarms in line with each managed group's policy (workflow.reconcile).

Two triggers: its own schedule (``{"source": "elasticache-autoscaler.reconcile"}``: every group) and a
scaling execution that succeeded (EventBridge "Step Functions Execution Status Change": that execution's
group, then the follow-up while its alarm is still in ALARM, workflow.follow_up)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.reconcile_event import ExecutionSucceededEvent, ReconcileEvent
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.follow_up import after_execution
from elasticache_autoscaler.workflow.reconcile import reconcile


@logger.inject_lambda_context(clear_state=True)
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    parsed = parse(ReconcileEvent, event).root
    if isinstance(parsed, ExecutionSucceededEvent):
        return after_execution(parsed, wiring.follow_up_deps()).to_wire()
    return reconcile(wiring.reconcile_deps()).to_wire()
