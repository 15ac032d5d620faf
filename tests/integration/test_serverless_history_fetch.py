"""A Serverless cache's usage history, GetMetricData contract (Stubber, exact requests): 5-minute
``Maximum`` of ``BytesUsedForCache`` and ``Sum`` of ``ElastiCacheProcessingUnits`` by ``clusterId`` (as the
cache's other metric reads), ``NextToken`` pages followed; each period in its slot, in GB and ECPUs per
second, a period without a datapoint left None."""

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.stub import Stubber

from elasticache_autoscaler.adapters.kind_metrics import KindMetrics
from elasticache_autoscaler.models.serverless import serverless_cache_from
from tests.unit.kinds.builders import serverless_item

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
START = END - timedelta(minutes=15)  # three periods: 11:45, 11:50, 11:55
PERIODS = [START + timedelta(minutes=5 * i) for i in range(3)]


def _query(query_id: str, metric: str, stat: str) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ElastiCache",
                "MetricName": metric,
                "Dimensions": [{"Name": "clusterId", "Value": "sessions"}],
            },
            "Period": 300,
            "Stat": stat,
        },
        "ReturnData": True,
    }


REQUEST = {
    "MetricDataQueries": [
        _query("data_storage_gb", "BytesUsedForCache", "Maximum"),
        _query("ecpu_per_second", "ElastiCacheProcessingUnits", "Sum"),
    ],
    "StartTime": START,
    "EndTime": END,
    "ScanBy": "TimestampAscending",
}


def _result(query_id: str, values: list[float], periods: list[datetime]) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": periods,
        "Values": values,
        "StatusCode": "Complete",
    }


def test_the_usage_history_request_pages_and_puts_each_period_in_its_slot() -> None:
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    stubber.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                _result("data_storage_gb", [2.5e9, 3e9], PERIODS[:2]),
                _result("ecpu_per_second", [300_000.0], PERIODS[:1]),
            ],
            "NextToken": "page-2",
        },
        REQUEST,
    )
    stubber.add_response(
        "get_metric_data",
        {"MetricDataResults": [_result("ecpu_per_second", [1_500_000.0], PERIODS[2:])]},
        {**REQUEST, "NextToken": "page-2"},
    )

    with stubber:
        history = KindMetrics(client).read_serverless_history(
            serverless_cache_from(serverless_item()), START, END
        )
    stubber.assert_no_pending_responses()

    assert history.end == END and history.period_seconds == 300
    assert history.data_storage_gb == (2.5, 3.0, None)  # decimal GB; no datapoint at 11:55
    assert history.ecpu_per_second == (1000.0, None, 5000.0)  # ECPUs in 5 min / 300 s
    assert history.memory_percent == ()  # a group's signals: none
