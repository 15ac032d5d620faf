"""CloudWatch: every metric the engine reads, for every node of the group, in one GetMetricData call per 500
series (one call for any group of up to 50 nodes: 9 metrics per node, and ``IsMaster`` where roles are
unknown).

``IsMaster`` (1 on a shard's primary) gives each node its role in cluster mode enabled, where
DescribeReplicationGroups has no ``CurrentRole``: its latest datapoint per node is kept in
``Metrics.is_master`` and ``apply_roles`` resolves the topology's roles before the series are folded per
role, so a replica's CPU is never read as write CPU.

The forecast's load history (``read_load_history``) is a second read through the same query builder and
reader: 5-minute ``Maximum`` of memory, engine CPU and connections plus ``IsMaster`` per node, folded per
period into group-wide values (``history_from``)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.snapshot import (
    IS_MASTER_METRIC,
    MetricName,
    Metrics,
    MetricSeries,
    Role,
    Topology,
    apply_roles,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import GetMetricDataInputTypeDef, MetricDataQueryTypeDef

MAX_QUERIES = 500  # GetMetricData's limit per call
STATISTIC = {
    MetricName.EVICTIONS: "Sum",
    MetricName.NETWORK_IN_EXCEEDED: "Sum",
    MetricName.NETWORK_OUT_EXCEEDED: "Sum",
    MetricName.NETWORK_BYTES_IN: "Sum",
    MetricName.NETWORK_BYTES_OUT: "Sum",
}


ROLE_QUERY = "r"
"""The metric part of an ``IsMaster`` query's id (``s{shard}_m{member}_r``)."""


def _query(
    query_id: str, cluster_id: str, metric: str, stat: str, period_seconds: int
) -> "MetricDataQueryTypeDef":
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ElastiCache",
                "MetricName": metric,
                "Dimensions": [
                    {"Name": "CacheClusterId", "Value": cluster_id},
                    {"Name": "CacheNodeId", "Value": "0001"},
                ],
            },
            "Period": period_seconds,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def node_queries(
    topology: Topology,
    metrics: Sequence[tuple[str, str]],
    period_seconds: int,
    *,
    known_roles_too: bool = True,
) -> list["MetricDataQueryTypeDef"]:
    """One query per node and (metric, statistic), and one ``IsMaster`` query per node; ids encode shard
    index, member index and the metric's index in ``metrics`` (``s0_m1_k2``), or ``r`` for ``IsMaster``.
    The engine's read (``metric_queries``) and the CLI's backtest both build their queries here. Without
    ``known_roles_too``, the members of a shard whose roles DescribeReplicationGroups gave (``CurrentRole``,
    cluster mode disabled) get no ``IsMaster`` query: ``apply_roles`` keeps those roles anyway."""
    queries: list[MetricDataQueryTypeDef] = []
    for s, shard in enumerate(topology.shards):
        for m, member in enumerate(shard.members):
            for k, (metric, stat) in enumerate(metrics):
                queries.append(_query(f"s{s}_m{m}_k{k}", member.cluster_id, metric, stat, period_seconds))
            if shard.roles_known and not known_roles_too:
                continue
            queries.append(
                _query(
                    f"s{s}_m{m}_{ROLE_QUERY}", member.cluster_id, IS_MASTER_METRIC, "Maximum", period_seconds
                )
            )
    return queries


ENGINE_METRICS = tuple((metric.value, STATISTIC.get(metric, "Maximum")) for metric in MetricName)


def metric_queries(topology: Topology, period_seconds: int) -> list["MetricDataQueryTypeDef"]:
    """Every metric the engine reads (``MetricName``, in its order), per node, and ``IsMaster`` where the
    roles are not known (cluster mode enabled): 9 metrics a node in cluster mode disabled, 10 enabled."""
    return node_queries(topology, ENGINE_METRICS, period_seconds, known_roles_too=False)


def query_index(query_id: str) -> tuple[int, int, int | None]:
    """(shard index, member index, metric index or None for ``IsMaster``) of a ``node_queries`` id."""
    s, m, k = query_id.split("_")
    return int(s[1:]), int(m[1:]), None if k == ROLE_QUERY else int(k[1:])


