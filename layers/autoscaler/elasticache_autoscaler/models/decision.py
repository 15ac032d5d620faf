"""What the engine decided, with every reason it considered: the value the decision log stores.

Refusal shape: when a guard (paused, circuit open, not quiescent, lock held, cooldown, at bounds, out of
policy) stops an action, the decision keeps the action the engine *wanted* and sets ``blockedBy`` to a
``Blocked`` (a ``BlockedBy`` code and a detail); the decision log stores its text ``"<code>: <detail>"``.
Only ``changes_something`` decisions may be executed.
"""

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.foresight import ForecastNote


class BlockedBy(StrEnum):
    """The code in front of ``Decision.blocked_by``: what stopped the wanted action."""

    PAUSED = "paused"
    CIRCUIT_OPEN = "circuit_open"
    NOT_QUIESCENT = "not_quiescent"
    LOCK_HELD = "lock_held"
    COOLDOWN = "cooldown"
    AT_BOUNDS = "at_bounds"
    OUT_OF_POLICY = "out_of_policy"
    UNSUPPORTED = "unsupported"
    INVALID_POLICY = "invalid_policy"

    def because(self, detail: str) -> "Blocked":
        return Blocked(code=self, detail=detail)


class Blocked(WireModel):
    """What stopped the wanted action: a code to act on and the detail for people. Read ``code``, never
    parse ``str()``: that is the text the decision log shows (``"cooldown: 3 min left"``)."""

    code: BlockedBy
    detail: str

    def __str__(self) -> str:
        return f"{self.code.value}: {self.detail}"


class Capacity(WireModel):
    kind: ClassVar[CacheKind] = CacheKind.REPLICATION_GROUP

    node_type: str
    shards: int = Field(ge=1)
    replicas_per_shard: int = Field(ge=0)

    @property
    def node_count(self) -> int:
        return self.shards * (1 + self.replicas_per_shard)

    def describe(self) -> str:
        return f"{self.shards} x {self.node_type} shard(s), {self.replicas_per_shard} replica(s) each"


class Decision(WireModel):
    kind: ClassVar[CacheKind] = CacheKind.REPLICATION_GROUP

    action: Action
    current: Capacity
    target: Capacity
    reasons: tuple[str, ...] = Field(min_length=1)
    blocked_by: Blocked | None = None
    signals: dict[str, float | None] = Field(default_factory=dict)
    cost_per_hour_before: float = 0.0
    cost_per_hour_after: float = 0.0
    requested_by_operator: bool = False
    dry_run: bool = True
    """Record, never execute: the policy is in ``observe`` mode or the request asked for a dry run. The
    engine decides it, once; the workflow's mode follows it."""
    approval_required: bool = False
    """The policy asks a person to approve this action before it runs, whoever asked for it. The engine
    decides it, once."""
    shards_to_remove: tuple[str, ...] = ()
    """For ``remove_shards``: the node group ids to remove (the emptiest ones), for NodeGroupsToRemove."""
    driven_by: str | None = None
    """What drove a scale-out that no signal asked for yet: ``schedule:<name>`` (a scheduled window, active
    or about to start) or ``forecast`` (a forecast peak). None: the signals (or an operator) drove it. In
    ``forecast`` mode a forecast-driven decision is recorded as a dry run: what it *would* have done."""
    forecast: ForecastNote | None = None
    """What the forecast saw (each signal's peak, model and backtest error, or why it declined), whenever
    the snapshot carried the load history: the record a forecast is later scored on."""

    @property
    def changes_something(self) -> bool:
        return self.action is not Action.NONE and self.blocked_by is None

    @property
    def blocked_code(self) -> BlockedBy | None:
        """The code of ``blocked_by``, or None when unblocked."""
        return None if self.blocked_by is None else self.blocked_by.code
