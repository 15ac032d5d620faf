"""The decision record: one DynamoDB item per decision (keys, statuses and outcomes: ``models.record``).
A contract: later work adds attributes, never renames."""

from pydantic import Field

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_decision import AnyCapacity
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.foresight import ForecastNote
from elasticache_autoscaler.models.record import Mode, Status


class DecisionRecord(WireModel):
    cluster: str
    decided_at: str
    action: Action
    current: AnyCapacity | None
    target: AnyCapacity | None
    reasons: tuple[str, ...] = Field(min_length=1)
    mode: Mode
    status: Status
    trigger: str
    execution_arn: str
    expires_at: int
    blocked_by: str | None = None
    signals: dict[str, float | None] = Field(default_factory=dict)
    cost_per_hour_before: float | None = None
    cost_per_hour_after: float | None = None
    requested_action: str | None = None
    operator_reason: str | None = None
    driven_by: str | None = None
    """``schedule:<name>`` or ``forecast``: foresight, not a signal, wanted the action (``Decision``)."""
    forecast: ForecastNote | None = None
    """What the forecast saw at decision time; later decisions score it against what happened."""
