"""Signals -> actions, in both cluster modes: which rule wins, how far it goes, and why the others did not."""

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy, Capacity
from elasticache_autoscaler.models.policy import MaxStep, Policy
from elasticache_autoscaler.models.snapshot import MetricName, Role, Snapshot, Topology
from tests.unit.engine.builders import ACT, AT_TARGET, NOW, PerShard, metrics, past, snapshot, topology

ENABLED = {"cluster_mode": True, "shards": 2}
DISABLED = {"cluster_mode": False, "shards": 1}


@pytest.mark.parametrize(
    ("mode", "signal", "action"),
    [
        (ENABLED, {"memory": 90.0}, Action.ADD_SHARDS),
        (DISABLED, {"memory": 90.0}, Action.SCALE_UP),
        (ENABLED, {"evictions": 12.0}, Action.ADD_SHARDS),
        (DISABLED, {"evictions": 12.0}, Action.SCALE_UP),
        (ENABLED, {"write_cpu": 85.0}, Action.ADD_SHARDS),
        (DISABLED, {"write_cpu": 85.0}, Action.SCALE_UP),
        (ENABLED, {"read_cpu": 85.0}, Action.ADD_REPLICAS),
        (DISABLED, {"read_cpu": 85.0}, Action.ADD_REPLICAS),
        (ENABLED, {"connections": 60_000.0}, Action.ADD_REPLICAS),
        (DISABLED, {"connections": 60_000.0}, Action.ADD_REPLICAS),
        (ENABLED, {"network": 4.0}, Action.SCALE_UP),
        (DISABLED, {"network": 4.0}, Action.SCALE_UP),
    ],
    ids=str,
)
def test_each_pressure_maps_to_its_action(
    mode: dict[str, object], signal: dict[str, float], action: Action
) -> None:
    topo = topology(**mode)  # type: ignore[arg-type]

    decision = decide(snapshot(topo, metrics(topo, **signal)), ACT, (), NOW)  # type: ignore[arg-type]

    assert decision.action is action, decision.reasons
    assert decision.changes_something
    assert decision.cost_per_hour_after > decision.cost_per_hour_before


