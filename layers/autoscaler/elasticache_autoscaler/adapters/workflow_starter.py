"""Step Functions: start one workflow execution with a deterministic name, so a duplicate starts nothing."""

import json
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.request import WorkflowRequest

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class WorkflowStarterPort(Protocol):
    def start(self, name: str, request: WorkflowRequest) -> bool: ...


class WorkflowStarter:
    def __init__(self, state_machine_arn: str, client: "SFNClient | None" = None) -> None:
        self._arn = state_machine_arn
        self._client = client or aws.stepfunctions()

    def start(self, name: str, request: WorkflowRequest) -> bool:
        """True when a new execution started; False when one with this name already exists (a duplicate)."""
        try:
            self._client.start_execution(
                stateMachineArn=self._arn,
                name=name,
                input=json.dumps(request.model_dump(mode="json", by_alias=True, exclude_defaults=False)),
            )
        except self._client.exceptions.ExecutionAlreadyExists:
            return False
        return True
