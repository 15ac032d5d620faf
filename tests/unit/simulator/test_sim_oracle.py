"""The constrained oracle: hand-worked schedules, and a lower bound on every zero-breach run of the bench."""

import math
from functools import cache

import pytest

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import NodeTypeRules, Policy
from elasticache_autoscaler_cli.simulator.bench import BenchRow, run_bench
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.oracle import change_minutes, load_columns, oracle, reachable_types
from elasticache_autoscaler_cli.simulator.physics import Physics, breach_free, hot_share
from elasticache_autoscaler_cli.simulator.timing import ActionTimings
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag, load_at, metrics_of

from .builders import flat_trace, spec

PRICE = 0.1752  # valkey cache.r7g.large per node-hour
TIMINGS = ActionTimings(
    add_replica_minutes=10, remove_replica_minutes=5, vertical_scale_minutes=20, reshard_overhead_minutes=6
)


def _r7g_large(min_replicas: int, max_replicas: int) -> Policy:
    return Policy(
        node_types=NodeTypeRules(types=("cache.r7g.large",)),
        min_replicas_per_shard=min_replicas,
        max_replicas_per_shard=max_replicas,
    )


def _reads_step(minutes: int, at: int, before: float, after: float) -> Trace:
    flat = flat_trace(minutes, item=100.0)
    return Trace(
        minutes=flat.minutes,
        reads_per_s=tuple(before if m < at else after for m in range(minutes)),
        writes_per_s=flat.writes_per_s,
        dataset_gib=flat.dataset_gib,
        connections=flat.connections,
        avg_item_bytes=flat.avg_item_bytes,
    )


def test_with_one_capacity_to_run_on_the_oracle_pays_it_every_minute() -> None:
    group = spec(shards=1, replicas=1, mode="disabled", multi_az=True)

    found = oracle(flat_trace(120, item=600), group, _r7g_large(1, 1), timings=TIMINGS)

    assert found.cost_usd == pytest.approx(120 * 2 * PRICE / 60)


def test_a_scale_in_starts_after_the_first_minute_and_bills_the_old_nodes_while_it_runs() -> None:
    # 1 primary + 3 replicas, a light load: minute 0 as it is (no change starts before a minute of data),
    # minutes 1-5 removing replicas (the shortest removal: 5 min, the 4 nodes billed), 2 nodes from minute 6.
    group = spec(shards=1, replicas=3, mode="disabled", multi_az=True)

    found = oracle(flat_trace(60, item=600), group, _r7g_large(1, 3), timings=TIMINGS)

    assert found.cost_usd == pytest.approx((6 * 4 + 54 * 2) * PRICE / 60)


def test_a_scale_out_is_under_way_before_the_load_arrives_and_bills_the_new_nodes_meanwhile() -> None:
    # 100-byte reads cost 1.0122 op each: 90k/s on one replica is 91 % engine CPU (a breach), on two 45.5 %.
    # The shortest addition lasts 6 minutes (resharding's fixed part): 2 nodes for minutes 0-23, 3 billed
    # from minute 24 while the replica is added, serving from minute 30.
    group = spec(shards=1, replicas=1, mode="disabled", multi_az=True)
    trace = _reads_step(60, at=30, before=10_000, after=90_000)

    found = oracle(trace, group, _r7g_large(1, 2), timings=TIMINGS)

    assert found.cost_usd == pytest.approx((24 * 2 + 36 * 3) * PRICE / 60)


def test_a_group_outside_the_policys_bounds_starts_where_it_is() -> None:
    # 3 replicas where the policy allows 1-2: minute 0 on 4 nodes, 5 minutes removing, then 2 nodes.
    group = spec(shards=1, replicas=3, mode="disabled", multi_az=True)

    found = oracle(flat_trace(60, item=600), group, _r7g_large(1, 2), timings=TIMINGS)

    assert found.cost_usd == pytest.approx((6 * 4 + 54 * 2) * PRICE / 60)


def test_no_schedule_at_all_when_the_group_breaches_in_its_first_minute() -> None:
    group = spec(shards=1, replicas=1, mode="disabled", multi_az=True)

    found = oracle(_reads_step(30, at=0, before=0, after=90_000), group, _r7g_large(1, 2), timings=TIMINGS)

    assert not found.feasible
    assert math.isinf(found.cost_usd)


def test_each_change_lasts_the_shortest_time_a_change_of_its_kind_can() -> None:
    shortest = change_minutes(TIMINGS)

    assert (shortest.other_type, shortest.more_nodes, shortest.fewer_nodes) == (20, 6, 5)


def test_the_types_are_every_allowed_modification_reachable_from_the_groups_type() -> None:
    found = set(reachable_types(spec(), Policy()))

    assert {"cache.r7g.large", "cache.m7g.large", "cache.r7g.16xlarge"} <= found
    assert not {n for n in found if n.startswith(("cache.t4g.", "cache.t3."))}


@pytest.mark.parametrize(
    ("shards", "replicas", "name"), [(1, 1, "cache.r7g.large"), (4, 2, "cache.m7g.xlarge")]
)
def test_the_oracles_breach_rule_is_the_twins_minute_by_minute(shards: int, replicas: int, name: str) -> None:
    group = spec(shards=4, replicas=1, hot=0.45)
    trace = _reads_step(40, at=20, before=10_000, after=400_000)
    capacity = Capacity(node_type=name, shards=shards, replicas_per_shard=replicas)
    node = node_type(name)
    physics = Physics()
    share = hot_share(shards, group.shards, group.hot_shard_share, group.hot_key_split)

    vectorised = breach_free(
        physics, node, shards=shards, replicas=replicas, hot=share, load=load_columns(trace)
    )
    twin = [
        not any(metrics_of(capacity, node, group, load_at(trace, i), physics).breach_causes(physics))
        for i in range(len(trace))
    ]

    assert vectorised.tolist() == twin
    assert vectorised.any()


@cache
def _bench() -> tuple[BenchRow, ...]:
    return tuple(run_bench(cloudwatch=CloudWatchLag()))


def test_no_zero_breach_run_of_any_policy_costs_less_than_the_oracle_on_any_shipped_scenario() -> None:
    checked = 0
    for row in _bench():
        assert math.isfinite(row.oracle_usd), row.scenario
        for name, result in row.results.items():
            if result.breach_minutes == 0:
                checked += 1
                assert result.cost_usd >= row.oracle_usd - 1e-9, (row.scenario, name)
    assert checked >= 20
