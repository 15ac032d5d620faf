"""Memcached rules against hand-worked numbers (cache.m7g.large: 2 vCPU, 6.38 GiB, maxmemory 4.79 GiB,
$0.158/h at the Redis OSS price Memcached nodes are billed at; policy defaults: CPU target 60 %, memory 75 %,
tolerance 0.1, scale-in below target x 0.75, max step 2 nodes, 3-period scale-out window, 30-period
stabilization window)."""

from datetime import UTC, datetime, timedelta

import pytest

from elasticache_autoscaler.engine.memcached import Recent, decide_memcached, memory_percent
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.kind_decision import MemcachedAction
from elasticache_autoscaler.models.kind_metrics import MemcachedMetric, MemcachedMetrics, NodeSeries
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.snapshot import Guards
from tests.unit.kinds.builders import cluster, memcached_in_zones

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
GIB = 1024**3
LARGE = "cache.m7g.large"
XLARGE = "cache.m7g.xlarge"


def metrics(
    nodes: int,
    *,
    cpu: float = 30.0,
    bytes_used: float = 1.5 * GIB,
    connections: float = 1000.0,
    evictions: float = 0.0,
    network: float = 0.0,
    hot_node_cpu: float | None = None,
    periods: int = 30,
    skip: tuple[MemcachedMetric, str] | None = None,
) -> MemcachedMetrics:
    """Every node at the same values for ``periods`` minutes; node 0001 at ``hot_node_cpu`` if given."""
    per_metric = {
        MemcachedMetric.CPU: cpu,
        MemcachedMetric.BYTES_USED: bytes_used,
        MemcachedMetric.CONNECTIONS: connections,
        MemcachedMetric.EVICTIONS: evictions,
        MemcachedMetric.NETWORK_IN_EXCEEDED: network,
        MemcachedMetric.NETWORK_OUT_EXCEEDED: 0.0,
    }
    series = []
    for i in range(1, nodes + 1):
        node = f"{i:04d}"
        for metric, value in per_metric.items():
            if skip == (metric, node):
                continue
            v = (
                hot_node_cpu
                if metric is MemcachedMetric.CPU and hot_node_cpu is not None and i == 1
                else value
            )
            series.append(NodeSeries(metric=metric, node_id=node, values=(v,) * periods))
    return MemcachedMetrics(series=tuple(series))


def test_memory_percent_is_bytes_over_the_catalogs_maxmemory() -> None:
    # 1.5 GiB / 4.79 GiB = 31.3152 %
    assert memory_percent(1.5 * GIB, LARGE) == pytest.approx(31.3152, abs=1e-4)
    assert memory_percent(1.0, "cache.unknown.large") is None


