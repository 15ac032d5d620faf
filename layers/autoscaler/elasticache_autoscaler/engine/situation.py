"""Everything one decision reads, computed once: the snapshot, the policy, history, now and the signals."""

from dataclasses import dataclass
from datetime import datetime

from elasticache_autoscaler.catalog import NodeType, catalog
from elasticache_autoscaler.engine.guards import seconds_since_topology_change
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

    @classmethod
    def of(cls, snapshot: Snapshot, policy: Policy, history: History, now: datetime) -> "Situation":
        topology = snapshot.topology
        return cls(
            snapshot=snapshot,
            policy=policy,
            history=history,
            now=now,
            current=topology.capacity,
            signals=read_signals(snapshot.metrics, policy, seconds_since_topology_change(history, now)),
            window=read_scale_in_window(snapshot.metrics, topology, policy),
            node=catalog().get(topology.node_type),
        )

    @property
    def topology(self) -> Topology:
        return self.snapshot.topology

    @property
    def max_replicas(self) -> int:
        return min(self.policy.max_replicas_per_shard, MAX_REPLICAS_PER_SHARD)

    @property
    def replica_floor(self) -> int:
        """Fewest replicas per shard allowed: the policy's minimum, and at least 1 with Multi-AZ/failover."""
        needs_one = self.topology.multi_az or self.topology.automatic_failover
        return max(self.policy.min_replicas_per_shard, 1 if needs_one else 0)

    def replica_floor_reason(self) -> str:
        if self.replica_floor > self.policy.min_replicas_per_shard:
            return f"floor {self.replica_floor} (Multi-AZ / automatic failover needs a replica)"
        return f"floor {self.replica_floor} (minReplicasPerShard)"
