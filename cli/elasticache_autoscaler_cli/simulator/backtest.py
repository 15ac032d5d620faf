"""Backtest: a real group's CloudWatch history turned into a trace, replayed through the autoscaler.

One ``DescribeReplicationGroups`` for the topology, one batched ``GetMetricData`` pass (every query in one
request, pages followed with ``NextToken``) for the host-level command, memory, connection and network
counters of every member at 1-minute resolution (CloudWatch keeps 1-minute data for 15 days).

Conversion to the trace format, per minute:
- ``reads_per_s``: ``GetTypeCmds`` summed over every member / 60;
- ``writes_per_s``: ``SetTypeCmds`` summed over primaries / 60 (replicas replay them);
- ``dataset_gib``: ``BytesUsedForCache`` summed over primaries;
- ``connections``: ``CurrConnections`` summed over every member;
- ``avg_item_bytes``: ``NetworkBytesOut`` over every member / commands, the wire size of an average reply.
Missing minutes carry the last known value forward (the first known value backward).
The hottest shard's share of commands (median over the history) becomes ``hot_shard_share``.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, InputError, Trace

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef
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
DEFAULT_ITEM_BYTES = 512.0
MAX_QUERIES = 500


@dataclass(frozen=True, slots=True)
class MemberRef:
    cluster_id: str
    shard: int
    primary: bool


@dataclass(frozen=True, slots=True)
class GroupLayout:
    spec_fields: dict[str, Any]
    members: tuple[MemberRef, ...]


def layout_of(group: Mapping[str, Any]) -> GroupLayout:
    """The cluster file fields and the members of a DescribeReplicationGroups group.

    Cluster-mode-enabled groups do not report ``CurrentRole``: the first member of a node group is taken
    as its primary (it is, unless a failover happened; writes are then counted on the wrong node).
    """
    node_groups = group.get("NodeGroups") or []
    if not node_groups:
        raise InputError(f"replication group {group.get('ReplicationGroupId')!r} has no node groups")
    members = []
    for s, node_group in enumerate(node_groups):
        for m, member in enumerate(node_group.get("NodeGroupMembers") or []):
            role = member.get("CurrentRole")
            members.append(MemberRef(member["CacheClusterId"], s, role == "primary" if role else m == 0))
    replicas = min(len(ng.get("NodeGroupMembers") or []) for ng in node_groups) - 1
    engine = str(group.get("Engine", "redis")).lower()
    fields: dict[str, Any] = {
        "engine": "valkey" if engine == "valkey" else "redis",
        "cluster_mode": "enabled" if group.get("ClusterEnabled") else "disabled",
        "node_type": group.get("CacheNodeType"),
        "shards": len(node_groups),
        "replicas_per_shard": max(0, replicas),
        "multi_az": group.get("MultiAZ") == "enabled",
    }
    return GroupLayout(fields, tuple(members))


def history_queries(members: Sequence[MemberRef]) -> list["MetricDataQueryTypeDef"]:
    """One query per member and metric; the id encodes both (``m<member>_k<metric>``)."""
    queries: list[MetricDataQueryTypeDef] = []
    for m, member in enumerate(members):
        for k, (metric, stat) in enumerate(HISTORY_METRICS):
            queries.append(
                {
                    "Id": f"m{m}_k{k}",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/ElastiCache",
                            "MetricName": metric,
                            "Dimensions": [
                                {"Name": "CacheClusterId", "Value": member.cluster_id},
                                {"Name": "CacheNodeId", "Value": "0001"},
                            ],
                        },
                        "Period": PERIOD_SECONDS,
                        "Stat": stat,
                    },
                    "ReturnData": True,
                }
            )
    if len(queries) > MAX_QUERIES:
        raise InputError(f"{len(members)} members need {len(queries)} queries, more than one request's 500")
    return queries


Points = dict[tuple[int, int], dict[int, float]]  # (member, metric) -> minute -> value


def fetch_history(
    cloudwatch: "CloudWatchClient", members: Sequence[MemberRef], start: datetime, end: datetime
) -> Points:
    points: Points = {}
    queries = history_queries(members)
    token: str | None = None
    while True:
        page = (
            cloudwatch.get_metric_data(
                MetricDataQueries=queries, StartTime=start, EndTime=end, NextToken=token
            )
            if token
            else cloudwatch.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
        )
        for result in page.get("MetricDataResults", []):
            m, k = (int(part[1:]) for part in result["Id"].split("_"))
            series = points.setdefault((m, k), {})
            for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                series[int((ts - start).total_seconds() // PERIOD_SECONDS)] = value
        token = page.get("NextToken")
        if not token:
            return points


def _filled(values: list[float | None], default: float) -> list[float]:
    known = next((v for v in values if v is not None), default)
    out = []
    for v in values:
        known = v if v is not None else known
        out.append(known)
    return out


def _sum_at(points: Points, members: Sequence[int], metric: int, minute: int) -> float | None:
    found = [points[(m, metric)][minute] for m in members if minute in points.get((m, metric), {})]
    return sum(found) if found else None


def trace_from_history(layout: GroupLayout, points: Points, minutes: int) -> tuple[Trace, float | None]:
    """The trace and the hottest shard's median share of commands (None for a single shard)."""
    everyone = range(len(layout.members))
    primaries = [i for i, m in enumerate(layout.members) if m.primary]
    if not any(points.values()):
        raise InputError("CloudWatch returned no datapoints for this group in the requested window")
    reads = _filled([_sum_at(points, everyone, 0, t) for t in range(minutes)], 0.0)
    writes = _filled([_sum_at(points, primaries, 1, t) for t in range(minutes)], 0.0)
    dataset = _filled([_sum_at(points, primaries, 2, t) for t in range(minutes)], 0.0)
    connections = _filled([_sum_at(points, everyone, 3, t) for t in range(minutes)], 0.0)
    bytes_out = [_sum_at(points, everyone, 4, t) for t in range(minutes)]
    item = _filled(
        [
            None if out is None or reads[t] + writes[t] <= 0 else max(16.0, out / (reads[t] + writes[t]))
            for t, out in enumerate(bytes_out)
        ],
        DEFAULT_ITEM_BYTES,
    )
    trace = Trace(
        minutes=tuple(range(minutes)),
        reads_per_s=tuple(v / PERIOD_SECONDS for v in reads),
        writes_per_s=tuple(v / PERIOD_SECONDS for v in writes),
        dataset_gib=tuple(v / GIB for v in dataset),
        connections=tuple(round(v) for v in connections),
        avg_item_bytes=tuple(item),
    )
    return trace, _hot_share(layout, points, minutes)


def _hot_share(layout: GroupLayout, points: Points, minutes: int) -> float | None:
    shards = max(m.shard for m in layout.members) + 1
    if shards == 1:
        return None
    shares = []
    for t in range(minutes):
        per_shard = [0.0] * shards
        for i, member in enumerate(layout.members):
            per_shard[member.shard] += sum(points.get((i, k), {}).get(t, 0.0) for k in (0, 1))
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
    groups = elasticache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    layout = layout_of(dict(groups[0]))
    end = end.replace(second=0, microsecond=0)
    start = end - timedelta(days=days)
    points = fetch_history(cloudwatch, layout.members, start, end)
    trace, hot = trace_from_history(layout, points, days * 1440)
    fields = dict(layout.spec_fields)
    if hot is not None and fields["cluster_mode"] == "enabled":
        fields["hot_shard_share"] = round(hot, 3)
    return trace, ClusterSpec.model_validate(fields)