def test_hot_node_cpu_adds_nodes_proportionally() -> None:
    # Given 3 nodes, one at 90 % CPU (the others 40 %): the max over nodes, 90 / 60 = 1.5 > 1.1
    d = decide_memcached(
        cluster(3),
        metrics(3, cpu=40, hot_node_cpu=90),
        MemcachedPolicy(),
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    # Then ceil(3 x 1.5) = 5 nodes (within the step of 2), at 5 x $0.158
    assert d.action is MemcachedAction.ADD_NODES
    assert (d.current.nodes, d.target.nodes) == (3, 5)
    assert d.cost_per_hour_before == pytest.approx(0.474)
    assert d.cost_per_hour_after == pytest.approx(0.79)
    assert d.signals["cpuPercent"] == 90
    assert d.dry_run and d.changes_something
    assert any("cpu at 1.50 x target" in r for r in d.reasons)


def test_evictions_alone_add_one_node() -> None:
    d = decide_memcached(
        cluster(3), metrics(3, evictions=5), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW
    )
    assert (d.action, d.target.nodes) == (MemcachedAction.ADD_NODES, 4)
    assert any("5 eviction(s)" in r for r in d.reasons)


def test_memory_pressure_sizes_on_memory() -> None:
    # 90 % of maxmemory: 90 / 75 = 1.2 > 1.1: ceil(4 x 1.2) = 5
    d = decide_memcached(
        cluster(4),
        metrics(4, bytes_used=0.9 * 4.79 * GIB),
        MemcachedPolicy(),
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert (d.action, d.target.nodes) == (MemcachedAction.ADD_NODES, 5)


def test_at_max_nodes_a_larger_node_type() -> None:
    # 10 nodes (maxNodes), CPU 1.5 x target: m7g.xlarge (12.93 GiB >= 6.38 x 1.5, 4 vCPU >= 2 x 1.5), one rung
    d = decide_memcached(
        cluster(10), metrics(10, cpu=90), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW
    )
    assert d.action is MemcachedAction.SCALE_UP
    assert (d.target.node_type, d.target.nodes) == ("cache.m7g.xlarge", 10)
    assert d.cost_per_hour_before == pytest.approx(1.58)
    assert d.cost_per_hour_after == pytest.approx(3.15)


def test_at_max_nodes_before_memcached_1_5_is_at_bounds() -> None:
    d = decide_memcached(
        cluster(10, version="1.4.34"),
        metrics(10, cpu=90),
        MemcachedPolicy(),
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.blocked_code is BlockedBy.AT_BOUNDS
    assert d.target == d.current
    assert not d.changes_something


def test_network_allowance_alone_moves_to_a_larger_type() -> None:
    d = decide_memcached(
        cluster(3), metrics(3, network=12), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW
    )
    assert (d.action, d.target.node_type) == (MemcachedAction.SCALE_UP, "cache.m7g.xlarge")


def test_scale_in_removes_the_newest_node_and_states_the_cold_misses() -> None:
    # 4 nodes at CPU 30 % (0.5 x target), memory 31.3 % (0.42), 1000 connections (0.02) for 30 minutes.
    # 3 nodes: CPU 0.5 x 4/3 = 0.67, cold misses 1/4 = 25 % <= 25 %: fits. 2 nodes: cold misses 50 %: no.
    d = decide_memcached(cluster(4), metrics(4), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW)
    assert d.action is MemcachedAction.REMOVE_NODES
    assert (d.current.nodes, d.target.nodes) == (4, 3)
    assert d.nodes_to_remove == ("0004",)
    assert d.cold_miss_fraction == 0.25
    assert d.cost_per_hour_before == pytest.approx(0.632)
    assert d.cost_per_hour_after == pytest.approx(0.474)
    assert any("removing 1 of 4 nodes" in r and "about 25% of keys miss" in r for r in d.reasons)


def test_scale_in_goes_as_far_as_the_projected_load_and_the_cold_miss_allowance() -> None:
    # maxColdMissPercent 50: 2 nodes: CPU 0.5 x 4/2 = 1.0 <= 1 (at target), cold misses 50 %: fits
    policy = MemcachedPolicy(max_cold_miss_percent=50)
    d = decide_memcached(cluster(4), metrics(4), policy, guards=Guards(), recent=Recent(), now=NOW)
    assert (d.target.nodes, d.nodes_to_remove, d.cold_miss_fraction) == (2, ("0004", "0003"), 0.5)


def test_missing_data_on_one_node_never_scales_in() -> None:
    m = metrics(4, skip=(MemcachedMetric.CPU, "0002"))
    d = decide_memcached(cluster(4), m, MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW)
    assert d.action is MemcachedAction.NONE
    assert any("missing datapoints of CPUUtilization" in r for r in d.reasons)


def test_a_short_window_never_scales_in() -> None:
    d = decide_memcached(
        cluster(4), metrics(4, periods=10), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW
    )
    assert d.action is MemcachedAction.NONE


def test_load_between_the_thresholds_does_nothing() -> None:
    # CPU 50 % = 0.83 x target: neither above 1.1 nor below 0.75
    d = decide_memcached(
        cluster(4), metrics(4, cpu=50), MemcachedPolicy(), guards=Guards(), recent=Recent(), now=NOW
    )
    assert d.action is MemcachedAction.NONE
    assert d.target == d.current


def test_scale_in_inside_its_cooldown_is_blocked() -> None:
    recent = Recent(last_scale_in_at=NOW - timedelta(minutes=10))
    d = decide_memcached(cluster(4), metrics(4), MemcachedPolicy(), guards=Guards(), recent=recent, now=NOW)
    assert d.action is MemcachedAction.REMOVE_NODES
    assert d.blocked_code is BlockedBy.COOLDOWN


def test_a_busy_cluster_is_not_changed() -> None:
    d = decide_memcached(
        cluster(3, status="modifying"),
        metrics(3, cpu=90),
        MemcachedPolicy(),
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.blocked_code is BlockedBy.NOT_QUIESCENT
    assert d.action is MemcachedAction.NONE


def test_act_mode_is_not_a_dry_run() -> None:
    d = decide_memcached(
        cluster(3), metrics(3, cpu=90), MemcachedPolicy(mode="act"), guards=Guards(), recent=Recent(), now=NOW
    )
    assert not d.dry_run


def two_xlarge(version: str = "1.6.22") -> MemcachedCluster:
    return memcached_in_zones(["us-east-1a", "us-east-1b"], version=version, node_type=XLARGE)


AT_MIN_NODES = MemcachedPolicy(min_nodes=2)


def test_at_min_nodes_a_cold_cluster_moves_to_a_smaller_node_type() -> None:
    # Given 2 x m7g.xlarge (4 vCPU, maxmemory 9.7 GiB) at minNodes 2, each node at 20 % CPU and 3 GiB of
    # items (30.9 %) for the whole window: far below target x 0.75 (45 % CPU, 56.25 % memory)
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=20, bytes_used=3 * GIB),
        AT_MIN_NODES,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    # Then m7g.large (2 vCPU, 4.79 GiB): items 3 / 4.79 = 62.6 % < 75 %, CPU 20 x 4/2 = 40 % < 60 %
    assert d.action is MemcachedAction.SCALE_DOWN
    assert (d.current.node_type, d.target.node_type) == (XLARGE, LARGE)
    assert d.target.nodes == 2
    assert d.blocked_by is None
    assert d.cost_per_hour_before == pytest.approx(0.63)
    assert d.cost_per_hour_after == pytest.approx(0.316)
    assert any("62.6% of 4.79 GiB" in r and "CPU 20.0% -> 40.0%" in r for r in d.reasons)
    assert any("20% of keys miss per batch" in r for r in d.reasons)


def test_no_smaller_node_type_when_the_items_would_not_fit_with_headroom() -> None:
    # 3.7 GiB of items: 38.1 % of an xlarge (0.51 x target: cold enough), but 77.2 % of a large (> 75 %)
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=20, bytes_used=3.7 * GIB),
        AT_MIN_NODES,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.action is MemcachedAction.NONE
    assert d.target == d.current
    assert any("keeps projected memory and CPU under target" in r for r in d.reasons)


def test_no_smaller_node_type_when_the_cpu_would_not_fit() -> None:
    # CPU 40 % (0.67 x target) doubles to 80 % on 2 vCPU
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=40, bytes_used=1 * GIB),
        AT_MIN_NODES,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.action is MemcachedAction.NONE


def test_node_removal_comes_before_a_smaller_node_type() -> None:
    # minNodes 1 and maxColdMissPercent 50: one of the two nodes can go, so the node type stays
    policy = MemcachedPolicy(max_cold_miss_percent=50)
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=20, bytes_used=1 * GIB),
        policy,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert (d.action, d.target.nodes, d.target.node_type) == (MemcachedAction.REMOVE_NODES, 1, XLARGE)


