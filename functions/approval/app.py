"""Workflow step: ask the operators (SNS) to approve a risky action; the workflow waits on the task token."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler import wiring
from elasticache_autoscaler.models.approval import ApprovalRequest
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.settings import ApprovalSettings
from elasticache_autoscaler.workflow.approval_step import request_approval


@logger.inject_lambda_context(clear_state=True, correlation_id_path="execution.arn")
@trace_lambda_handler()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    topic_arn = wiring.settings(ApprovalSettings)["NOTIFICATION_TOPIC_ARN"]
    request_approval(parse(ApprovalRequest, event), wiring.notifier(topic_arn))
