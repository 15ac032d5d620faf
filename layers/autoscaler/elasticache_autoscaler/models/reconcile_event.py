"""The events the reconcile function is started with: its own schedule's Input, or a scaling execution that
succeeded (EventBridge "Step Functions Execution Status Change"; the fields used here)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from elasticache_autoscaler.models.base import WireModel


class _Lenient(WireModel):
    model_config = WireModel.model_config | {"extra": "ignore"}


class ExecutionSucceeded(_Lenient):
    """The ``detail`` of a "Step Functions Execution Status Change" event (the fields used here)."""

    execution_arn: str
    status: Literal["SUCCEEDED"]
    input: str | None = None
    output: str | None = None


class ExecutionSucceededEvent(_Lenient):
    source: Literal["aws.states"]
    detail_type: Literal["Step Functions Execution Status Change"] = Field(alias="detail-type")
    detail: ExecutionSucceeded


class ReconcileTick(BaseModel):
    """The explicit Input the template gives the reconcile schedule."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["elasticache-autoscaler.reconcile"]


class ReconcileEvent(
    RootModel[Annotated[ReconcileTick | ExecutionSucceededEvent, Field(discriminator="source")]]
):
    pass
