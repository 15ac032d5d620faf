"""The load history's GetMetricData contract (Stubber, exact requests): 5-minute ``Maximum`` of memory,
engine CPU and connections plus ``IsMaster`` per node, ``NextToken`` pages followed; folded per period as
the engine reads the signals, each node's role taken from its ``IsMaster`` in that period."""

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.stub import Stubber

from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
from tests.unit.engine.builders import topology

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
START = END - timedelta(minutes=15)  # three periods: 11:45, 11:50, 11:55
PERIODS = [START + timedelta(minutes=5 * i) for i in range(3)]


def _query(query_id: str, cluster_id: str, metric: str) -> dict[str, Any]:
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
            "Period": 300,
            "Stat": "Maximum",
        },
        "ReturnData": True,
    }


# cluster mode disabled, one shard: orders-0001-001 (primary now), orders-0001-002 (replica now)
QUERIES = [
    _query(f"s0_m{m}_{k}", f"orders-0001-00{m + 1}", metric)
    for m in (0, 1)
    for k, metric in (
        ("k0", "DatabaseMemoryUsageCountedForEvictPercentage"),
        ("k1", "EngineCPUUtilization"),
        ("k2", "CurrConnections"),
        ("r", "IsMaster"),
    )
]
REQUEST = {"MetricDataQueries": QUERIES, "StartTime": START, "EndTime": END, "ScanBy": "TimestampAscending"}


def _result(query_id: str, values: list[float], periods: list[datetime] = PERIODS) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": periods,
        "Values": values,
        "StatusCode": "Complete",
    }


def test_the_history_request_pages_and_folds_per_period() -> None:
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    # page 1: the first two periods of every query; the second member became primary at 11:50
    stubber.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("s0_m0_k0", [50.0, 52.0], PERIODS[:2]),
                _result("s0_m0_k1", [40.0, 10.0], PERIODS[:2]),
                _result("s0_m0_k2", [100.0, 120.0], PERIODS[:2]),
                _result("s0_m0_r", [1.0, 0.0], PERIODS[:2]),
                _result("s0_m1_k0", [49.0, 55.0], PERIODS[:2]),
                _result("s0_m1_k1", [15.0, 45.0], PERIODS[:2]),
                _result("s0_m1_k2", [300.0, 80.0], PERIODS[:2]),
                _result("s0_m1_r", [0.0, 1.0], PERIODS[:2]),
            ],
            "NextToken": "page-2",
        },
        REQUEST,
    )
    # page 2: the last period; no IsMaster datapoint then, so the roles now (first member primary) hold
    stubber.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("s0_m0_k0", [53.0], PERIODS[2:]),
                _result("s0_m0_k1", [41.0], PERIODS[2:]),
                _result("s0_m1_k1", [12.0], PERIODS[2:]),
            ]
        },
        {**REQUEST, "NextToken": "page-2"},
    )

    with stubber:
        history = CloudWatch(client).read_load_history(topology(cluster_mode=False, shards=1), START, END)
    stubber.assert_no_pending_responses()

    assert history.end == END and history.period_seconds == 300
    assert history.memory_percent == (50.0, 55.0, 53.0)  # max over every node
    assert history.write_cpu_percent == (40.0, 45.0, 41.0)  # the primary of each period
    assert history.read_cpu_percent == (15.0, 10.0, 12.0)  # the replica of each period
    assert history.connections_per_node == (300.0, 120.0, None)  # no datapoint: a missing period
