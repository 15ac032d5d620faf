"""What the autoscaler did to a cluster recently: the engine's memory for cooldowns and anti-flapping."""

from datetime import datetime

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.foresight import ForecastNote

# Outcomes after which the cluster is known to be unchanged. Anything else (planned, in progress,
# succeeded, failed — a failed action may have half-happened) counts for cooldowns: the safe side.
NO_EFFECT_STATUSES = frozenset({"skipped", "blocked", "refused", "dry_run", "observed", "rejected"})


class PastDecision(WireModel):
    action: Action
    decided_at: datetime
    status: str
    finished_at: datetime | None = None
    forecast: ForecastNote | None = None
    """What that decision's forecast saw: scored by later decisions (``engine.forecast_score``)."""

    @property
    def may_have_changed_cluster(self) -> bool:
        return self.action is not Action.NONE and self.status.lower() not in NO_EFFECT_STATUSES

    @property
    def settled_at(self) -> datetime:
        """When the change took (or last could have taken) effect: cooldowns count from here."""
        return self.finished_at or self.decided_at


History = tuple[PastDecision, ...]
