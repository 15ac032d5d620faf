"""Builders for engine inputs: a topology, steady metrics per shard and role, a snapshot, a history."""

from datetime import UTC, datetime, timedelta

from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.policy import Policy, Targets, family_of, size_rank
from elasticache_autoscaler.models.snapshot import (
    Guards,
    Member,
    MetricName,
    Metrics,
    MetricSeries,
    Role,
    Shard,
    Snapshot,
    Topology,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
ACT = Policy(mode="act")
AT_TARGET = Policy(mode="act", targets=Targets(cpu_scale_out_floor_percent=0.0))
"""Engine CPU scales out at target x (1 + tolerance), no floor: for rules that are not about the floor."""

PerShard = float | dict[str, float] | None


def family_types(node_type: str, up: bool) -> tuple[str, ...]:
    """The same family's larger (or smaller) sizes: what ListAllowedNodeTypeModifications lists."""
    here = size_rank(node_type) or 0
    return tuple(
        name
        for name in catalog()
        if family_of(name) == family_of(node_type)
        and ((size_rank(name) or 0) > here if up else (size_rank(name) or 0) < here)
    )


def shard_ids(count: int) -> tuple[str, ...]:
    return tuple(f"{i:04d}" for i in range(1, count + 1))


def topology(
    *,
    cluster_mode: bool = True,
    shards: int = 2,
    replicas: int = 1,
    node_type: str = "cache.r7g.large",
    multi_az: bool = True,
    status: str = "available",
    member_status: str = "available",
    pending: tuple[str, ...] = (),
    auth_token: bool = False,
    transit: bool = True,
    token_modified: datetime | None = None,
    allowed_up: tuple[str, ...] | None = None,
    allowed_down: tuple[str, ...] | None = None,
) -> Topology:
    assert cluster_mode or shards == 1
    return Topology(
        replication_group_id="orders",
        engine="valkey",
        engine_version="8.0",
        cluster_mode_enabled=cluster_mode,
        node_type=node_type,
        status=status,
        shards=tuple(
            Shard(
                shard_id=shard,
                status="available",
                members=(
                    Member(cluster_id=f"orders-{shard}-001", role=Role.PRIMARY, status=member_status),
                    *(
                        Member(
                            cluster_id=f"orders-{shard}-{r + 2:03d}", role=Role.REPLICA, status="available"
                        )
                        for r in range(replicas)
                    ),
                ),
            )
            for shard in shard_ids(shards)
        ),
        multi_az=multi_az,
        automatic_failover=multi_az,
        pending_modifications=pending,
        transit_encryption=transit,
        auth_token_enabled=auth_token,
        auth_token_last_modified=token_modified,
        allowed_scale_up=family_types(node_type, up=True) if allowed_up is None else allowed_up,
        allowed_scale_down=family_types(node_type, up=False) if allowed_down is None else allowed_down,
    )


def _value(values: PerShard, shard: str, default: float) -> float | None:
    if values is None:
        return None
    if isinstance(values, dict):
        return values.get(shard, default)
    return values


def metrics(
    topo: Topology,
    *,
    memory: PerShard = 40.0,
    write_cpu: PerShard = 30.0,
    read_cpu: PerShard = 30.0,
    connections: PerShard = 1000.0,
    evictions: PerShard = 0.0,
    network: PerShard = 0.0,
    network_bytes: PerShard = 60e6,
    lag: PerShard = 0.1,
    minutes: int = 60,
    others: float | None = None,
) -> Metrics:
    """Steady series for every shard: a number (all shards), {shard: number} (the rest get ``others`` or
    the default), or None (no data at all for that metric)."""

    def series(metric: MetricName, role: Role, values: PerShard, default: float) -> list[MetricSeries]:
        out = []
        for shard in topo.shards:
            value = _value(values, shard.shard_id, default if others is None else others)
            if value is not None:
                out.append(
                    MetricSeries(metric=metric, shard_id=shard.shard_id, role=role, values=(value,) * minutes)
                )
        return out

    low = 0.0
    every: list[MetricSeries] = []
    every += series(MetricName.MEMORY, Role.PRIMARY, memory, 40.0)
    every += series(MetricName.ENGINE_CPU, Role.PRIMARY, write_cpu, 30.0)
    if topo.replicas_per_shard > 0:
        every += series(MetricName.ENGINE_CPU, Role.REPLICA, read_cpu, 30.0)
    for role in (Role.PRIMARY, Role.REPLICA) if topo.replicas_per_shard > 0 else (Role.PRIMARY,):
        every += series(MetricName.CONNECTIONS, role, connections, 1000.0)
        every += series(MetricName.NETWORK_IN_EXCEEDED, role, network, low)
        every += series(MetricName.NETWORK_OUT_EXCEEDED, role, network, low)
        every += series(MetricName.NETWORK_BYTES_IN, role, network_bytes, 60e6)  # 8 Mbit/s
        every += series(MetricName.NETWORK_BYTES_OUT, role, network_bytes, 60e6)
    every += series(MetricName.EVICTIONS, Role.PRIMARY, evictions, low)
    if topo.replicas_per_shard > 0:
        every += series(MetricName.REPLICATION_LAG, Role.REPLICA, lag, 0.1)
    return Metrics(period_seconds=60, window_end=NOW, series=tuple(every))


def quiet(topo: Topology) -> Metrics:
    """Every signal far below its scale-in threshold for the whole window."""
    return metrics(topo, memory=10.0, write_cpu=5.0, read_cpu=5.0, connections=100.0)


def quiet_replicas(topo: Topology) -> Metrics:
    """Quiet, but memory at 40 %: a shard fewer would put 80 % (over the 75 % target) on each of the rest,
    so of the scale-ins only fewer replicas fit (on 2 shards a shard fewer would leave the cheaper group)."""
    return metrics(topo, memory=40.0, write_cpu=5.0, read_cpu=5.0, connections=100.0)


def replica_cpu(data: Metrics, values: tuple[float, ...]) -> Metrics:
    """``data`` with every replica's engine CPU series replaced by ``values``."""
    series = tuple(
        s.model_copy(update={"values": values})
        if s.metric is MetricName.ENGINE_CPU and s.role is Role.REPLICA
        else s
        for s in data.series
    )
    return data.model_copy(update={"series": series})


def snapshot(
    topo: Topology | None = None, data: Metrics | None = None, guards: Guards | None = None
) -> Snapshot:
    topo = topo or topology()
    return Snapshot(taken_at=NOW, topology=topo, metrics=data or metrics(topo), guards=guards or Guards())


def past(action: Action, minutes_ago: float, status: str = "succeeded", now: datetime = NOW) -> PastDecision:
    at = now - timedelta(minutes=minutes_ago)
    return PastDecision(action=action, decided_at=at, status=status, finished_at=at)


NO_HISTORY: History = ()
