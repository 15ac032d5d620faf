"""What the engine decided for a Memcached cluster or a Serverless cache, with every reason it considered.

Shaped like ``Decision`` (action, current -> target, reasons, blockedBy, signals, cost before/after, dry
run) but with the kind's own capacity: ``Decision.current``/``target`` are replication-group capacities
(shards, replicas per shard). See the module docs of ``engine.memcached`` and ``engine.serverless``.
"""

from enum import StrEnum
from typing import Literal

from pydantic import Field

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.foresight import ForecastNote
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits


class MemcachedAction(StrEnum):
    NONE = "none"
    ADD_NODES = "add_nodes"
    REMOVE_NODES = "remove_nodes"
    SCALE_UP = "scale_up"
    SCALE_DOWN = "scale_down"
    """By an operator, or by the rules once no node can be removed (``engine.memcached``, rule 5)."""


class ServerlessAction(StrEnum):
    NONE = "none"
    RAISE_LIMITS = "raise_limits"
    LOWER_LIMITS = "lower_limits"
    SET_MINIMUMS = "set_minimums"


class KindDecision(WireModel):
    reasons: tuple[str, ...] = Field(min_length=1)
    blocked_by: Blocked | None = None
    signals: dict[str, float | None] = Field(default_factory=dict)
    dry_run: bool = True
    requested_by_operator: bool = False
    approval_required: bool = False
    """The policy asks a person to approve this action first (``approvalRequired``)."""
    driven_by: str | None = None
    forecast: ForecastNote | None = None
    """As ``Decision``'s: a Serverless cache's when its policy reads the load history (the forecast of its
    ECPU/s and storage against the minimums held); a Memcached cluster's rules make no forecast: None."""

    @property
    def blocked_code(self) -> BlockedBy | None:
        return None if self.blocked_by is None else self.blocked_by.code


class MemcachedDecision(KindDecision):
    kind: Literal[CacheKind.MEMCACHED] = CacheKind.MEMCACHED
    action: MemcachedAction
    current: MemcachedCapacity
    target: MemcachedCapacity
    cost_per_hour_before: float | None = None
    cost_per_hour_after: float | None = None
    nodes_to_remove: tuple[str, ...] = ()
    """For ``remove_nodes``: the newest nodes, as ``CacheNodeIdsToRemove`` will name them."""
    cold_miss_fraction: float = Field(default=0.0, ge=0, le=1)
    """The share of the keyspace a scale-in empties (k of N nodes removed: k/N): misses until re-cached."""

    @property
    def changes_something(self) -> bool:
        return self.action is not MemcachedAction.NONE and self.blocked_by is None


class ServerlessDecision(KindDecision):
    """Costs: the ceiling is what an hour costs if the cache uses its maximums all hour (what the maximums
    cap), the floor what its minimums (and the minimum metered storage) bill even when idle."""

    kind: Literal[CacheKind.SERVERLESS] = CacheKind.SERVERLESS
    action: ServerlessAction
    current: UsageLimits
    target: UsageLimits
    ceiling_per_hour_before: float | None = None
    ceiling_per_hour_after: float | None = None
    floor_per_hour_before: float = 0.0
    floor_per_hour_after: float = 0.0

    @property
    def cost_per_hour_before(self) -> float | None:
        """The ceiling (what the maximums cap): what the decision log shows as the hourly cost."""
        return self.ceiling_per_hour_before

    @property
    def cost_per_hour_after(self) -> float | None:
        return self.ceiling_per_hour_after

    @property
    def changes_something(self) -> bool:
        return self.action is not ServerlessAction.NONE and self.blocked_by is None
