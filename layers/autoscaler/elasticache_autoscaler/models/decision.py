"""What the engine decided, with every reason it considered: the value the decision log stores."""

from pydantic import Field

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel


class Capacity(WireModel):
    node_type: str
    shards: int = Field(ge=1)
    replicas_per_shard: int = Field(ge=0)

    def describe(self) -> str:
        return f"{self.shards} x {self.node_type} shard(s), {self.replicas_per_shard} replica(s) each"


class Decision(WireModel):
    action: Action
    current: Capacity
    target: Capacity
    reasons: tuple[str, ...] = Field(min_length=1)
    blocked_by: str | None = None
    signals: dict[str, float | None] = {}
    cost_per_hour_before: float = 0.0
    cost_per_hour_after: float = 0.0
    requested_by_operator: bool = False

    @property
    def changes_something(self) -> bool:
        return self.action is not Action.NONE and self.blocked_by is None