def test_rules_apply_in_order_memory_before_read_cpu() -> None:
    topo = topology()

    decision = decide(snapshot(topo, metrics(topo, memory=90.0, read_cpu=90.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_SHARDS
    assert any("read CPU: max 90.0%" in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("memory", "action"),
    [
        ({"0001": 92.0}, Action.ADD_SHARDS),  # one hot shard: max 92 %, average 51 %
        (60.0, Action.NONE),  # evenly loaded below the threshold
    ],
)
def test_hot_shard_not_the_average_decides(memory: PerShard, action: Action) -> None:
    topo = topology(shards=4)
    data = metrics(topo, memory=memory, others=38.0)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is action
    if action is Action.ADD_SHARDS:
        assert decision.signals["memoryMaxPercent"] == 92.0
        assert decision.signals["memoryAvgPercent"] == pytest.approx(51.5)


def test_hot_shard_write_cpu_scales_out_although_the_average_is_low() -> None:
    topo = topology(shards=5)

    decision = decide(snapshot(topo, metrics(topo, write_cpu={"0003": 95.0}, others=20.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_SHARDS
    assert decision.signals["writeCpuAvgPercent"] == pytest.approx(35.0)


@pytest.mark.parametrize(
    ("memory", "shards", "step", "expected"),
    [
        (90.0, 4, 4, 5),  # ceil(4 x 90 / 75) = 5 (the default memory target is 75 %)
        (140.0, 4, 4, 8),  # ceil(4 x 140 / 75) = 8
        (140.0, 4, 2, 6),  # clamped by maxStep.shards
        (140.0, 9, 4, 10),  # clamped by maxShards
        (90.0, 10, 4, 10),  # at max: no more shards (a larger node instead)
    ],
)
def test_shards_are_sized_proportionally_and_clamped(
    memory: float, shards: int, step: int, expected: int
) -> None:
    topo = topology(shards=shards)
    policy = ACT.model_copy(update={"max_step": MaxStep(shards=step)})

    decision = decide(snapshot(topo, metrics(topo, memory=memory)), policy, (), NOW)

    assert decision.target.shards == expected


def test_at_max_shards_memory_pressure_moves_to_a_larger_node() -> None:
    topo = topology(shards=10)

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), ACT, (), NOW)

    assert decision.action is Action.SCALE_UP
    assert decision.target == Capacity(node_type="cache.r7g.xlarge", shards=10, replicas_per_shard=1)
    assert "shards: at max 10" in decision.reasons


def test_at_max_shards_and_largest_allowed_node_the_decision_is_blocked_at_bounds() -> None:
    topo = topology(shards=10, allowed_up=())

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), ACT, (), NOW)

    assert decision.blocked_code is BlockedBy.AT_BOUNDS
    assert decision.target == decision.current
    assert "shards: at max 10" in decision.reasons


def test_replicas_grow_proportionally_up_to_the_step() -> None:
    topo = topology(cluster_mode=False, shards=1, replicas=2)  # enabled: past 3 replicas, shards instead
    policy = ACT.model_copy(update={"max_step": MaxStep(replicas=3)})

    decision = decide(snapshot(topo, metrics(topo, read_cpu=100.0)), policy, (), NOW)

    assert decision.target.replicas_per_shard == 4  # ceil(2 x 100 / 60)


def test_read_cpu_at_max_replicas_moves_to_a_larger_node() -> None:
    topo = topology(replicas=3)
    policy = ACT.model_copy(update={"max_replicas_per_shard": 3})

    decision = decide(snapshot(topo, metrics(topo, read_cpu=90.0)), policy, (), NOW)

    assert decision.action is Action.SCALE_UP
    assert any("replicas: at max 3 per shard" in reason for reason in decision.reasons)


def test_connections_at_max_replicas_are_at_bounds_a_larger_node_does_not_help() -> None:
    topo = topology(replicas=5)

    decision = decide(snapshot(topo, metrics(topo, connections=64_000.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
    assert decision.blocked_code is BlockedBy.AT_BOUNDS


def test_a_stuck_rule_does_not_hide_a_feasible_one() -> None:
    topo = topology(replicas=5, shards=2)

    decision = decide(snapshot(topo, metrics(topo, connections=64_000.0, network=2.0)), ACT, (), NOW)

    assert decision.action is Action.SCALE_UP
    assert decision.changes_something


def test_evictions_alone_add_one_shard() -> None:
    topo = topology(shards=3)

    decision = decide(snapshot(topo, metrics(topo, memory=50.0, evictions=5.0)), ACT, (), NOW)

    assert decision.target.shards == 4


def test_within_tolerance_nothing_happens() -> None:
    topo = topology()

    decision = decide(snapshot(topo, metrics(topo, memory=76.0, write_cpu=65.0)), ACT, (), NOW)

    assert decision.action is Action.NONE


def test_no_data_at_all_is_not_a_reason_to_act() -> None:
    topo = topology()
    data = metrics(
        topo, memory=None, write_cpu=None, read_cpu=None, connections=None, evictions=None, network=None
    )

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert decision.signals["memoryMaxPercent"] is None
    assert any("missing data" in reason for reason in decision.reasons)


def test_every_signal_key_is_reported() -> None:
    decision = decide(snapshot(), ACT, (), NOW)

    assert {
        "memoryMaxPercent",
        "memoryAvgPercent",
        "evictions",
        "writeCpuMaxPercent",
        "readCpuMaxPercent",
        "connectionsMaxPerNode",
        "networkAllowanceExceeded",
        "replicationLagMaxSeconds",
        "windowMemoryMaxPercent",
        "authTokenAgeDays",
    } <= decision.signals.keys()


def test_costs_are_price_times_node_count() -> None:
    topo = topology(shards=2, replicas=1)  # 4 x cache.r7g.large valkey at 0.1752

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), ACT, (), NOW)

    assert decision.cost_per_hour_before == pytest.approx(4 * 0.1752)
    assert decision.cost_per_hour_after == pytest.approx(decision.target.node_count * 0.1752)


@pytest.mark.parametrize(("policy", "dry_run"), [(Policy(mode="observe"), True), (Policy(mode="act"), False)])
def test_observe_mode_marks_the_decision_dry_run(policy: Policy, dry_run: bool) -> None:
    topo = topology()

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), policy, (), NOW)

    assert decision.dry_run is dry_run
    assert decision.action is Action.ADD_SHARDS


def test_approval_is_flagged_for_actions_the_policy_names() -> None:
    topo = topology()
    policy = ACT.model_copy(update={"approval_required": frozenset({Action.ADD_SHARDS})})

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), policy, (), NOW)

    assert decision.approval_required


