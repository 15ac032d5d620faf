"""What the group was, when: each capacity change the autoscaler made, so that a past period's load can be
read against the capacity that served it (``engine.rescale``).

Kept in the state table (``timeline#<group>``), appended by the record step when a change succeeds and
trimmed to the load history's window. A change made outside the autoscaler is not in it: periods after the
last change read as the capacity that change left.
"""

from datetime import datetime
from typing import Self

from pydantic import model_validator

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.decision import Capacity


class CapacityChange(WireModel):
    at: datetime
    """When the change was done (its record's outcome): from then on the group was ``after``."""
    before: Capacity
    after: Capacity


class CapacityTimeline(WireModel):
    changes: tuple[CapacityChange, ...] = ()
    """Oldest first."""

    @model_validator(mode="after")
    def _oldest_first(self) -> Self:
        if any(a.at > b.at for a, b in zip(self.changes, self.changes[1:], strict=False)):
            raise ValueError("changes must be oldest first")
        return self

    def appended(self, change: CapacityChange, keep_since: datetime) -> "CapacityTimeline":
        """With ``change`` added, and the changes before ``keep_since`` dropped: the first change kept still
        says, by its ``before``, what the group was before it."""
        changes = sorted((*self.changes, change), key=lambda c: c.at)
        return CapacityTimeline(changes=tuple(c for c in changes if c.at >= keep_since))

    def capacity_at(self, at: datetime) -> Capacity | None:
        """The capacity at ``at``: what the last change by then left, else what the first change after it
        started from; None when the timeline is empty (the caller uses the current topology)."""
        if not self.changes:
            return None
        done = [c for c in self.changes if c.at <= at]
        return done[-1].after if done else self.changes[0].before
