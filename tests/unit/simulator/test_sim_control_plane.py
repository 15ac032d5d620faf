"""Each policy's own AWS bill, charged by the bench: hand-worked from the list prices."""

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.baselines import controller
from elasticache_autoscaler_cli.simulator.control_plane import change_cost, control_plane_usd, our_cost
from elasticache_autoscaler_cli.simulator.result import ActionRecord, SimulationResult

from .builders import spec

ONE_BY_ONE = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1)


def _quiet_hour() -> SimulationResult:
    result = SimulationResult(policy="autoscaler", minutes=60, initial=ONE_BY_ONE, final=ONE_BY_ONE)
    result.series.nodes.extend([2] * 60)
    result.node_hours = 2.0
    return result


def test_a_quiet_hour_of_ours_is_twelve_evaluations_their_metrics_and_twelve_alarms() -> None:
    # One evaluation: 4 transitions x $0.000025 + 2 requests x $0.0000002 + 0.051 GB-s x $0.0000133334
    # + 2 WRU x $0.000000625 + 2.5 RRU x $0.000000125 = $0.00010264; 18 metrics x $0.00001 = $0.00018:
    # $0.00028264 (docs/system-bench.md: 282.6 micro-USD). Alarms: 6 per node x 2 nodes x 1 h x $0.10 / 730.
    expected = 12 * (0.0001 + 0.0000004 + 0.051 * 0.0000133334 + 0.00000125 + 0.0000003125 + 0.00018)
    expected += 12 * 0.10 / 730

    assert our_cost(_quiet_hour(), alarm_minutes=[]) == pytest.approx(expected, rel=1e-4)


def test_an_alarm_driven_evaluation_reads_the_metrics_of_the_nodes_then() -> None:
    quiet = our_cost(_quiet_hour(), alarm_minutes=[])

    assert our_cost(_quiet_hour(), alarm_minutes=[7]) - quiet == pytest.approx(0.00028264, rel=1e-3)


def test_a_change_adds_the_act_path_and_one_check_round_per_30_seconds() -> None:
    ten_minutes = ActionRecord(Action.ADD_REPLICAS, 5, 15, ONE_BY_ONE, ONE_BY_ONE, "test")
    # 20 rounds instead of the 4 measured: 71 transitions, 27 invocations (docs/system-bench.md: 1973.8
    # micro-USD with one evaluation's 18 metrics), less the evaluation already charged (282.6).
    assert change_cost(ten_minutes) == pytest.approx(0.0019738 - 0.0002826, rel=2e-3)


def test_application_auto_scaling_is_charged_its_six_alarms_where_it_scales() -> None:
    hour = _quiet_hour()

    enabled = control_plane_usd(controller("app-autoscaling"), hour, spec(shards=1))
    disabled = control_plane_usd(controller("app-autoscaling"), hour, spec(shards=1, mode="disabled"))

    assert enabled == pytest.approx(6 * 0.10 / 730)
    assert disabled == 0.0
    assert control_plane_usd(controller("static-peak"), hour, spec()) == 0.0
