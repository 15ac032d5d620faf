"""The decision record: one DynamoDB item per decision. A contract: later work adds attributes, never renames.

Keys: ``cluster`` (partition) and ``decidedAt`` (sort; ISO 8601 UTC, unique per execution).
``status`` moves forward only: planned -> in_progress -> succeeded | failed | skipped.

The record itself is ``decision_record.DecisionRecord`` (it carries capacities of every kind); this module
holds its key, statuses and outcome, which the lock and rotation steps use without building those models.
"""

from typing import Literal

from elasticache_autoscaler.models.base import WireModel

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
