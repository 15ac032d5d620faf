"""The approval step's request (``workflow.approval_step``): the decision, never the policy or snapshot."""

from elasticache_autoscaler.models.any_decision import AnyDecision
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.execution import Execution
from elasticache_autoscaler.models.record import RecordKey


class ApprovalRequest(WireModel):
    """Ask a person to approve a risky action; the workflow waits on ``task_token`` until they answer."""

    task_token: str
    execution: Execution
    record: RecordKey
    decision: AnyDecision
    timeout_seconds: int
