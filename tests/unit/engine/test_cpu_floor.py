"""The CPU scale-out floor: engine CPU above target x (1 + tolerance) scales out only when its trend-aware
view, or where its steady slope leads within the 10-min lead time, is above ``cpuScaleOutFloorPercent``
(default 80 %). The target still sizes the change."""

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.signals import climbing
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.policy import Targets
from tests.unit.engine.builders import ACT, NOW, metrics, replica_cpu, snapshot, topology


def test_read_cpu_between_the_threshold_and_the_floor_scales_nothing() -> None:
    """75 % read CPU, steady: above 60 x 1.1 = 66 %, not above the 80 % floor: the engine thread has 15
    points of headroom to the 90 % where it saturates."""
    topo = topology(shards=2, replicas=1)

    decision = decide(snapshot(topo, metrics(topo, read_cpu=75.0)), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("under the CPU scale-out floor 80.0%" in reason for reason in decision.reasons)


def test_read_cpu_above_the_floor_is_sized_to_the_target() -> None:
    """85 % read CPU on 1 replica: above the floor; sized on the 60 % target, ceil(1 x 85 / 60) = 2."""
    topo = topology(shards=2, replicas=1)

    decision = decide(snapshot(topo, metrics(topo, read_cpu=85.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
    assert decision.target.replicas_per_shard == 2
    assert any("read CPU at or climbing over the CPU scale-out floor 80.0%" in r for r in decision.reasons)


def test_write_cpu_under_the_floor_on_a_group_without_cluster_mode_keeps_its_node_type() -> None:
    topo = topology(cluster_mode=False, shards=1, replicas=1)

    decision = decide(snapshot(topo, metrics(topo, write_cpu=78.0)), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any(r.startswith("write CPU: max 78.0%") and "floor 80.0%" in r for r in decision.reasons)


def test_a_steady_climb_toward_the_floor_scales_out_before_it_gets_there() -> None:
    """Read CPU climbing 1 point a minute to 75 %: no breakout (75 is not above the half-hour range's top
    70 by half its width), so the trend-aware view is the 3-min mean, 74 %, under the floor. Its steady
    slope leads to 74 + 1 x ((3 - 1) / 2 + 10) = 85 % within the 10 min a replica takes: above the floor."""
    topo = topology(shards=2, replicas=1)
    ramp = tuple(float(v) for v in range(16, 76))  # 16 .. 75, one point a minute
    data = replica_cpu(metrics(topo), ramp)

    assert climbing({"0001": ramp}, 3, 10.0) == 85.0
    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
    assert decision.signals["readCpuAheadPercent"] == 74.0
    assert decision.signals["readCpuClimbPercent"] == 85.0


def test_a_falling_or_flat_signal_climbs_nowhere() -> None:
    assert climbing({"0001": (80.0, 79.0, 78.0, 77.0)}, 3, 10.0) == 78.0
    assert climbing({"0001": (70.0,) * 20}, 3, 10.0) == 70.0
    assert climbing({}, 3, 10.0) is None


def test_a_floor_at_zero_scales_out_at_the_threshold_as_target_tracking_does() -> None:
    topo = topology(shards=2, replicas=1)
    policy = ACT.model_copy(update={"targets": Targets(cpu_scale_out_floor_percent=0.0)})

    decision = decide(snapshot(topo, metrics(topo, read_cpu=75.0)), policy, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
