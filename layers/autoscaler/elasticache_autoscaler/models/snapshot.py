"""What ``observe`` saw: the group's topology, its metrics and the operator guards, at one instant."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from elasticache_autoscaler.catalog import Engine
from elasticache_autoscaler.models.base import WireModel


class Role(StrEnum):
    PRIMARY = "primary"
    REPLICA = "replica"


class MetricName(StrEnum):
    """ElastiCache's own CloudWatch metrics (namespace ``AWS/ElastiCache``) that the engine reads."""

    MEMORY = "DatabaseMemoryUsageCountedForEvictPercentage"
    EVICTIONS = "Evictions"
    ENGINE_CPU = "EngineCPUUtilization"
    CONNECTIONS = "CurrConnections"
    NETWORK_IN_EXCEEDED = "NetworkBandwidthInAllowanceExceeded"
    NETWORK_OUT_EXCEEDED = "NetworkBandwidthOutAllowanceExceeded"
    NETWORK_BYTES_IN = "NetworkBytesIn"
    NETWORK_BYTES_OUT = "NetworkBytesOut"
    REPLICATION_LAG = "ReplicationLag"


class Member(WireModel):
    cluster_id: str
    role: Role
    status: str
    availability_zone: str | None = None


class Shard(WireModel):
    shard_id: str
    status: str
    members: tuple[Member, ...]

    @property
    def replicas(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.role is Role.REPLICA)


class Topology(WireModel):
    replication_group_id: str
    engine: Engine
    engine_version: str
    cluster_mode_enabled: bool
    node_type: str
    status: str
    shards: tuple[Shard, ...] = Field(min_length=1)
    multi_az: bool
    automatic_failover: bool
    pending_modifications: tuple[str, ...] = ()
    transit_encryption: bool = False
    auth_token_enabled: bool = False
    auth_token_last_modified: datetime | None = None
    user_group_ids: tuple[str, ...] = ()
    allowed_scale_up: tuple[str, ...] = ()
    allowed_scale_down: tuple[str, ...] = ()

    @property
    def shard_count(self) -> int:
        return len(self.shards)

    @property
    def replicas_per_shard(self) -> int:
        """The smallest replica count over the shards: what every shard is guaranteed to have."""
        return min(len(s.replicas) for s in self.shards)

    @property
    def node_count(self) -> int:
        return sum(len(s.members) for s in self.shards)

    def not_quiescent_because(self) -> str | None:
        """Why the group cannot be changed now, or None when it, every shard and every member is idle."""
        if self.status != "available":
            return f"replication group is {self.status}"
        if self.pending_modifications:
            return f"pending modifications: {', '.join(self.pending_modifications)}"
        for shard in self.shards:
            if shard.status != "available":
                return f"shard {shard.shard_id} is {shard.status}"
            for member in shard.members:
                if member.status != "available":
                    return f"member {member.cluster_id} is {member.status}"
        return None


class MetricSeries(WireModel):
    """One metric of one shard and role: the per-period maximum over that role's nodes, oldest first.

    An empty ``values`` means CloudWatch returned no datapoints: missing data, never a reason to scale in.
    """

    metric: MetricName
    shard_id: str
    role: Role
    values: tuple[float, ...] = ()


class Metrics(WireModel):
    period_seconds: int = 60
    window_end: datetime
    series: tuple[MetricSeries, ...] = ()

    def values(self, metric: MetricName, role: Role | None = None) -> dict[str, tuple[float, ...]]:
        """The series of ``metric`` by shard id, merged (max per period) over roles unless one is named."""
        merged: dict[str, list[float]] = {}
        for s in self.series:
            if s.metric is not metric or (role is not None and s.role is not role):
                continue
            current = merged.setdefault(s.shard_id, [])
            for i, v in enumerate(s.values):
                if i < len(current):
                    current[i] = max(current[i], v)
                else:
                    current.append(v)
        return {shard: tuple(vs) for shard, vs in merged.items()}


class Guards(WireModel):
    """Operator switches and workflow state that may forbid acting, read from the state table."""

    paused: bool = False
    circuit_open: bool = False
    consecutive_failures: int = 0
    lock_held_by: str | None = None


class Snapshot(WireModel):
    taken_at: datetime
    topology: Topology
    metrics: Metrics
    guards: Guards = Guards()
