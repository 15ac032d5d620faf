"""The CloudWatch adapter on moto: every metric of every node, folded per shard and role, 500 a call."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from elasticache_autoscaler.adapters.cloudwatch import MAX_QUERIES, CloudWatch, metric_queries
from elasticache_autoscaler.models.snapshot import MetricName, Role
from tests.unit.engine.builders import topology

END = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def _put(client: Any, cluster_id: str, metric: MetricName, values: list[float]) -> None:
    client.put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[
            {
                "MetricName": metric.value,
                "Dimensions": [
                    {"Name": "CacheClusterId", "Value": cluster_id},
                    {"Name": "CacheNodeId", "Value": "0001"},
                ],
                "Timestamp": END - timedelta(minutes=len(values) - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def test_network_bytes_are_read_per_node_and_folded_per_shard_and_role(client: Any) -> None:
    topo = topology(shards=1, replicas=2)
    primary, first, second = (m.cluster_id for m in topo.shards[0].members)
    _put(client, primary, MetricName.NETWORK_BYTES_OUT, [1e9, 2e9])
    _put(client, first, MetricName.NETWORK_BYTES_OUT, [5e8, 7e8])
    _put(client, second, MetricName.NETWORK_BYTES_OUT, [9e8, 1e8])

    metrics = CloudWatch(client).read_metrics(topo, END, window_minutes=10)

    shard = topo.shards[0].shard_id
    assert metrics.values(MetricName.NETWORK_BYTES_OUT, Role.PRIMARY)[shard] == (1e9, 2e9)
    assert metrics.values(MetricName.NETWORK_BYTES_OUT, Role.REPLICA)[shard] == (9e8, 7e8)  # busiest replica


class Counting:
    """A CloudWatch client that records each GetMetricData request's size and answers with no data."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def get_metric_data(self, **request: Any) -> dict[str, Any]:
        self.sizes.append(len(request["MetricDataQueries"]))
        return {"MetricDataResults": []}


def test_a_large_group_is_read_in_requests_of_at_most_500_series() -> None:
    topo = topology(shards=10, replicas=5)  # 60 nodes x 9 metrics = 540 series
    client = Counting()

    CloudWatch(client).read_metrics(topo, END, window_minutes=35)  # type: ignore[arg-type]

    assert len(metric_queries(topo, 60)) == 60 * len(MetricName) == 540
    assert client.sizes == [MAX_QUERIES, 40]