def fetch_results(
    client: "CloudWatchClient", queries: Sequence["MetricDataQueryTypeDef"], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every datapoint of ``queries`` between ``start`` and ``end``: ``MAX_QUERIES`` queries a call, pages
    followed with ``NextToken``, one result per query id (its pages joined), timestamps ascending."""
    joined: dict[str, dict[str, Any]] = {}
    for first in range(0, len(queries), MAX_QUERIES):
        batch = list(queries[first : first + MAX_QUERIES])
        token: str | None = None
        while True:
            request: GetMetricDataInputTypeDef = {
                "MetricDataQueries": batch,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            if token:
                request["NextToken"] = token
            page = client.get_metric_data(**request)
            for result in page.get("MetricDataResults", []):
                into = joined.setdefault(result["Id"], {"Id": result["Id"], "Timestamps": [], "Values": []})
                into["Timestamps"] += result.get("Timestamps", [])
                into["Values"] += result.get("Values", [])
            token = page.get("NextToken")
            if not token:
                break
    return list(joined.values())


def latest_is_master(topology: Topology, results: list[dict[str, Any]]) -> dict[str, float]:
    """The latest ``IsMaster`` datapoint per member cluster id (members without a datapoint are left out)."""
    latest: dict[str, float] = {}
    for result in results:
        s, m, k = query_index(result["Id"])
        points = list(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        if k is None and points:
            member = topology.shards[s].members[m]
            latest[member.cluster_id] = max(points, key=lambda point: point[0])[1]
    return latest


def metrics_from(
    topology: Topology, results: list[dict[str, Any]], window_end: datetime, period_seconds: int
) -> Metrics:
    """Fold per-node results into per-shard, per-role series (max per period over that role's nodes), the
    roles resolved first from the ``IsMaster`` results (``apply_roles``; known roles are kept)."""
    metric_list = list(MetricName)
    is_master = latest_is_master(topology, results)
    resolved = apply_roles(topology, is_master)
    by_key: dict[tuple[MetricName, str, Role], dict[datetime, float]] = {}
    for result in results:
        s, m, k = query_index(result["Id"])
        if k is None:
            continue
        shard = resolved.shards[s]
        member = shard.members[m]
        points = by_key.setdefault((metric_list[k], shard.shard_id, member.role), {})
        for ts, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            points[ts] = max(points.get(ts, value), value)
    series = tuple(
        MetricSeries(
            metric=metric, shard_id=shard_id, role=role, values=tuple(v for _, v in sorted(points.items()))
        )
        for (metric, shard_id, role), points in sorted(by_key.items())
    )
    return Metrics(period_seconds=period_seconds, window_end=window_end, series=series, is_master=is_master)


HISTORY_PERIOD_SECONDS = 300
HISTORY_METRICS = (
    (MetricName.MEMORY.value, "Maximum"),
    (MetricName.ENGINE_CPU.value, "Maximum"),
    (MetricName.CONNECTIONS.value, "Maximum"),
)
"""What the load history reads per node (with ``IsMaster``, which ``node_queries`` adds): 4 metrics a node."""


def history_queries(topology: Topology) -> list["MetricDataQueryTypeDef"]:
    return node_queries(topology, HISTORY_METRICS, HISTORY_PERIOD_SECONDS)


def _role_at(
    is_master: dict[tuple[int, int], dict[datetime, float]], topology: Topology, s: int, m: int, at: datetime
) -> Role:
    """A node's role in one period: its ``IsMaster`` then (a failover moves write CPU), else its role now."""
    value = is_master.get((s, m), {}).get(at)
    if value is None:
        return topology.shards[s].members[m].role
    return Role.PRIMARY if value >= 0.5 else Role.REPLICA  # IsMaster is 0 or 1


def history_from(
    topology: Topology, results: list[dict[str, Any]], start: datetime, end: datetime
) -> LoadHistory:
    """The group-wide value per 5-minute period from ``start`` to ``end`` (as measured: not rescaled), read
    as the engine reads the signals (``engine.signals.read_signals``): memory and connections the max over
    every node, write CPU the max over the primaries, read CPU over the replicas. A node's role is its
    ``IsMaster`` in that period (else its role in ``topology``); an unknown role counts for no CPU."""
    step = timedelta(seconds=HISTORY_PERIOD_SECONDS)
    count = int((end - start) / step)
    is_master: dict[tuple[int, int], dict[datetime, float]] = {}
    for result in results:
        s, m, k = query_index(result["Id"])
        if k is None:
            is_master[(s, m)] = dict(
                zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
            )
    signals: dict[str, list[float | None]] = {
        name: [None] * count for name in ("memory", "write_cpu", "read_cpu", "connections")
    }
    for result in results:
        s, m, k = query_index(result["Id"])
        if k is None:
            continue
        metric = HISTORY_METRICS[k][0]
        for at, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            i = int((at - start) / step)
            if not 0 <= i < count:
                continue
            if metric == MetricName.MEMORY:
                name = "memory"
            elif metric == MetricName.CONNECTIONS:
                name = "connections"
            else:
                role = _role_at(is_master, topology, s, m, at)
                if role is Role.UNKNOWN:
                    continue
                name = "write_cpu" if role is Role.PRIMARY else "read_cpu"
            current = signals[name][i]
            signals[name][i] = value if current is None else max(current, value)
    has_replicas = topology.replicas_per_shard > 0
    return LoadHistory(
        period_seconds=HISTORY_PERIOD_SECONDS,
        end=end,
        memory_percent=tuple(signals["memory"]),
        write_cpu_percent=tuple(signals["write_cpu"]),
        read_cpu_percent=tuple(signals["read_cpu"]) if has_replicas else (),
        connections_per_node=tuple(signals["connections"]),
    )


class CloudWatch:
    def __init__(self, client: "CloudWatchClient | None" = None) -> None:
        self._client = client or aws.cloudwatch()

    def read_metrics(
        self, topology: Topology, end: datetime, window_minutes: int, period_seconds: int = 60
    ) -> Metrics:
        queries = metric_queries(topology, period_seconds)
        results = fetch_results(self._client, queries, end - timedelta(minutes=window_minutes), end)
        return metrics_from(topology, results, end, period_seconds)

    def read_load_history(self, topology: Topology, start: datetime, end: datetime) -> LoadHistory:
        """The group's load per 5-minute period from ``start`` to ``end`` (both on a period boundary), as
        measured: ``history_from``. One query per node and metric (``HISTORY_METRICS`` and ``IsMaster``)."""
        results = fetch_results(self._client, history_queries(topology), start, end)
        return history_from(topology, results, start, end)
