"""Approval: tell the operators what the workflow wants to do and how to approve or reject it.

The workflow waits on the task token (``.waitForTaskToken``) until an operator answers, or the policy's
``approvalTimeoutSeconds`` pass, which counts as a rejection.
"""

import json

from elasticache_autoscaler.adapters.notifier import NotifierPort
from elasticache_autoscaler.models.approval import ApprovalRequest
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.workflow import outcomes


def approval_commands(task_token: str) -> dict[str, str]:
    token = json.dumps(task_token)
    return {
        "approve": f"aws stepfunctions send-task-success --task-token {token} "
        """--task-output '{"approved": true, "by": "<your name>"}'""",
        "reject": f"aws stepfunctions send-task-failure --task-token {token} "
        "--error Rejected --cause '<why>'",
    }


def request_approval(request: ApprovalRequest, notifier: NotifierPort) -> None:
    decision = request.decision
    subject = f"Approve {decision.action.value} on {request.record.cluster}?"
    notifier.notify(
        subject,
        {
            "cluster": request.record.cluster,
            "action": decision.action.value,
            "status": outcomes.AWAITING_APPROVAL,
            "current": decision.current.describe(),
            "target": decision.target.describe(),
            "reasons": list(decision.reasons),
            "costPerHourBefore": decision.cost_per_hour_before,
            "costPerHourAfter": decision.cost_per_hour_after,
            "execution": request.execution.arn,
            "decidedAt": request.record.decided_at,
            "answerWithinSeconds": request.timeout_seconds,
            "taskToken": request.task_token,
            "howToAnswer": approval_commands(request.task_token),
            "unanswered": "treated as rejected",
        },
    )
    logger.info("approval requested", cluster=request.record.cluster, action=decision.action.value)
