"""Everything one decision reads, computed once: the snapshot, the policy, history, now and the signals."""

from dataclasses import dataclass
from datetime import datetime

from elasticache_autoscaler.catalog import NodeType, catalog
from elasticache_autoscaler.engine.foresight import Foresight, foresee
from elasticache_autoscaler.engine.guards import seconds_since_topology_change
from elasticache_autoscaler.engine.schedules import Floor, scheduled_floor
from elasticache_autoscaler.engine.signals import ScaleInWindow, Signals, read_scale_in_window, read_signals
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot, Topology

MAX_REPLICAS_PER_SHARD = 5  # ElastiCache's own limit


@dataclass(frozen=True, slots=True)
class Situation:
    snapshot: Snapshot
    policy: Policy
    history: History
    now: datetime
    current: Capacity
    signals: Signals
    window: ScaleInWindow
    node: NodeType | None
    """The current node type from the catalog, or None when the catalog does not know it."""
    floor: Floor
    """What the policy's schedules hold now (``engine.schedules``)."""
    foresight: Foresight | None = None
    """The forecast of each signal from the snapshot's load history (None: no history observed)."""

    @classmethod
    def of(cls, snapshot: Snapshot, policy: Policy, history: History, now: datetime) -> "Situation":
        topology = snapshot.topology
        signals = read_signals(snapshot.metrics, policy, seconds_since_topology_change(history, now))
        current = topology.capacity
        return cls(
            snapshot=snapshot,
            policy=policy,
            history=history,
            now=now,
            current=current,
            signals=signals,
            window=read_scale_in_window(snapshot.metrics, topology, policy),
            node=catalog().get(topology.node_type),
            floor=scheduled_floor(
                policy.schedules,
                now,
                current,
                topology.cluster_mode_enabled,
                memory_percent=signals.memory_max_percent,
                cooldown_minutes=policy.scale_out_cooldown_seconds / 60,
            ),
            foresight=foresee(snapshot.load_history, now),
        )

    @property
    def topology(self) -> Topology:
        return self.snapshot.topology

    @property
    def max_replicas(self) -> int:
        return min(self.policy.max_replicas_per_shard, MAX_REPLICAS_PER_SHARD)

    @property
    def replica_floor(self) -> int:
        """Fewest replicas per shard allowed: the policy's minimum, at least 1 with Multi-AZ/failover, and
        at least what a schedule holds now."""
        needs_one = self.topology.multi_az or self.topology.automatic_failover
        scheduled = self.floor.replicas_per_shard[0] if self.floor.replicas_per_shard else 0
        return max(self.policy.min_replicas_per_shard, 1 if needs_one else 0, scheduled)

    def replica_floor_reason(self) -> str:
        scheduled = self.floor.replicas_per_shard
        if scheduled is not None and scheduled[0] == self.replica_floor > self.policy.min_replicas_per_shard:
            return f"floor {self.replica_floor} (schedule {scheduled[1]})"
        if self.replica_floor > self.policy.min_replicas_per_shard:
            return f"floor {self.replica_floor} (Multi-AZ / automatic failover needs a replica)"
        return f"floor {self.replica_floor} (minReplicasPerShard)"

    @property
    def shard_floor(self) -> int:
        """Fewest shards allowed: the policy's minimum and what a schedule holds now."""
        scheduled = self.floor.shards[0] if self.floor.shards else 0
        return max(self.policy.min_shards, scheduled)

    def shard_floor_reason(self) -> str:
        scheduled = self.floor.shards
        if scheduled is not None and scheduled[0] > self.policy.min_shards:
            return f"at the floor {scheduled[0]} (schedule {scheduled[1]})"
        return f"at min {self.policy.min_shards}"
