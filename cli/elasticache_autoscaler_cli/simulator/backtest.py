"""Backtest: a real group's CloudWatch history turned into a trace, replayed through the autoscaler.

The group is read as the Lambdas read it (the runtime's ``ElastiCache.read_topology``: one
DescribeReplicationGroups, its members, the same parse), and its history with the runtime's query builder
and reader (``adapters.cloudwatch.node_queries`` / ``fetch_results``: every query batched, pages followed)
for the host-level command, memory, connection and network counters and ``IsMaster`` of every member at
1-minute resolution (CloudWatch keeps 1-minute data for 15 days). Roles come from ``IsMaster``
(``apply_roles``), never from a member's place in its shard.

Conversion to the trace format, per minute:
- ``reads_per_s``: ``GetTypeCmds`` summed over every member / 60;
- ``writes_per_s``: ``SetTypeCmds`` summed over primaries / 60 (replicas replay them);
- ``dataset_gib``: ``BytesUsedForCache`` summed over primaries;
- ``connections``: ``CurrConnections`` summed over every member;
- ``avg_item_bytes``: ``NetworkBytesOut`` over every member / commands, the wire size of an average reply.
A shard whose primary is unknown (no single ``IsMaster``=1) counts its busiest member for writes and its
largest for the dataset: a replica never reports more than its primary, so that is the primary's figure or
under it by the replication lag.
Missing minutes carry the last known value forward (the first known value backward).
The hottest shard's share of commands (median over the history) becomes ``hot_shard_share``.
"""

import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler.adapters.cloudwatch import (
    fetch_results,
    latest_is_master,
    node_queries,
    query_index,
)
from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.snapshot import Role, Shard, Topology, apply_roles
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, InputError, Trace

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_elasticache import ElastiCacheClient

GIB = 1024**3
PERIOD_SECONDS = 60
HISTORY_METRICS = (
    ("GetTypeCmds", "Sum"),
    ("SetTypeCmds", "Sum"),
    ("BytesUsedForCache", "Maximum"),
    ("CurrConnections", "Maximum"),
    ("NetworkBytesOut", "Sum"),
)
READS, WRITES, DATASET, CONNECTIONS, BYTES_OUT = range(len(HISTORY_METRICS))
DEFAULT_ITEM_BYTES = 512.0

Points = dict[tuple[int, int, int], dict[int, float]]  # (shard, member, metric) -> minute -> value


def spec_fields(topology: Topology) -> dict[str, Any]:
    """The cluster file's fields for a group as the runtime reads it."""
    return {
        "engine": topology.engine,
        "cluster_mode": "enabled" if topology.cluster_mode_enabled else "disabled",
        "node_type": topology.node_type,
        "shards": topology.shard_count,
        "replicas_per_shard": topology.replicas_per_shard,
        "multi_az": topology.multi_az,
    }


def points_from(results: Sequence[Mapping[str, Any]], start: datetime) -> Points:
    """The history's datapoints by (shard, member, metric) and minute since ``start``."""
    points: Points = {}
    for result in results:
        s, m, k = query_index(result["Id"])
        if k is None:
            continue
        series = points.setdefault((s, m, k), {})
        for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            series[int((ts - start).total_seconds() // PERIOD_SECONDS)] = value
    return points


def _filled(values: list[float | None], default: float) -> list[float]:
    known = next((v for v in values if v is not None), default)
    out = []
    for v in values:
        known = v if v is not None else known
        out.append(known)
    return out


def _total(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def _member_values(topology: Topology, points: Points, metric: int, minute: int) -> Iterator[float | None]:
    for s, shard in enumerate(topology.shards):
        for m, _ in enumerate(shard.members):
            yield points.get((s, m, metric), {}).get(minute)


def _primary_value(shard: Shard, s: int, points: Points, metric: int, minute: int) -> float | None:
    """The shard primary's value; with roles unknown, the largest over its members."""
    values = [
        points.get((s, m, metric), {}).get(minute)
        for m, member in enumerate(shard.members)
        if not shard.roles_known or member.role is Role.PRIMARY
    ]
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _primaries_total(topology: Topology, points: Points, metric: int, minute: int) -> float | None:
    return _total(_primary_value(shard, s, points, metric, minute) for s, shard in enumerate(topology.shards))


def trace_from_history(topology: Topology, points: Points, minutes: int) -> tuple[Trace, float | None]:
    """The trace and the hottest shard's median share of commands (None for a single shard). ``topology``
    has its roles resolved (``apply_roles``)."""
    if not any(points.values()):
        raise InputError("CloudWatch returned no datapoints for this group in the requested window")
    every = range(minutes)
    reads = _filled([_total(_member_values(topology, points, READS, t)) for t in every], 0.0)
    writes = _filled([_primaries_total(topology, points, WRITES, t) for t in every], 0.0)
    dataset = _filled([_primaries_total(topology, points, DATASET, t) for t in every], 0.0)
    connections = _filled([_total(_member_values(topology, points, CONNECTIONS, t)) for t in every], 0.0)
    bytes_out = [_total(_member_values(topology, points, BYTES_OUT, t)) for t in every]
    item = _filled(
        [
            None if out is None or reads[t] + writes[t] <= 0 else max(16.0, out / (reads[t] + writes[t]))
            for t, out in enumerate(bytes_out)
        ],
        DEFAULT_ITEM_BYTES,
    )
    trace = Trace(
        minutes=tuple(every),
        reads_per_s=tuple(v / PERIOD_SECONDS for v in reads),
        writes_per_s=tuple(v / PERIOD_SECONDS for v in writes),
        dataset_gib=tuple(v / GIB for v in dataset),
        connections=tuple(round(v) for v in connections),
        avg_item_bytes=tuple(item),
    )
    return trace, _hot_share(topology, points, minutes)


def _hot_share(topology: Topology, points: Points, minutes: int) -> float | None:
    shards = topology.shard_count
    if shards == 1:
        return None
    shares = []
    for t in range(minutes):
        per_shard = [
            sum(
                points.get((s, m, k), {}).get(t, 0.0)
                for m, _ in enumerate(shard.members)
                for k in (READS, WRITES)
            )
            for s, shard in enumerate(topology.shards)
        ]
        total = sum(per_shard)
        if total > 0:
            shares.append(max(per_shard) / total)
    if not shares:
        return None
    return max(1 / shards, statistics.median(shares))


def read_history(
    group_id: str,
    days: int,
    end: datetime,
    elasticache: "ElastiCacheClient",
    cloudwatch: "CloudWatchClient",
) -> tuple[Trace, ClusterSpec]:
    try:
        topology = ElastiCache(elasticache).read_topology(group_id)
    except ClusterNotFoundError as error:
        raise InputError(str(error)) from None
    end = end.replace(second=0, microsecond=0)
    start = end - timedelta(days=days)
    results = fetch_results(cloudwatch, node_queries(topology, HISTORY_METRICS, PERIOD_SECONDS), start, end)
    resolved = apply_roles(topology, latest_is_master(topology, results))
    trace, hot = trace_from_history(resolved, points_from(results, start), days * 1440)
    fields = spec_fields(resolved)
    if hot is not None and fields["cluster_mode"] == "enabled":
        fields["hot_shard_share"] = round(hot, 3)
    return trace, ClusterSpec.model_validate(fields)
