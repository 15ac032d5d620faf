"""CloudWatch for a Memcached cluster (per node) and a Serverless cache (per cache): one GetMetricData pass
(``cloudwatch.fetch_results``: 500 queries a call, pages joined), folded into the kind's metrics model.

A Serverless cache's load history for the forecast (``read_serverless_history``) is a second read through
the same query builder and reader: ``SERVERLESS_HISTORY_METRICS`` at the history's 5-minute period, each
period's value put in its slot of a ``LoadHistory`` (a period without a datapoint stays None)."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.cloudwatch import HISTORY_PERIOD_SECONDS, fetch_results
from elasticache_autoscaler.models.kind_metrics import (
    MemcachedMetric,
    MemcachedMetrics,
    NodeSeries,
    ServerlessMetrics,
)
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import SERVERLESS_DIMENSION, ServerlessCache

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDataQueryTypeDef

NAMESPACE = "AWS/ElastiCache"
_SUMMED = frozenset(
    {MemcachedMetric.EVICTIONS, MemcachedMetric.NETWORK_IN_EXCEEDED, MemcachedMetric.NETWORK_OUT_EXCEEDED}
)
SERVERLESS_METRICS = (
    ("bytes_used", "BytesUsedForCache", "Maximum"),
    ("ecpu", "ElastiCacheProcessingUnits", "Sum"),
    ("throttled_cmds", "ThrottledCmds", "Sum"),
)
"""(ServerlessMetrics field, CloudWatch metric, statistic), dimension ``clusterId`` = the cache's name."""
SERVERLESS_HISTORY_METRICS = (
    ("data_storage_gb", "BytesUsedForCache", "Maximum"),
    ("ecpu_per_second", "ElastiCacheProcessingUnits", "Sum"),
)
"""(LoadHistory field, CloudWatch metric, statistic): the most stored in each period, and every ECPU of it
(a period's mean ECPUs per second: a Sum is exact whatever the metric's own resolution, a Maximum is not)."""
_HISTORY_UNITS = {"data_storage_gb": 1e9, "ecpu_per_second": float(HISTORY_PERIOD_SECONDS)}
"""What each history value is divided by: bytes to GB (decimal, as ``DataStorage`` counts), ECPUs in a
period to ECPUs per second."""


class MemcachedMetricsPort(Protocol):
    def read_memcached(
        self, cluster: MemcachedCluster, end: datetime, window_minutes: int
    ) -> MemcachedMetrics: ...


class ServerlessMetricsPort(Protocol):
    def read_serverless(
        self, cache: ServerlessCache, end: datetime, window_minutes: int
    ) -> ServerlessMetrics: ...
    def read_serverless_history(
        self, cache: ServerlessCache, start: datetime, end: datetime
    ) -> LoadHistory: ...


def _query(
    query_id: str, metric: str, stat: str, dimensions: list["DimensionTypeDef"], period: int
) -> "MetricDataQueryTypeDef":
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def memcached_queries(cluster: MemcachedCluster, period: int) -> list["MetricDataQueryTypeDef"]:
    """One query per node and metric; the id ``n{node index}_k{metric index}``."""
    metrics = list(MemcachedMetric)
    return [
        _query(
            f"n{n}_k{k}",
            metric.value,
            "Sum" if metric in _SUMMED else "Maximum",
            [
                {"Name": "CacheClusterId", "Value": cluster.cluster_id},
                {"Name": "CacheNodeId", "Value": node.node_id},
            ],
            period,
        )
        for n, node in enumerate(cluster.nodes)
        for k, metric in enumerate(metrics)
    ]


def memcached_metrics_from(
    cluster: MemcachedCluster, results: list[dict[str, Any]], period: int
) -> MemcachedMetrics:
    metrics = list(MemcachedMetric)
    series = []
    for result in results:
        n, k = (int(part[1:]) for part in result["Id"].split("_"))
        ordered = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        series.append(
            NodeSeries(
                metric=metrics[k], node_id=cluster.nodes[n].node_id, values=tuple(v for _, v in ordered)
            )
        )
    return MemcachedMetrics(period_seconds=period, series=tuple(series))


def serverless_queries(
    cache: ServerlessCache, period: int, metrics: tuple[tuple[str, str, str], ...] = SERVERLESS_METRICS
) -> list["MetricDataQueryTypeDef"]:
    """One query per (field, metric, statistic) of ``metrics``; the id is the field."""
    dimensions: list[DimensionTypeDef] = [{"Name": SERVERLESS_DIMENSION, "Value": cache.name}]
    return [_query(field, metric, stat, dimensions, period) for field, metric, stat in metrics]


def serverless_history_from(results: list[dict[str, Any]], start: datetime, end: datetime) -> LoadHistory:
    """Each 5-minute period from ``start`` to ``end`` in its slot, in GB and ECPUs per second."""
    step = timedelta(seconds=HISTORY_PERIOD_SECONDS)
    count = int((end - start) / step)
    series: dict[str, list[float | None]] = {field: [None] * count for field in _HISTORY_UNITS}
    for result in results:
        field = result["Id"]
        for at, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
            i = int((at - start) / step)
            if 0 <= i < count:
                series[field][i] = value / _HISTORY_UNITS[field]
    return LoadHistory.model_validate(
        {"period_seconds": HISTORY_PERIOD_SECONDS, "end": end, **{k: tuple(v) for k, v in series.items()}}
    )


def serverless_metrics_from(results: list[dict[str, Any]], period: int) -> ServerlessMetrics:
    values: dict[str, tuple[float, ...]] = {}
    for result in results:
        ordered = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        values[result["Id"]] = tuple(v for _, v in ordered)
    return ServerlessMetrics(
        period_seconds=period,
        bytes_used=values.get("bytes_used", ()),
        ecpu=values.get("ecpu", ()),
        throttled_cmds=values.get("throttled_cmds", ()),
    )


class KindMetrics:
    def __init__(self, client: "CloudWatchClient | None" = None, period_seconds: int = 60) -> None:
        self._client = client or aws.cloudwatch()
        self._period = period_seconds

    def read_memcached(
        self, cluster: MemcachedCluster, end: datetime, window_minutes: int
    ) -> MemcachedMetrics:
        queries = memcached_queries(cluster, self._period)
        results = fetch_results(self._client, queries, end - timedelta(minutes=window_minutes), end)
        return memcached_metrics_from(cluster, results, self._period)

    def read_serverless(
        self, cache: ServerlessCache, end: datetime, window_minutes: int
    ) -> ServerlessMetrics:
        queries = serverless_queries(cache, self._period)
        results = fetch_results(self._client, queries, end - timedelta(minutes=window_minutes), end)
        return serverless_metrics_from(results, self._period)

    def read_serverless_history(self, cache: ServerlessCache, start: datetime, end: datetime) -> LoadHistory:
        """The cache's usage per 5-minute period from ``start`` to ``end`` (both on a period boundary)."""
        queries = serverless_queries(cache, HISTORY_PERIOD_SECONDS, SERVERLESS_HISTORY_METRICS)
        return serverless_history_from(fetch_results(self._client, queries, start, end), start, end)