def test_no_smaller_node_type_before_memcached_1_5() -> None:
    d = decide_memcached(
        two_xlarge("1.4.34"),
        metrics(2, cpu=20, bytes_used=3 * GIB),
        AT_MIN_NODES,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.action is MemcachedAction.NONE
    assert any("1.4.34 cannot change node type in place" in r for r in d.reasons)


def test_no_smaller_node_type_when_a_batch_would_cold_miss_too_much() -> None:
    policy = MemcachedPolicy(min_nodes=2, scale_config={"scalePercentage": 50})
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=20, bytes_used=3 * GIB),
        policy,
        guards=Guards(),
        recent=Recent(),
        now=NOW,
    )
    assert d.action is MemcachedAction.NONE
    assert any("scalePercentage 50%" in r for r in d.reasons)


def test_a_smaller_node_type_waits_for_the_scale_in_cooldown() -> None:
    recent = Recent(last_scale_in_at=NOW - timedelta(minutes=10))
    d = decide_memcached(
        two_xlarge(),
        metrics(2, cpu=20, bytes_used=3 * GIB),
        AT_MIN_NODES,
        guards=Guards(),
        recent=recent,
        now=NOW,
    )
    assert d.action is MemcachedAction.SCALE_DOWN
    assert d.blocked_code is BlockedBy.COOLDOWN
