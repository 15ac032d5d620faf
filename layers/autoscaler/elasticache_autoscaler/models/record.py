"""The decision record: one DynamoDB item per decision. A contract: later work adds attributes, never renames.

Keys: ``cluster`` (partition) and ``decidedAt`` (sort; ISO 8601 UTC, unique per execution).
``status`` moves forward only: planned -> in_progress -> succeeded | failed | skipped.
"""

from typing import Literal

from pydantic import Field

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_kind import AnyCapacity
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.foresight import ForecastNote

Status = Literal["planned", "skipped", "in_progress", "succeeded", "failed"]
Mode = Literal["observe", "act"]
OutcomeName = Literal[
    "succeeded",
    "rotated",
    "rejected",
    "approval_timed_out",
    "lock_held",
    "act_skipped",
    "throttled",
    "timed_out",
]
"""What the workflow reports happened; ``workflow.outcomes`` maps each to a status and a reason."""

# Which status each status may move to: forward only.
NEXT_STATUS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "skipped", "failed", "succeeded"}),
    "in_progress": frozenset({"succeeded", "failed", "skipped"}),
    "skipped": frozenset(),
    "succeeded": frozenset(),
    "failed": frozenset(),
}


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


class RecordKey(WireModel):
    cluster: str
    decided_at: str


class Outcome(WireModel):
    """A forward move of a record's status, with timings and the error if any."""

    status: Status
    reason: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    duration_seconds: float | None = None
    error: str | None = None
