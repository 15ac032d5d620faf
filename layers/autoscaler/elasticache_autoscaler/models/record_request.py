"""The record step's two requests (``workflow.record_step``): an outcome, or a failure with whatever part of
the workflow state exists - never a policy, snapshot or decision model (issue 15, cold starts)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.execution import Execution
from elasticache_autoscaler.models.record import OutcomeName, RecordKey
from elasticache_autoscaler.models.request import CLUSTER_ID


class StepError(WireModel):
    """A Catch's error as Step Functions hands it over ({"Error": ..., "Cause": ...})."""

    error: str = Field(alias="Error")
    cause: str = Field(default="", alias="Cause")


class OutcomeRequest(WireModel):
    """Move a decision's record forward to its outcome."""

    op: Literal["outcome"]
    execution: Execution
    record: RecordKey
    outcome: OutcomeName
    """What happened; ``workflow.outcomes`` maps it to the record's status and reason."""
    detail: str | None = None
    started_at: datetime | None = None
    action: str | None = None


class _Loose(BaseModel):
    # The failure path reads whatever part of the workflow state exists when the failure happened.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, alias_generator=to_camel)


class _FailedRequest(_Loose):
    trigger: str = "console"


class _FailedObservation(_Loose):
    request: _FailedRequest


class _FailedAction(_Loose):
    action: str = "none"


class _FailedDecision(_Loose):
    record: RecordKey
    live: bool = False
    decision: _FailedAction | None = None


class _FailedPolicy(_Loose):
    circuit_breaker_failures: int = 3


class _FailedObservationWithPolicy(_FailedObservation):
    policy: _FailedPolicy | None = None


class _FailedAct(_Loose):
    outcome: str | None = None


class FailedState(_Loose):
    """The workflow state as the Catch left it: the error and whatever steps had run."""

    error: StepError | None = None
    observed: _FailedObservationWithPolicy | None = None
    decided: _FailedDecision | None = None
    acted: _FailedAct | None = None
    """Act's result when it ran: ``outcome == "called"`` means the change was sent to ElastiCache."""

    @property
    def change_happened(self) -> bool:
        """The call was made and ElastiCache did not give the change up: whatever failed afterwards (a
        Check that could not finish, a record that could not be written), the change itself happened."""
        called = self.acted is not None and self.acted.outcome == "called"
        return called and (self.error is None or self.error.error != "ActionAbandoned")


class FailedInput(_Loose):
    cluster: str | None = Field(default=None, pattern=CLUSTER_ID)


class FailureRequest(WireModel):
    """Record a failure (with or without a decision) and release this execution's lock."""

    op: Literal["failure"]
    execution: Execution
    input: FailedInput
    state: FailedState
