"""The credential rotation workflow's wire models. They carry secret ARNs and version ids, never a secret.

``RotationRequest`` is the contract with the scaling workflow (its ``Rotate`` state starts the rotation
state machine with it); every later step gets the ``RotationPlan`` that ``prepare`` made, plus the
staged credentials (``stage``).
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.record import RecordKey

RotationAction = Literal["rotate_auth_token", "rotate_user_password"]
CredentialKind = Literal["auth_token", "user_password"]
Verification = Literal["verified", "not verified: no network path"]


class RotationRequest(WireModel):
    """What the scaling workflow passes to the rotation state machine (no secret, no version id)."""

    cluster: str = Field(min_length=1, max_length=40)
    action: RotationAction
    users: tuple[str, ...] = ()
    record: RecordKey
    parent_execution_arn: str


class Credential(WireModel):
    """One credential being rotated: the group's AUTH token or one RBAC user's password."""

    kind: CredentialKind
    secret_arn: str
    user_id: str | None = None
    user_name: str | None = None
    version_id: str | None = Field(default=None, description="the new version, once staged")


class RotationPlan(WireModel):
    """What ``prepare`` resolved: the credentials, their secrets and the timings from the policy."""

    cluster: str
    action: RotationAction
    credentials: tuple[Credential, ...]
    grace_period_seconds: int
    check_interval_seconds: int
    timeout_seconds: int
    started_at: datetime
    record: RecordKey
    resumed: bool = False


class RotationExecution(WireModel):
    arn: str
    started_at: datetime


class PrepareStep(WireModel):
    step: Literal["prepare"]
    request: RotationRequest
    execution: RotationExecution


class CredentialStep(WireModel):
    """Every step after ``prepare``: the plan and (once staged) the credentials with their version ids."""

    step: Literal["stage", "apply", "check_applied", "verify", "promote", "finalize", "check_finalized"]
    plan: RotationPlan
    credentials: tuple[Credential, ...] | None = None
    since: datetime | None = None

    @property
    def staged(self) -> tuple[Credential, ...]:
        return self.credentials if self.credentials is not None else self.plan.credentials


class RotationStep(RootModel[Annotated[PrepareStep | CredentialStep, Field(discriminator="step")]]):
    """The rotation function's event: one of the steps, chosen by ``step``."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class StageResult(WireModel):
    credentials: tuple[Credential, ...]


class ApplyResult(WireModel):
    started_at: datetime
    calls: int = Field(description="how many ElastiCache calls this attempt made (0: already applied)")


class RotationCheckResult(WireModel):
    done: bool
    timed_out: bool
    waiting_for: str | None = None


class VerifyResult(WireModel):
    summary: str
    verified: tuple[Verification, ...]


class PromoteResult(WireModel):
    promoted: int


class FinalizeResult(WireModel):
    started_at: datetime
    calls: int
