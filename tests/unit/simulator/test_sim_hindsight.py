"""Hindsight: the cheapest schedule under the scale-out thresholds, and how the bench uses it."""

import pytest

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import NodeTypeRules, Policy
from elasticache_autoscaler_cli.simulator.bench import BenchRow, goal_check
from elasticache_autoscaler_cli.simulator.hindsight import candidates, hindsight
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.result import SimulationResult

from .builders import flat_trace, spec

R7G_LARGE_ONLY = Policy(node_types=NodeTypeRules(types=("cache.r7g.large",)))
PRICE = 0.1752  # valkey cache.r7g.large per node-hour


def test_each_minute_runs_on_the_cheapest_topology_under_the_thresholds() -> None:
    # 10 GiB: one r7g.large shard would be 102 % of maxmemory (9.8 GiB), two are 51 % (under 82.5 %);
    # Multi-AZ keeps a replica per shard: 4 nodes for the first hour. 6 GiB in the second hour fit 1 shard.
    first, second = flat_trace(60, dataset=10.0, item=600), flat_trace(60, dataset=6.0, item=600)
    trace = Trace(
        minutes=tuple(range(120)),
        reads_per_s=first.reads_per_s + second.reads_per_s,
        writes_per_s=first.writes_per_s + second.writes_per_s,
        dataset_gib=first.dataset_gib + second.dataset_gib,
        connections=first.connections + second.connections,
        avg_item_bytes=first.avg_item_bytes + second.avg_item_bytes,
    )

    best = hindsight(trace, spec(shards=2, replicas=1, multi_az=True), R7G_LARGE_ONLY)

    assert best.unholdable_minutes == 0
    assert best.cost_usd == pytest.approx((4 + 2) * PRICE)


def test_the_candidates_are_what_the_engine_could_reach() -> None:
    found = {c.node_type for c in candidates(spec(), Policy())}

    assert "cache.r7g.large" in found
    assert "cache.m7g.large" in found  # another family ElastiCache lists
    assert not {n for n in found if n.startswith(("cache.t4g.", "cache.t3.", "cache.r6gd."))}


def _row(ours: float, aas: float, peak: float, hindsight_usd: float) -> BenchRow:
    def result(name: str, cost: float) -> SimulationResult:
        capacity = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1)
        return SimulationResult(policy=name, minutes=60, initial=capacity, final=capacity, cost_usd=cost)

    results = {
        "autoscaler": result("autoscaler", ours),
        "app-autoscaling": result("app-autoscaling", aas),
        "static-peak": result("static-peak", peak),
    }
    return BenchRow("scenario", True, results, hindsight_usd)


def test_a_cost_goal_even_hindsight_misses_is_marked_out_of_reach() -> None:
    lines = goal_check([_row(ours=12.0, aas=10.0, peak=100.0, hindsight_usd=11.0)])

    marked = "FAIL  scenario: cost <= app-autoscaling  (out of reach under the targets: hindsight costs 11.00"
    assert any(line.startswith(marked) for line in lines)
    assert lines[-1] == "4 of 5 goal checks pass"


def test_a_cost_goal_hindsight_meets_is_a_plain_failure() -> None:
    lines = goal_check([_row(ours=12.0, aas=10.0, peak=100.0, hindsight_usd=9.0)])

    assert "FAIL  scenario: cost <= app-autoscaling" in lines
