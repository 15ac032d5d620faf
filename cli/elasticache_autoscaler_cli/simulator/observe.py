"""The twin seen through AWS: the same ``Snapshot`` (topology + CloudWatch series) that ``observe`` builds.

Series use CloudWatch's metric names, one value per minute, per shard and role (the max over that role's
nodes, as the CloudWatch adapter folds them). Shard ``0001`` is the hottest shard. A shard that did not
exist for part of the window has a shorter series, as CloudWatch would return for a new node.
"""

from datetime import datetime

from elasticache_autoscaler.catalog import allowed_modifications
from elasticache_autoscaler.models.snapshot import (
    Member,
    MetricName,
    Metrics,
    MetricSeries,
    Role,
    Shard,
    Snapshot,
    Topology,
)
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, ShardMetrics, reported_cpu
from elasticache_autoscaler_cli.simulator.twin import ClusterView

GROUP_ID = "simulated"
ENGINE_VERSION = {"valkey": "8.0", "redis": "7.1"}


def shard_id(index: int) -> str:
    return f"{index + 1:04d}"


def topology_of(view: ClusterView) -> Topology:
    capacity = view.capacity
    status = "modifying" if view.modifying else "available"
    shards = []
    for s in range(capacity.shards):
        members = [Member(cluster_id=f"{GROUP_ID}-{shard_id(s)}-001", role=Role.PRIMARY, status="available")]
        members += [
            Member(cluster_id=f"{GROUP_ID}-{shard_id(s)}-{r + 2:03d}", role=Role.REPLICA, status="available")
            for r in range(capacity.replicas_per_shard)
        ]
        shards.append(Shard(shard_id=shard_id(s), status=status, members=tuple(members)))
    up, down = allowed_modifications(capacity.node_type)
    return Topology(
        replication_group_id=GROUP_ID,
        engine=view.spec.engine,
        engine_version=ENGINE_VERSION[view.spec.engine],
        cluster_mode_enabled=view.spec.cluster_mode_enabled,
        node_type=capacity.node_type,
        status=status,
        shards=tuple(shards),
        multi_az=view.spec.multi_az,
        automatic_failover=view.spec.multi_az or view.spec.cluster_mode_enabled,
        allowed_scale_up=up,
        allowed_scale_down=down,
    )


def _shard_series(window: list[GroupMetrics], index: int) -> list[ShardMetrics]:
    """The shard's metrics over the window, for the minutes in which it existed."""
    if index == 0:
        return [m.hot for m in window]
    return [m.rest for m in window if m.rest is not None and m.shards > index]


def metrics_of(view: ClusterView, window_minutes: int, now: datetime) -> Metrics:
    window = view.metrics[-window_minutes:]
    series: list[MetricSeries] = []
    for s in range(view.capacity.shards):
        points = _shard_series(window, s)
        sid = shard_id(s)

        def add(metric: MetricName, role: Role, values: tuple[float, ...], sid: str = sid) -> None:
            series.append(MetricSeries(metric=metric, shard_id=sid, role=role, values=values))

        memory = tuple(p.memory_percent for p in points)
        connections = tuple(p.connections_per_node for p in points)
        add(MetricName.MEMORY, Role.PRIMARY, memory)
        add(MetricName.EVICTIONS, Role.PRIMARY, tuple(p.evictions for p in points))
        add(MetricName.ENGINE_CPU, Role.PRIMARY, tuple(reported_cpu(p.primary_cpu) for p in points))
        add(MetricName.CONNECTIONS, Role.PRIMARY, connections)
        add(MetricName.NETWORK_IN_EXCEEDED, Role.PRIMARY, tuple(p.network_in_exceeded for p in points))
        add(MetricName.NETWORK_OUT_EXCEEDED, Role.PRIMARY, tuple(p.network_out_exceeded for p in points))
        add(MetricName.NETWORK_BYTES_IN, Role.PRIMARY, tuple(p.primary_bytes_in for p in points))
        add(MetricName.NETWORK_BYTES_OUT, Role.PRIMARY, tuple(p.primary_bytes_out for p in points))
        if view.capacity.replicas_per_shard:
            replica_points = [p for p in points if p.replica_cpu is not None]
            add(MetricName.MEMORY, Role.REPLICA, tuple(p.memory_percent for p in replica_points))
            add(
                MetricName.ENGINE_CPU,
                Role.REPLICA,
                tuple(reported_cpu(p.replica_cpu) for p in replica_points if p.replica_cpu is not None),
            )
            add(MetricName.CONNECTIONS, Role.REPLICA, tuple(p.connections_per_node for p in replica_points))
            add(MetricName.REPLICATION_LAG, Role.REPLICA, tuple(0.0 for _ in replica_points))
            add(MetricName.NETWORK_BYTES_IN, Role.REPLICA, tuple(p.replica_bytes_in for p in replica_points))
            add(
                MetricName.NETWORK_BYTES_OUT, Role.REPLICA, tuple(p.replica_bytes_out for p in replica_points)
            )
    return Metrics(period_seconds=60, window_end=now, series=tuple(series))


def snapshot_of(view: ClusterView, window_minutes: int, now: datetime) -> Snapshot:
    return Snapshot(taken_at=now, topology=topology_of(view), metrics=metrics_of(view, window_minutes, now))
