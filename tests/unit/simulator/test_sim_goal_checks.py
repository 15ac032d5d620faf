"""Issue 12's goal as the bench checks it, on hand-made rows."""

import math

import pytest

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.baselines import controller
from elasticache_autoscaler_cli.simulator.baselines.app_autoscaling import clamp_target
from elasticache_autoscaler_cli.simulator.bench import BenchRow, geometric_mean_to_oracle, goal_check
from elasticache_autoscaler_cli.simulator.result import SimulationResult

GROUP = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1)


def _result(name: str, cost: float, breach: int) -> SimulationResult:
    return SimulationResult(
        policy=name, minutes=60, initial=GROUP, final=GROUP, cost_usd=cost, breach_minutes=breach
    )


Run = tuple[float, int]  # (cost, breach minutes)


def _row(ours: Run, aas: Run, as_is: Run, oracle: float) -> BenchRow:
    results = {
        "autoscaler": _result("autoscaler", *ours),
        "app-autoscaling": _result("app-autoscaling", *aas),
        "as-is": _result("as-is", *as_is),
    }
    return BenchRow("scenario", True, results, oracle)


def test_one_breach_minute_is_allowed_where_application_auto_scaling_has_none() -> None:
    lines = goal_check([_row(ours=(10.0, 1), aas=(11.0, 0), as_is=(20.0, 5), oracle=10.0)])

    assert "PASS  scenario: breach <= 0.5 x AAS (<= 1 where AAS has 0): 1 vs 1 allowed (AAS 0)" in lines
    assert "PASS  scenario: cost <= AAS: 10.00 vs 11.00 (oracle 10.00)" in lines
    assert not any("as-is" in line for line in lines)  # as-is breaches more: no cost check against it


def test_ours_may_not_cost_more_than_leaving_the_group_when_that_breaches_no_more() -> None:
    lines = goal_check([_row(ours=(12.0, 0), aas=(11.0, 8), as_is=(11.5, 0), oracle=10.0)])

    assert "FAIL  scenario: cost <= as-is (which breaches 0 min, no more): 12.00 vs 11.50" in lines
    assert "FAIL  scenario: cost <= AAS: 12.00 vs 11.00 (oracle 10.00)" in lines
    assert "PASS  scenario: breach <= 0.5 x AAS (<= 1 where AAS has 0): 0 vs 4 allowed (AAS 8)" in lines


def test_the_cost_goal_against_the_oracle_is_a_geometric_mean_over_scenarios() -> None:
    within = [
        _row(ours=(12.0, 0), aas=(12.0, 0), as_is=(12.0, 0), oracle=10.0),
        _row(ours=(11.0, 0), aas=(12.0, 0), as_is=(12.0, 0), oracle=10.0),
    ]
    beyond = [_row(ours=(13.0, 0), aas=(12.0, 0), as_is=(12.0, 0), oracle=10.0), within[1]]

    assert geometric_mean_to_oracle(within) == pytest.approx(math.sqrt(1.2 * 1.1))  # 1.149
    assert goal_check(within)[-2:] == [
        "PASS  all scenarios: geometric-mean cost / oracle <= 1.15: 1.149",
        "9 of 9 goal checks pass",
    ]
    assert goal_check(beyond)[-2:] == [
        "FAIL  all scenarios: geometric-mean cost / oracle <= 1.15: 1.196",
        "6 of 9 goal checks pass",
    ]


def test_a_scenario_without_a_zero_breach_schedule_is_left_out_of_the_mean() -> None:
    rows = [
        _row(ours=(12.0, 0), aas=(12.0, 0), as_is=(12.0, 0), oracle=10.0),
        _row(ours=(99.0, 3), aas=(12.0, 9), as_is=(12.0, 9), oracle=math.inf),
    ]

    assert geometric_mean_to_oracle(rows) == pytest.approx(1.2)


def test_application_auto_scaling_runs_at_its_70_percent_cap_and_at_our_75() -> None:
    assert clamp_target(75.0) == 70.0
    assert clamp_target(75.0, highest=75.0) == 75.0
    assert controller("app-autoscaling").name == "app-autoscaling"
    assert controller("app-autoscaling@75").name == "app-autoscaling@75"
