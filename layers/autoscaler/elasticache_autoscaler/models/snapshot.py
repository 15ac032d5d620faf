"""What ``observe`` saw: the group's topology, its metrics and the operator guards, at one instant."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from elasticache_autoscaler.catalog import Engine
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.load_history import LoadHistory


class Role(StrEnum):
    """A node's role in its shard.

    Cluster mode disabled: DescribeReplicationGroups' ``NodeGroupMember.CurrentRole`` says it. Cluster mode
    enabled: AWS sends no ``CurrentRole`` (botocore documents it as cluster-mode-disabled only; AWS's own
    example answer for a clustered group has none), so every member starts ``UNKNOWN`` and its role comes
    from the per-node CloudWatch metric ``IsMaster`` (1 on the primary), read in the same GetMetricData
    call as the other metrics and applied by ``apply_roles``. A role can change on failover: it is never
    kept from one snapshot to the next.
    """

    PRIMARY = "primary"
    REPLICA = "replica"
    UNKNOWN = "unknown"


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
    def replica_count(self) -> int:
        """Members minus the one primary: true whether or not the roles are known (a shard has exactly one
        primary; ElastiCache never lists a shard without its members)."""
        return max(len(self.members) - 1, 0)

    @property
    def roles_known(self) -> bool:
        """Exactly one primary and every other member a replica."""
        roles = [m.role for m in self.members]
        return roles.count(Role.PRIMARY) == 1 and roles.count(Role.UNKNOWN) == 0

    @property
    def replicas(self) -> tuple[Member, ...]:
        """The members known to be replicas (empty while the roles are unknown: count with
        ``replica_count``, never with this)."""
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
        """The smallest replica count over the shards (members - 1, roles not needed): what every shard is
        guaranteed to have."""
        return min(s.replica_count for s in self.shards)

    @property
    def shards_with_unknown_roles(self) -> tuple[str, ...]:
        """Shard ids whose primary is not known (see ``Role`` and ``apply_roles``)."""
        return tuple(s.shard_id for s in self.shards if not s.roles_known)

    @property
    def node_count(self) -> int:
        return sum(len(s.members) for s in self.shards)

    @property
    def capacity(self) -> Capacity:
        """What the group is now, in the terms a decision targets (node type, shards, replicas per shard)."""
        return Capacity(
            node_type=self.node_type, shards=self.shard_count, replicas_per_shard=self.replicas_per_shard
        )

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


IS_MASTER_METRIC = "IsMaster"
"""ElastiCache's per-node CloudWatch metric (namespace ``AWS/ElastiCache``, dimensions ``CacheClusterId`` and
``CacheNodeId``): 1 on the shard's primary, 0 on its replicas."""


def apply_roles(topology: Topology, is_master: Mapping[str, float]) -> Topology:
    """The topology with each shard's roles resolved from the latest ``IsMaster`` value per member.

    Shards whose roles are already known (cluster mode disabled: ``CurrentRole``) are kept as they are.
    A shard with unknown roles gets them when exactly one member's latest ``IsMaster`` is 1 and every other
    member's is 0. Otherwise — a member without a datapoint, no primary, or two (a failover inside the
    period) — the rule is conservative: every member of that shard stays ``UNKNOWN``. Its metrics are then
    folded under ``UNKNOWN``, which counts for the role-free signals (memory, connections, evictions,
    network allowance) but never as write (primary) nor read (replica) engine CPU: that shard's CPU is
    missing data, so it never drives a scale-in, and the decision names the shard (``rolesUnknownShards``).
    Pure: no I/O.
    """
    shards = []
    for shard in topology.shards:
        if shard.roles_known:
            shards.append(shard)
            continue
        values = [is_master.get(m.cluster_id) for m in shard.members]
        primaries = [v is not None and v >= 0.5 for v in values]  # IsMaster is 0 or 1
        if None in values or primaries.count(True) != 1:
            roles = [Role.UNKNOWN] * len(values)
        else:
            roles = [Role.PRIMARY if p else Role.REPLICA for p in primaries]
        members = tuple(m.model_copy(update={"role": r}) for m, r in zip(shard.members, roles, strict=True))
        shards.append(shard.model_copy(update={"members": members}))
    return topology.model_copy(update={"shards": tuple(shards)})


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
    is_master: dict[str, float] = Field(default_factory=dict)
    """The latest ``IsMaster`` datapoint per member cache cluster id (missing: no datapoint), for
    ``apply_roles``; one number per node, so it stays small in the workflow's state."""

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
    kind: ClassVar[CacheKind] = CacheKind.REPLICATION_GROUP

    taken_at: datetime
    topology: Topology
    metrics: Metrics
    guards: Guards = Guards()
    load_history: LoadHistory | None = None
    """The group's load over the past days at a coarse period, for the forecast (``engine.forecast``);
    None: no forecast is made."""
