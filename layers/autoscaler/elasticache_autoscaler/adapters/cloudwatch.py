"""CloudWatch: every metric the engine reads, for every node of the group, in one GetMetricData call per 500
series (one call for any group of up to 55 nodes)."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.snapshot import MetricName, Metrics, MetricSeries, Role, Topology

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

MAX_QUERIES = 500  # GetMetricData's limit per call
STATISTIC = {
    MetricName.EVICTIONS: "Sum",
    MetricName.NETWORK_IN_EXCEEDED: "Sum",
    MetricName.NETWORK_OUT_EXCEEDED: "Sum",
    MetricName.NETWORK_BYTES_IN: "Sum",
    MetricName.NETWORK_BYTES_OUT: "Sum",
}


def metric_queries(topology: Topology, period_seconds: int) -> list["MetricDataQueryTypeDef"]:
    """One query per node and metric; ids encode shard index, member index and metric index."""
    queries: list[MetricDataQueryTypeDef] = []
    metrics = list(MetricName)
    for s, shard in enumerate(topology.shards):
        for m, member in enumerate(shard.members):
            for k, metric in enumerate(metrics):
                queries.append(
                    {
                        "Id": f"s{s}_m{m}_k{k}",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/ElastiCache",
                                "MetricName": metric.value,
                                "Dimensions": [
                                    {"Name": "CacheClusterId", "Value": member.cluster_id},
                                    {"Name": "CacheNodeId", "Value": "0001"},
                                ],
                            },
                            "Period": period_seconds,
                            "Stat": STATISTIC.get(metric, "Maximum"),
                        },
                        "ReturnData": True,
                    }
                )
    return queries


def metrics_from(
    topology: Topology, results: list[dict[str, Any]], window_end: datetime, period_seconds: int
) -> Metrics:
    """Fold per-node results into per-shard, per-role series (max per period over that role's nodes)."""
    metric_list = list(MetricName)
    by_key: dict[tuple[MetricName, str, Role], dict[datetime, float]] = {}
    for result in results:
        s, m, k = (int(part[1:]) for part in result["Id"].split("_"))
        shard = topology.shards[s]
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
    return Metrics(period_seconds=period_seconds, window_end=window_end, series=series)


class CloudWatch:
    def __init__(self, client: "CloudWatchClient | None" = None) -> None:
        self._client = client or aws.cloudwatch()

    def read_metrics(
        self, topology: Topology, end: datetime, window_minutes: int, period_seconds: int = 60
    ) -> Metrics:
        queries = metric_queries(topology, period_seconds)
        results: list[dict[str, Any]] = []
        for start in range(0, len(queries), MAX_QUERIES):
            answer = self._client.get_metric_data(
                MetricDataQueries=queries[start : start + MAX_QUERIES],
                StartTime=end - timedelta(minutes=window_minutes),
                EndTime=end,
                ScanBy="TimestampAscending",
            )
            results += [dict(r) for r in answer.get("MetricDataResults", [])]
        return metrics_from(topology, results, end, period_seconds)
