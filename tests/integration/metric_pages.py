"""GetMetricData under a botocore Stubber, as the history-fetch contract tests set it up: three 5-minute
periods before ``END``, the exact request each page must be, and the responses paged by ``NextToken``."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from botocore.stub import Stubber

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
START = END - timedelta(minutes=15)  # three periods: 11:45, 11:50, 11:55
PERIODS = [START + timedelta(minutes=5 * i) for i in range(3)]


def metric_query(query_id: str, metric: str, dimensions: dict[str, str], stat: str) -> dict[str, Any]:
    """One ``MetricDataQueries`` entry: a 5-minute ``stat`` of an ``AWS/ElastiCache`` metric."""
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ElastiCache",
                "MetricName": metric,
                "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions.items()],
            },
            "Period": 300,
            "Stat": stat,
        },
        "ReturnData": True,
    }


def history_request(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """The request of the history from ``START`` to ``END`` (the first page's)."""
    return {"MetricDataQueries": queries, "StartTime": START, "EndTime": END, "ScanBy": "TimestampAscending"}


def metric_result(query_id: str, values: list[float], periods: list[datetime]) -> dict[str, Any]:
    return {
        "Id": query_id,
        "Label": query_id,
        "Timestamps": periods,
        "Values": values,
        "StatusCode": "Complete",
    }


@contextmanager
def paged_cloudwatch(request: dict[str, Any], *pages: list[dict[str, Any]]) -> Iterator["CloudWatchClient"]:
    """A CloudWatch client that answers ``request`` with ``pages`` of ``MetricDataResults`` (page ``n``
    asked with ``NextToken`` ``page-n``), and checks on exit that every page was asked for."""
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    for n, results in enumerate(pages, start=1):
        response: dict[str, Any] = {"MetricDataResults": results}
        if n < len(pages):
            response["NextToken"] = f"page-{n + 1}"
        stubber.add_response(
            "get_metric_data", response, request if n == 1 else {**request, "NextToken": f"page-{n}"}
        )
    with stubber:
        yield client
    stubber.assert_no_pending_responses()
