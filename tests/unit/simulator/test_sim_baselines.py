"""Each baseline's rules against hand-worked examples (cache.r7g.large, tiny items: 100k ops/s = 100 %)."""

from datetime import datetime

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import MetricName, Role, Snapshot
from elasticache_autoscaler.simulator.baselines import controller
from elasticache_autoscaler.simulator.baselines.app_autoscaling import (
    AppAutoScalingController,
    Dimension,
    clamp_target,
    replicas_after_scale_out,
    shards_after_scale_in,
    shards_after_scale_out,
)
from elasticache_autoscaler.simulator.baselines.autoscaler import AutoscalerController
from elasticache_autoscaler.simulator.baselines.hpa import HpaController, Stabilizer, desired_count
from elasticache_autoscaler.simulator.baselines.static_peak import peak_capacity
from elasticache_autoscaler.simulator.physics import Physics
from elasticache_autoscaler.simulator.twin import simulate

from .builders import flat_trace, spec

TINY = 0.001  # bytes per item: one op-equivalent per operation, no network to speak of


# --- Application Auto Scaling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        (4, 90, 60, 6),  # deviation 50 % of 4 = 2 > 20 % of 4 = 0.8
        (10, 63, 60, 12),  # deviation 5 % of 10 = 0.5 < 20 % of 10 = 2
        (1, 61, 60, 2),  # always at least one
    ],
)
def test_app_autoscaling_adds_the_larger_of_the_deviation_and_20_percent_of_shards(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert shards_after_scale_out(current, metric, target) == expected


@pytest.mark.parametrize(("current", "metric", "expected"), [(2, 90, 3), (1, 70, 2), (4, 120, 8)])
def test_app_autoscaling_adds_round_of_the_deviation_in_replicas_and_at_least_one(
    current: int, metric: float, expected: int
) -> None:
    assert replicas_after_scale_out(current, metric, 60) == expected


def test_app_autoscaling_targets_are_limited_to_35_70_and_scale_in_follows_the_ratio() -> None:
    assert (clamp_target(90), clamp_target(20), clamp_target(50)) == (70, 35, 50)
    assert shards_after_scale_in(4, 10, 60) == 1
    assert shards_after_scale_in(4, 44, 60) == 3


def test_app_autoscaling_cooldowns_last_600_seconds() -> None:
    dimension = Dimension([], last_scale_out=10)

    assert dimension.in_scale_out_cooldown(19)
    assert not dimension.in_scale_out_cooldown(20)


def test_app_autoscaling_scales_out_on_the_third_minute_above_target() -> None:
    # average primary CPU 80 % (80k writes per shard) against a 60 % target.
    result = simulate(
        flat_trace(30, writes=160_000, item=TINY, dataset=0.0), spec(shards=2), AppAutoScalingController()
    )

    first = result.actions[0]
    assert (first.started_minute, first.action, first.target.shards) == (2, Action.ADD_SHARDS, 3)
    assert len(result.actions) == 1  # 3 shards: 53 % average, under target


def test_app_autoscaling_scales_in_after_15_minutes_at_or_below_75_percent_of_target() -> None:
    result = simulate(
        flat_trace(40, writes=4_000, item=TINY, dataset=0.0), spec(shards=4), AppAutoScalingController()
    )

    first = result.actions[0]
    assert (first.started_minute, first.action, first.target.shards) == (14, Action.REMOVE_SHARDS, 1)


def test_app_autoscaling_removes_replicas_one_at_a_time() -> None:
    result = simulate(
        flat_trace(60, reads=1_000, writes=40_000, item=TINY, dataset=0.0),
        spec(shards=1, replicas=3),
        AppAutoScalingController(),
    )

    assert [(a.action, a.target.replicas_per_shard) for a in result.actions][:2] == [
        (Action.REMOVE_REPLICAS, 2),
        (Action.REMOVE_REPLICAS, 1),
    ]


def test_app_autoscaling_sees_the_average_so_it_misses_a_hot_shard() -> None:
    # 70 % of 150k writes on one of 4 shards: that primary needs 105 % CPU; the average shows 32.5 %.
    result = simulate(
        flat_trace(60, writes=150_000, item=TINY, dataset=0.0),
        spec(shards=4, hot=0.7),
        AppAutoScalingController(Policy(scale_in_enabled=True)),
    )

    assert not any(a.action.is_scale_out for a in result.actions)
    assert result.breach_minutes_by_cause["cpu"] == 60


def test_app_autoscaling_does_nothing_in_cluster_mode_disabled() -> None:
    result = simulate(
        flat_trace(60, reads=200_000, item=TINY),
        spec(shards=1, replicas=1, mode="disabled"),
        AppAutoScalingController(),
    )

    assert result.actions == []


# --- HPA ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("metric", "expected"), [(65, 4), (55, 4), (90, 6), (30, 2), (61, 4)])
def test_hpa_desired_is_ceil_current_times_ratio_outside_a_10_percent_tolerance(
    metric: float, expected: int
) -> None:
    assert desired_count(4, metric, 60) == expected


def test_hpa_scale_down_uses_the_highest_recommendation_of_the_last_5_minutes() -> None:
    stabilizer = Stabilizer()

    assert stabilizer.stabilized(0, 5, current=5) == 5
    assert [stabilizer.stabilized(m, 3, current=5) for m in range(1, 6)] == [5, 5, 5, 5, 3]
    assert stabilizer.stabilized(6, 8, current=3) == 8  # scale up is immediate


def test_hpa_scales_replicas_on_the_average_replica_cpu() -> None:
    # 2 replicas at 85 % read CPU each (170k reads), target 60 -> ceil(2 x 1.42) = 3.
    result = simulate(flat_trace(10, reads=170_000, item=TINY), spec(shards=1, replicas=2), HpaController())

    assert (result.actions[0].started_minute, result.actions[0].target.replicas_per_shard) == (0, 3)


# --- static peak --------------------------------------------------------------------------------------


def test_static_peak_is_the_cheapest_topology_holding_the_peak_with_20_percent_headroom() -> None:
    # 20 GiB x 1.2 = 24 GiB: 3 x large (29.4 GiB) at 6 nodes x $0.1752 beats 2 x xlarge and 1 x 2xlarge.
    trace = flat_trace(30, reads=1_000, dataset=20.0, item=TINY)

    assert peak_capacity(spec(shards=2, multi_az=True), trace, Physics(), Policy()) == Capacity(
        node_type="cache.r7g.large", shards=3, replicas_per_shard=1
    )
    # Cluster mode disabled: one shard, so the node type must hold it all: 2xlarge (39.62 GiB).
    assert peak_capacity(
        spec(shards=1, mode="disabled", multi_az=True), trace, Physics(), Policy()
    ) == Capacity(node_type="cache.r7g.2xlarge", shards=1, replicas_per_shard=1)


def test_static_peak_never_changes() -> None:
    trace = flat_trace(30, reads=1_000, dataset=20.0, item=TINY)

    assert simulate(trace, spec(shards=2, multi_az=True), controller("static-peak")).actions == []


# --- ours ---------------------------------------------------------------------------------------------


class RecordingEngine:
    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    def __call__(self, snapshot: Snapshot, policy: Policy, history: History, now: datetime) -> Decision:
        self.snapshots.append(snapshot)
        current = Capacity(
            node_type=snapshot.topology.node_type,
            shards=snapshot.topology.shard_count,
            replicas_per_shard=snapshot.topology.replicas_per_shard,
        )
        return Decision(action=Action.NONE, current=current, target=current, reasons=("nothing to do",))


def test_ours_is_called_every_5_minutes_and_when_an_alarm_changes_to_alarm() -> None:
    # data outgrows maxmemory (2 x 9.8 GiB) at minute 12: the evictions alarm fires there.
    dataset = tuple(10.0 if m < 12 else 25.0 for m in range(25))
    trace = flat_trace(25, reads=1_000, writes=100, item=TINY)
    trace = type(trace)(
        trace.minutes, trace.reads_per_s, trace.writes_per_s, dataset, trace.connections, trace.avg_item_bytes
    )
    engine = RecordingEngine()
    ours = AutoscalerController(engine=engine)

    simulate(trace, spec(shards=2), ours)

    # 12: evictions (1 of 1); 13: memory at 100 % for 2 of 3 minutes; the rest: the schedule.
    assert ours.evaluations == [4, 9, 12, 13, 14, 19, 24]
    assert ours.policy.mode == "act"


def test_ours_sees_cloudwatch_series_per_shard_and_role_with_the_hot_shard_first() -> None:
    engine = RecordingEngine()
    simulate(
        flat_trace(40, writes=40_000, reads=20_000, item=TINY),
        spec(shards=4, hot=0.4),
        AutoscalerController(engine=engine),
    )

    snapshot = engine.snapshots[-1]
    assert snapshot.topology.shard_count == 4
    assert snapshot.topology.status == "available"
    write_cpu = snapshot.metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY)
    assert write_cpu["0001"][-1] == pytest.approx(16.0)  # 40 % of 40k writes
    assert write_cpu["0002"][-1] == pytest.approx(8.0)
    assert len(write_cpu["0001"]) == 35  # the stabilization window and 5 minutes
    assert {s.metric for s in snapshot.metrics.series} == set(MetricName)
