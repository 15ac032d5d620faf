"""CloudWatch for a Memcached cluster (per node) and a Serverless cache (per cache): one GetMetricData pass
(``cloudwatch.fetch_results``: 500 queries a call, pages joined), folded into the kind's metrics model."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.cloudwatch import fetch_results
from elasticache_autoscaler.models.kind_metrics import (
    MemcachedMetric,
    MemcachedMetrics,
    NodeSeries,
    ServerlessMetrics,
)
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import ServerlessCache

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


class MemcachedMetricsPort(Protocol):
    def read_memcached(
        self, cluster: MemcachedCluster, end: datetime, window_minutes: int
    ) -> MemcachedMetrics: ...


class ServerlessMetricsPort(Protocol):
    def read_serverless(
        self, cache: ServerlessCache, end: datetime, window_minutes: int
    ) -> ServerlessMetrics: ...


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


def serverless_queries(cache: ServerlessCache, period: int) -> list["MetricDataQueryTypeDef"]:
    dimensions: list[DimensionTypeDef] = [{"Name": "clusterId", "Value": cache.name}]
    return [_query(field, metric, stat, dimensions, period) for field, metric, stat in SERVERLESS_METRICS]


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