def test_read_cpu_needing_more_than_the_fan_out_limit_of_replicas_adds_shards() -> None:
    """Cluster mode enabled: past three replicas per shard, reads are relieved by more shards (every replica
    replays every write, and the primary sends every write to each replica)."""
    topo = topology(shards=2, replicas=3)

    decision = decide(snapshot(topo, metrics(topo, read_cpu=85.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_SHARDS
    assert decision.target.shards == 3  # ceil(2 x 85 / 60)
    assert any("fan-out limit 3" in reason for reason in decision.reasons)


def test_read_cpu_within_the_fan_out_limit_adds_replicas() -> None:
    topo = topology(shards=2, replicas=1)

    decision = decide(snapshot(topo, metrics(topo, read_cpu=85.0)), ACT, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
    assert decision.target.replicas_per_shard == 2


def test_a_rising_signal_is_met_before_it_crosses_the_threshold() -> None:
    """Read CPU breaking out of its half-hour range and climbing 5 points a minute: act on where it will be
    when new replicas serve (10 min), not where it is."""
    topo = topology(shards=2, replicas=1)
    flat = [20.0] * 50
    climb = [20.0 + 5 * i for i in range(1, 8)]  # 25 .. 55, still under the 66 % threshold
    data = metrics(topo, read_cpu=20.0)
    series = tuple(
        s.model_copy(update={"values": (*flat, *climb)})
        if s.metric is MetricName.ENGINE_CPU and s.role is Role.REPLICA
        else s
        for s in data.series
    )

    decision = decide(snapshot(topo, data.model_copy(update={"series": series})), ACT, (), NOW)

    assert decision.action is Action.ADD_REPLICAS
    assert decision.signals["readCpuAheadPercent"] is not None
    assert decision.signals["readCpuAheadPercent"] > 66
    assert any("rising" in reason for reason in decision.reasons)


def test_noise_inside_its_own_range_is_not_a_trend() -> None:
    topo = topology(shards=2, replicas=1)
    wave = [50.0 + (8.0 if (i // 4) % 2 else -8.0) + i % 4 for i in range(60)]
    data = metrics(topo, read_cpu=50.0)
    series = tuple(
        s.model_copy(update={"values": tuple(wave)})
        if s.metric is MetricName.ENGINE_CPU and s.role is Role.REPLICA
        else s
        for s in data.series
    )

    decision = decide(snapshot(topo, data.model_copy(update={"series": series})), ACT, (), NOW)

    assert decision.action is Action.NONE


def test_the_step_a_topology_change_makes_is_not_a_trend() -> None:
    """Memory per shard doubled 3 min ago because half the shards went: at 71 % (under the 77 % threshold)
    that step is our own change, not load rising: no scale-out. Without the change in history it is read
    as a breakout and the trend projects far above the threshold."""
    topo = topology(shards=2, replicas=1)
    step = (35.7,) * 57 + (71.4,) * 3
    data = metrics(topo, memory=35.7)
    series = tuple(
        s.model_copy(update={"values": step}) if s.metric is MetricName.MEMORY else s for s in data.series
    )
    stepped = snapshot(topo, data.model_copy(update={"series": series}))

    after_our_change = decide(stepped, ACT, (past(Action.REMOVE_SHARDS, 3),), NOW)
    unexplained = decide(stepped, ACT, (), NOW)

    assert after_our_change.action is Action.NONE
    assert after_our_change.signals["memoryAheadPercent"] == pytest.approx(71.4)
    assert unexplained.signals["memoryAheadPercent"] is not None
    assert unexplained.signals["memoryAheadPercent"] > 77


def _write_cpu_steps(topo: Topology, before: dict[str, float], after: dict[str, float]) -> Snapshot:
    """Primary write CPU per shard: ``before`` for 50 minutes (shards absent there had no data), ``after``
    for the last 10; every other signal steady."""
    data = metrics(topo)
    series = tuple(
        s.model_copy(
            update={
                "values": ((before[s.shard_id],) * 50 if s.shard_id in before else ())
                + (after[s.shard_id],) * 10
            }
        )
        if s.metric is MetricName.ENGINE_CPU and s.role is Role.PRIMARY
        else s
        for s in data.series
    )
    return snapshot(topo, data.model_copy(update={"series": series}))


def test_a_reshard_that_left_the_hot_shard_as_hot_turns_to_a_larger_node() -> None:
    """2 -> 4 shards 10 min ago. Before: 60 % and 40 %, the hottest 60 / 50 = 1.20x the average. After:
    80 % and 20 % on the three others, 80 / 35 = 2.29x (at least 1.15 x 1.20 = 1.38x): the others lost
    their load, the hot shard kept its own (a hot key). More shards would not relieve it: a larger node."""
    topo = topology(shards=4)
    hot_key = _write_cpu_steps(
        topo, {"0001": 60.0, "0002": 40.0}, {"0001": 80.0, "0002": 20.0, "0003": 20.0, "0004": 20.0}
    )
    history = (past(Action.ADD_SHARDS, 10),)

    decision = decide(hot_key, AT_TARGET, history, NOW)

    assert decision.action is Action.SCALE_UP
    assert decision.target.shards == 4
    assert any("2.29x over the average, 1.20x before" in reason for reason in decision.reasons)


def test_a_reshard_that_spread_the_hot_shard_adds_shards_again() -> None:
    """After: 80 % and 60 % on the three others, 80 / 65 = 1.23x, under 1.38x: the reshard spread the load
    evenly (the hot shard fell as the others did); more write CPU still means more shards."""
    topo = topology(shards=4)
    spread = _write_cpu_steps(
        topo, {"0001": 60.0, "0002": 40.0}, {"0001": 80.0, "0002": 60.0, "0003": 60.0, "0004": 60.0}
    )

    decision = decide(spread, AT_TARGET, (past(Action.ADD_SHARDS, 10),), NOW)

    assert decision.action is Action.ADD_SHARDS


def test_after_turning_to_a_larger_node_for_a_hot_key_it_does_not_add_shards_again() -> None:
    """The reshard is older than the metrics; the engine scaled up after it: it remembers the hot key."""
    topo = topology(shards=4)
    history = (past(Action.ADD_SHARDS, 120), past(Action.SCALE_UP, 90))

    data = snapshot(topo, metrics(topo, write_cpu={"0001": 80.0}, others=20.0))

    decision = decide(data, AT_TARGET, history, NOW)

    assert decision.action is Action.SCALE_UP


def _read_cpu(topo: Topology, values: tuple[float, ...]) -> Snapshot:
    data = metrics(topo)
    series = tuple(
        s.model_copy(update={"values": values})
        if s.metric is MetricName.ENGINE_CPU and s.role is Role.REPLICA
        else s
        for s in data.series
    )
    return snapshot(topo, data.model_copy(update={"series": series}))


def test_after_a_scale_in_a_few_minutes_of_rise_are_no_trend_until_a_full_reference_range() -> None:
    """10 min since the last change: 40-41 % for 5 points, then 44 … 60 %. Read on those 10 points alone,
    60 breaks out of 40-41 and the slope (4 per minute) projects 56 + 4 x (1 + 10) = 100 % (over the 66 %
    threshold). After a scale-in the breakout needs 30 points of reference since it: the view stays the
    3-minute mean, 56 %, and nothing scales out (the signal itself would, above 66 %). After a scale-out the
    short reference still counts."""
    topo = topology(shards=2, replicas=1)
    rise = (40.0,) * 50 + (40.0, 41.0, 40.0, 41.0, 40.0, 44.0, 48.0, 52.0, 56.0, 60.0)
    data = _read_cpu(topo, rise)

    after_scale_in = decide(data, ACT, (past(Action.REMOVE_REPLICAS, 10),), NOW)
    after_scale_out = decide(data, ACT, (past(Action.ADD_REPLICAS, 10),), NOW)

    assert after_scale_in.action is Action.NONE
    assert after_scale_in.signals["readCpuAheadPercent"] == pytest.approx(56.0)
    assert after_scale_out.action is Action.ADD_REPLICAS
    assert after_scale_out.signals["readCpuAheadPercent"] == pytest.approx(100.0)
