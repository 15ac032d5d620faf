"""What the autoscaler did to a cluster recently: the engine's memory for cooldowns and anti-flapping."""

from datetime import datetime

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel


class PastDecision(WireModel):
    action: Action
    decided_at: datetime
    status: str
    finished_at: datetime | None = None


History = tuple[PastDecision, ...]
