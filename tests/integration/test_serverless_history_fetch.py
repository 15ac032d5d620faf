"""A Serverless cache's usage history, GetMetricData contract (Stubber, exact requests): 5-minute
``Maximum`` of ``BytesUsedForCache`` and ``Sum`` of ``ElastiCacheProcessingUnits`` by ``clusterId`` (as the
cache's other metric reads), ``NextToken`` pages followed; each period in its slot, in GB and ECPUs per
second, a period without a datapoint left None."""

from elasticache_autoscaler.adapters.kind_metrics import KindMetrics
from elasticache_autoscaler.models.serverless import serverless_cache_from
from tests.integration.metric_pages import (
    END,
    PERIODS,
    START,
    history_request,
    metric_query,
    metric_result,
    paged_cloudwatch,
)
from tests.unit.kinds.builders import serverless_item

CACHE = {"clusterId": "sessions"}
REQUEST = history_request(
    [
        metric_query("data_storage_gb", "BytesUsedForCache", CACHE, "Maximum"),
        metric_query("ecpu_per_second", "ElastiCacheProcessingUnits", CACHE, "Sum"),
    ]
)


def test_the_usage_history_request_pages_and_puts_each_period_in_its_slot() -> None:
    first = [
        metric_result("data_storage_gb", [2.5e9, 3e9], PERIODS[:2]),
        metric_result("ecpu_per_second", [300_000.0], PERIODS[:1]),
    ]
    second = [metric_result("ecpu_per_second", [1_500_000.0], PERIODS[2:])]

    with paged_cloudwatch(REQUEST, first, second) as client:
        history = KindMetrics(client).read_serverless_history(
            serverless_cache_from(serverless_item()), START, END
        )

    assert history.end == END and history.period_seconds == 300
    assert history.data_storage_gb == (2.5, 3.0, None)  # decimal GB; no datapoint at 11:55
    assert history.ecpu_per_second == (1000.0, None, 5000.0)  # ECPUs in 5 min / 300 s
    assert history.memory_percent == ()  # a group's signals: none
