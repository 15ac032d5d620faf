"""What one simulation of a Memcached cluster or a Serverless cache produced: cost, breach minutes by cause,
actions, reversals, and the kind's own figure (cold misses of a Memcached cluster, throttled commands of a
Serverless cache)."""

from dataclasses import dataclass, field

from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler_cli.simulator.result import ActionRecord, count_reversals, outcome_json

KindCapacity = MemcachedCapacity | UsageLimits


@dataclass(slots=True)
class KindResult[C: KindCapacity]:
    policy: str
    kind: str
    minutes: int
    initial: C
    final: C
    cost_usd: float = 0.0
    breach_minutes: int = 0
    breach_minutes_by_cause: dict[str, int] = field(default_factory=dict)
    actions: list[ActionRecord[C]] = field(default_factory=list)
    node_hours: float = 0.0
    """Memcached: nodes billed x hours."""
    cold_misses: float = 0.0
    """Memcached: reads of a remapped key before the client re-filled it (``memcached_physics.ColdKeys``)."""
    throttled_cmds: float = 0.0
    """Serverless: commands refused above the ECPU/s maximum or its own scaling (``ThrottledCmds``)."""
    peak_ceiling_per_hour: float | None = None
    """Serverless: the most an hour could have cost under the maximums in effect (None: a maximum unset)."""

    @property
    def reversals(self) -> int:
        return count_reversals(self.actions)

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "kind": self.kind,
            "minutes": self.minutes,
            "cost_usd": round(self.cost_usd, 4),
            **outcome_json(self),
            "cold_misses": round(self.cold_misses),
            "throttled_cmds": round(self.throttled_cmds),
            "peak_ceiling_per_hour": self.peak_ceiling_per_hour,
            "initial": self.initial.describe(),
            "final": self.final.describe(),
        }


AnyKindResult = KindResult[MemcachedCapacity] | KindResult[UsageLimits]
