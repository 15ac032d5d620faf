"""The load history's GetMetricData contract (Stubber, exact requests): 5-minute ``Maximum`` of memory,
engine CPU and connections plus ``IsMaster`` per node, ``NextToken`` pages followed; folded per period as
the engine reads the signals, each node's role taken from its ``IsMaster`` in that period."""

from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
from tests.integration.metric_pages import (
    END,
    PERIODS,
    START,
    history_request,
    metric_query,
    metric_result,
    paged_cloudwatch,
)
from tests.unit.engine.builders import topology

# cluster mode disabled, one shard: orders-0001-001 (primary now), orders-0001-002 (replica now)
REQUEST = history_request(
    [
        metric_query(
            f"s0_m{m}_{k}",
            metric,
            {"CacheClusterId": f"orders-0001-00{m + 1}", "CacheNodeId": "0001"},
            "Maximum",
        )
        for m in (0, 1)
        for k, metric in (
            ("k0", "DatabaseMemoryUsageCountedForEvictPercentage"),
            ("k1", "EngineCPUUtilization"),
            ("k2", "CurrConnections"),
            ("r", "IsMaster"),
        )
    ]
)


def test_the_history_request_pages_and_folds_per_period() -> None:
    # page 1: the first two periods of every query; the second member became primary at 11:50
    first = [
        metric_result("s0_m0_k0", [50.0, 52.0], PERIODS[:2]),
        metric_result("s0_m0_k1", [40.0, 10.0], PERIODS[:2]),
        metric_result("s0_m0_k2", [100.0, 120.0], PERIODS[:2]),
        metric_result("s0_m0_r", [1.0, 0.0], PERIODS[:2]),
        metric_result("s0_m1_k0", [49.0, 55.0], PERIODS[:2]),
        metric_result("s0_m1_k1", [15.0, 45.0], PERIODS[:2]),
        metric_result("s0_m1_k2", [300.0, 80.0], PERIODS[:2]),
        metric_result("s0_m1_r", [0.0, 1.0], PERIODS[:2]),
    ]
    # page 2: the last period; no IsMaster datapoint then, so the roles now (first member primary) hold
    second = [
        metric_result("s0_m0_k0", [53.0], PERIODS[2:]),
        metric_result("s0_m0_k1", [41.0], PERIODS[2:]),
        metric_result("s0_m1_k1", [12.0], PERIODS[2:]),
    ]

    with paged_cloudwatch(REQUEST, first, second) as client:
        history = CloudWatch(client).read_load_history(topology(cluster_mode=False, shards=1), START, END)

    assert history.end == END and history.period_seconds == 300
    assert history.memory_percent == (50.0, 55.0, 53.0)  # max over every node
    assert history.write_cpu_percent == (40.0, 45.0, 41.0)  # the primary of each period
    assert history.read_cpu_percent == (15.0, 10.0, 12.0)  # the replica of each period
    assert history.connections_per_node == (300.0, 120.0, None)  # no datapoint: a missing period
