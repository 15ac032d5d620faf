"""The bench's Memcached and Serverless part: its scenarios are generated deterministically, its rows and
goal checks are in the bench's output, and each check reads as documented on hand-made rows."""

from functools import cache
from pathlib import Path

import pytest

from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler_cli.simulator.bench import goal_check
from elasticache_autoscaler_cli.simulator.kind_bench import (
    KIND_POLICIES,
    KindBenchRow,
    format_kind_tables,
    kind_checks,
    kind_scenarios,
    run_kind_bench,
)
from elasticache_autoscaler_cli.simulator.kind_result import AnyKindResult, KindResult
from elasticache_autoscaler_cli.simulator.scenario_files import scenario_root
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag
from tools.make_scenarios import KIND_SCENARIOS, build

MEMCACHED = MemcachedCapacity(node_type="cache.r7g.large", nodes=3)
LIMITS = UsageLimits(ecpu_per_second_max=40_000)


@pytest.mark.parametrize("name", sorted(KIND_SCENARIOS))
def test_each_kind_scenario_is_regenerated_byte_for_byte(name: str, tmp_path: Path) -> None:
    minutes, spec, load, seed = KIND_SCENARIOS[name]

    build(name, minutes, spec, load, seed, out=tmp_path)

    shipped = scenario_root().joinpath(name)
    for file in ("trace.csv", "cluster.json"):
        assert (tmp_path / name / file).read_bytes() == shipped.joinpath(file).read_bytes(), file


def test_at_least_two_scenarios_of_each_kind_ship() -> None:
    kinds = [s.kind for s in kind_scenarios()]

    assert kinds.count("memcached") >= 2
    assert kinds.count("serverless") >= 2


@cache
def _bench() -> tuple[KindBenchRow, ...]:
    return tuple(run_kind_bench(cloudwatch=CloudWatchLag(), workers=1))


def test_the_bench_runs_every_policy_of_the_kind_on_every_scenario_of_the_kind() -> None:
    rows = _bench()

    assert {row.scenario for row in rows} == set(KIND_SCENARIOS)
    for row in rows:
        assert tuple(row.results) == KIND_POLICIES[row.kind]
        assert all(result.minutes > 0 and result.cost_usd > 0 for result in row.results.values())


def test_the_bench_prints_a_table_per_kind_and_the_kinds_goal_checks() -> None:
    rows = list(_bench())

    tables = format_kind_tables(rows)
    lines = goal_check([], rows)

    assert "Memcached clusters" in tables
    assert "Serverless caches" in tables
    assert "cold misses M" in tables
    assert "throttled M" in tables
    for row in rows:
        assert row.scenario in tables
        texts = [line for line in lines if f"  {row.scenario}: " in line]
        assert len(texts) == (4 if row.kind == "memcached" else 2)
        assert all(text.startswith(("PASS", "FAIL")) for text in texts)


def _memcached(policy: str, cost: float, breach: int, cold: float) -> AnyKindResult:
    return KindResult[MemcachedCapacity](
        policy, "memcached", 60, MEMCACHED, MEMCACHED, cost_usd=cost, breach_minutes=breach, cold_misses=cold
    )


def _serverless(policy: str, breach: int) -> AnyKindResult:
    return KindResult[UsageLimits](
        policy, "serverless", 60, LIMITS, LIMITS, cost_usd=1.0, breach_minutes=breach
    )


def test_memcached_checks_compare_breaches_with_aas_cost_with_static_peak_and_cold_misses_with_aas() -> None:
    row = KindBenchRow(
        "m",
        "memcached",
        {
            "autoscaler": _memcached("autoscaler", 10.0, 3, 2e6),
            "app-autoscaling": _memcached("app-autoscaling", 9.0, 6, 1e6),
            "static-peak": _memcached("static-peak", 12.0, 0, 0.0),
        },
    )

    assert kind_checks(row) == [
        (True, "no reversal within 30 min: 0"),
        (True, "breach <= 0.5 x AAS (<= 1 where AAS has 0): 3 vs 3 allowed (AAS 6)"),
        (True, "cost <= static peak: 10.00 vs 12.00"),
        (False, "cold misses <= AAS: 2.00 M vs 1.00 M"),
    ]


def test_serverless_checks_compare_breaches_with_the_limits_as_set() -> None:
    row = KindBenchRow(
        "s", "serverless", {"autoscaler": _serverless("autoscaler", 2), "limits-as-set": _serverless("x", 0)}
    )

    assert kind_checks(row)[1] == (
        False,
        "breach <= 0.5 x limits as set (<= 1 where they have 0): 2 vs 1 allowed (limits as set 0)",
    )
