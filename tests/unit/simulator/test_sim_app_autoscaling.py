"""The Application Auto Scaling baseline's rules against hand-worked examples (AWS pages in its docstring).

Two levels: the controller fed hand-set group averages minute by minute (``Feed``, no physics), and the
twin end to end (cache.r7g.large, tiny items: 100k ops/s = 100 % of one engine thread).
"""

from dataclasses import dataclass, field

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.baselines.app_autoscaling import (
    AppAutoScalingController,
    TargetTrackingPolicy,
    clamp_target,
    replicas_after_scale_in,
    replicas_after_scale_out,
    shards_after_scale_in,
    shards_after_scale_out,
)
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, Physics, ShardMetrics
from elasticache_autoscaler_cli.simulator.result import ActionRecord
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, simulate

from .builders import flat_trace, spec

TINY = 0.001  # bytes per item: one op-equivalent per operation, no network to speak of


def capacity(shards: int = 2, replicas: int = 1) -> Capacity:
    return Capacity(node_type="cache.r7g.large", shards=shards, replicas_per_shard=replicas)


def activity(action: Action, started: int, finished: int, before: Capacity, after: Capacity) -> ActionRecord:
    return ActionRecord(action, started, finished, before, after, "target tracking")


def group(shards: int, *, primary: float, replica: float | None, memory: float) -> GroupMetrics:
    """Every shard alike, so each group average is exactly the value given."""
    shard = ShardMetrics(
        memory_percent=memory,
        evictions=0.0,
        primary_cpu=primary,
        replica_cpu=replica,
        connections_per_node=100.0,
        network_in_exceeded=0.0,
        network_out_exceeded=0.0,
    )
    return GroupMetrics(shards=shards, hot=shard, rest=shard if shards > 1 else None)


@dataclass
class Feed:
    """Calls the controller minute by minute as the twin does; the group is modifying during ``actions``."""

    controller: AppAutoScalingController
    capacity: Capacity
    actions: list[ActionRecord] = field(default_factory=list)
    mode: str = "enabled"
    metrics: list[GroupMetrics] = field(default_factory=list)

    def run(
        self, minutes: range, *, primary: float = 50.0, replica: float | None = 50.0, memory: float = 60.0
    ) -> dict[int, Proposal]:
        """Proposals by minute; the defaults sit between 0.75 x target and target, so they move nothing."""
        proposals = {}
        shards = self.capacity.shards if self.mode == "enabled" else 1
        for minute in minutes:
            self.metrics.append(group(shards, primary=primary, replica=replica, memory=memory))
            pending = next((a for a in self.actions if a.started_minute <= minute < a.finished_minute), None)
            view = ClusterView(
                minute=minute,
                spec=spec(shards=shards, replicas=self.capacity.replicas_per_shard, mode=self.mode),
                physics=Physics(),
                capacity=self.capacity,
                pending=pending,
                metrics=self.metrics,
                actions=self.actions,
            )
            proposal = self.controller.step(view)
            if proposal is not None:
                proposals[minute] = proposal
        return proposals


# --- sizing ([EC] "Target tracking scaling policies", shards and replicas pages) -------------------------


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        (50, 78, 60, 65),  # the page's example: 30 % above target -> +30 % of 50 = 15
        (50, 66, 60, 60),  # the page's example: 10 % above -> the 20 % minimum, 10
        (4, 90, 60, 6),  # 50 % of 4 = 2 > 20 % of 4 = 0.8
        (10, 63, 60, 12),  # 5 % of 10 = 0.5 < 20 % of 10 = 2
        (10, 60, 60, 12),  # at target (scale out is "equal to or greater than"): 20 % of 10
        (1, 61, 60, 2),  # 20 % of 1 = 0.2, rounded up: never less than one
        (3, 70, 60, 4),  # 16.7 % of 3 = 0.5 and 20 % of 3 = 0.6, both rounded up to 1
    ],
)
def test_shards_grow_by_the_larger_of_the_deviation_and_20_percent_rounded_up(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert shards_after_scale_out(current, metric, target) == expected


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        (1, 78, 60, 2),  # the page's example: 30 % above -> max(0.3, 1) = 1 replica per shard
        (2, 90, 60, 3),  # 50 % of 2 = 1
        (4, 100, 50, 8),  # 100 % of 4 = 4
        (2, 90, 40, 5),  # 125 % of 2 = 2.5, "rounded off" half up to 3 (Python's round() would give 2)
        (3, 65, 60, 4),  # 8 % of 3 = 0.25 rounds to 0: at least one
    ],
)
def test_replicas_grow_by_the_larger_of_the_rounded_deviation_and_one(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert replicas_after_scale_out(current, metric, target) == expected


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        (4, 10, 60, 1),  # ceil(0.67)
        (4, 44, 60, 3),  # ceil(2.93)
        (2, 40, 60, 2),  # ceil(1.33): one shard would run at 80 %, so none is removed
        (3, 45, 60, 3),  # ceil(2.25)... 3 x 45 / 60 = 2.25 -> 3
    ],
)
def test_shards_scale_in_to_the_ratio_rounded_up_so_never_too_far(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert shards_after_scale_in(current, metric, target) == expected


@pytest.mark.parametrize(
    ("current", "metric", "expected"),
    [
        (3, 20, 2),  # the ratio says 1; one replica at a time
        (2, 40, 2),  # ceil(1.33): one replica would run at 80 %, so none is removed
        (4, 30, 3),  # ceil(2) = 2; one at a time
    ],
)
def test_replicas_scale_in_one_at_a_time_and_never_too_far(
    current: int, metric: float, expected: int
) -> None:
    assert replicas_after_scale_in(current, metric, 60) == expected


def test_targets_are_limited_to_35_70() -> None:
    assert (clamp_target(90), clamp_target(20), clamp_target(50)) == (70, 35, 50)
    assert TargetTrackingPolicy.of("memory", 75, lambda m: m.avg_memory).target == 70


# --- alarms: 3 of 3 at or above target, 15 of 15 at or below 0.75 x target ------------------------------


def test_the_high_alarm_needs_3_of_3_datapoints_at_or_above_target() -> None:
    policy = TargetTrackingPolicy[GroupMetrics].of("primary-cpu", 60, lambda m: m.avg_primary_cpu)
    states = []
    for value in (60, 61, 59, 60, 60, 60):
        policy.high.observe(value)
        states.append(policy.high.in_alarm)

    assert states == [False, False, False, False, False, True]


def test_the_low_alarm_needs_15_of_15_datapoints_at_or_below_75_percent_of_target() -> None:
    policy = TargetTrackingPolicy[GroupMetrics].of("primary-cpu", 60, lambda m: m.avg_primary_cpu)
    for _ in range(14):
        policy.low.observe(45.0)
    assert not policy.low.in_alarm
    policy.low.observe(45.0)
    assert policy.low.in_alarm
    policy.low.observe(45.1)
    assert not policy.low.in_alarm


def test_scales_out_on_the_third_minute_above_target() -> None:
    # average primary CPU 80 % (80k writes per shard) against a 60 % target: +max(ceil(2 x 1/3), 1) = 3,
    # decided after the third minute (minute 2), so the change starts with minute 3.
    result = simulate(
        flat_trace(30, writes=160_000, item=TINY, dataset=0.0), spec(shards=2), AppAutoScalingController()
    )

    first = result.actions[0]
    assert (first.started_minute, first.action, first.target.shards) == (3, Action.ADD_SHARDS, 3)
    assert len(result.actions) == 1  # 3 shards: 53 % average, under target


def test_scales_in_after_15_minutes_at_or_below_75_percent_of_target() -> None:
    # 1 % primary CPU, 0 % memory on 4 shards: ceil(4 x 1 / 60) = 1 shard, decided after minute 14 (the
    # 15th datapoint), so the change starts with minute 15.
    result = simulate(
        flat_trace(40, writes=4_000, item=TINY, dataset=0.0), spec(shards=4), AppAutoScalingController()
    )

    first = result.actions[0]
    assert (first.started_minute, first.action, first.target.shards) == (15, Action.REMOVE_SHARDS, 1)


def test_does_not_remove_a_shard_the_rest_could_not_carry() -> None:
    # 40 % on 2 shards is below 45 %, but 1 shard would run at 80 %: ceil(2 x 40 / 60) = 2, so no action
    # (removing one anyway made this group flap between 1 and 2 shards every 36 minutes).
    result = simulate(
        flat_trace(120, writes=80_000, item=TINY, dataset=0.0), spec(shards=2), AppAutoScalingController()
    )

    assert result.actions == []


def test_removes_replicas_one_at_a_time() -> None:
    result = simulate(
        flat_trace(60, reads=1_000, writes=40_000, item=TINY, dataset=0.0),
        spec(shards=1, replicas=3),
        AppAutoScalingController(),
    )

    assert [(a.action, a.target.replicas_per_shard) for a in result.actions][:2] == [
        (Action.REMOVE_REPLICAS, 2),
        (Action.REMOVE_REPLICAS, 1),
    ]


# --- several policies: out if any, in only if all, the largest capacity wins ----------------------------


def test_shards_scale_out_to_the_largest_capacity_any_policy_asks_for() -> None:
    # primary 90 % (target 60): 4 + 2 = 6; memory 77 % (target 70): 4 + max(ceil(0.4), ceil(0.8)) = 5.
    feed = Feed(AppAutoScalingController(), capacity(shards=4))

    proposals = feed.run(range(3), primary=90, memory=77)

    assert proposals[2].target.shards == 6


def test_shards_scale_in_only_when_every_policy_agrees() -> None:
    # primary CPU 30 % is low (<= 45), memory 60 % is not (> 52.5): no scale in, however long.
    feed = Feed(AppAutoScalingController(), capacity(shards=4))

    assert feed.run(range(60), primary=30, memory=60) == {}
    assert feed.run(range(60, 75), primary=30, memory=50)[74].target.shards == 3  # ceil(4 x 50/70) = 3


def test_the_average_hides_a_hot_shard() -> None:
    # 70 % of 150k writes on one of 4 shards: that primary needs 105 % CPU; the average shows 32.5 %.
    result = simulate(
        flat_trace(60, writes=150_000, item=TINY, dataset=0.0),
        spec(shards=4, hot=0.7),
        AppAutoScalingController(),
    )

    assert not any(a.action.is_scale_out for a in result.actions)
    assert result.breach_minutes_by_cause["cpu"] == 60


# --- cooldowns: 600 s from the end of the activity, per dimension and direction --------------------------


def test_the_scale_out_cooldown_counts_from_the_end_of_the_activity() -> None:
    # 2 -> 3 shards called at minute 0, serving from 15; still 70 % (target 60): next scale out at 15 + 10.
    added = activity(Action.ADD_SHARDS, 0, 15, capacity(shards=2), capacity(shards=3))
    feed = Feed(AppAutoScalingController(), capacity(shards=3), actions=[added])

    proposals = feed.run(range(30), primary=70)

    assert min(proposals) == 25
    assert proposals[25].target.shards == 4  # 3 + max(ceil(0.5), ceil(0.6)) = 4


def test_during_the_scale_out_cooldown_only_a_larger_scale_out_goes_through() -> None:
    # The cooldown's activity took 2 shards to 3. At 100 % the desire from those 2 is 2 + ceil(2 x 40/60)
    # = 4 > 3: it goes through at once; at 70 % it is 2 + 1 = 3, no more than there is: it waits.
    added = activity(Action.ADD_SHARDS, 0, 8, capacity(shards=2), capacity(shards=3))
    larger = Feed(AppAutoScalingController(), capacity(shards=3), actions=[added])
    same = Feed(AppAutoScalingController(), capacity(shards=3), actions=[added])

    assert larger.run(range(8, 11), primary=100)[10].target.shards == 4
    assert min(same.run(range(8, 30), primary=70)) == 18


def test_the_scale_in_cooldown_holds_scale_in_for_600_seconds_after_it_completes() -> None:
    # 4 -> 3 replicas from minute 0 to 20; replica CPU 20 % all along: the low alarm is in ALARM from
    # minute 14, the group is modifying until 20, the cooldown holds until 30.
    removed = activity(Action.REMOVE_REPLICAS, 0, 20, capacity(replicas=4), capacity(replicas=3))
    feed = Feed(AppAutoScalingController(), capacity(replicas=3), actions=[removed])

    proposals = feed.run(range(40), replica=20)

    assert min(proposals) == 30
    assert proposals[30].target.replicas_per_shard == 2


def test_a_scale_out_is_not_held_by_the_scale_in_cooldown() -> None:
    removed = activity(Action.REMOVE_SHARDS, 0, 20, capacity(shards=3), capacity(shards=2))
    feed = Feed(AppAutoScalingController(), capacity(shards=2), actions=[removed])

    proposals = feed.run(range(18, 30), primary=70)

    assert min(proposals) == 20  # the third datapoint at or above target, while the scale-in cools down
    assert proposals[20].target.shards == 3


def test_a_scale_out_stops_the_scale_in_cooldown() -> None:
    # Replicas 4 -> 3 until minute 12 would hold scale in until 22, but a scale out (3 -> 4, 13 to 15)
    # stopped that cooldown; replica CPU 20 % from minute 0 puts the low alarm in ALARM from 14.
    removed = activity(Action.REMOVE_REPLICAS, 0, 12, capacity(replicas=4), capacity(replicas=3))
    added = activity(Action.ADD_REPLICAS, 13, 15, capacity(replicas=3), capacity(replicas=4))
    feed = Feed(AppAutoScalingController(), capacity(replicas=4), actions=[removed, added])

    proposals = feed.run(range(20), replica=20)

    assert min(proposals) == 15
    assert proposals[15].target.replicas_per_shard == 3  # one at a time (the ratio says ceil(4 x 20/60) = 2)


def test_the_scale_out_cooldown_does_not_hold_scale_in() -> None:
    # Replicas 1 -> 2 called at 0, serving from 15; the load fell meanwhile (replica CPU 20 % from 0).
    added = activity(Action.ADD_REPLICAS, 0, 15, capacity(replicas=1), capacity(replicas=2))
    feed = Feed(AppAutoScalingController(), capacity(replicas=2), actions=[added])

    proposals = feed.run(range(20), replica=20)

    assert min(proposals) == 15
    assert proposals[15].target.replicas_per_shard == 1


# --- scope, bounds and DisableScaleIn --------------------------------------------------------------------


def test_does_nothing_in_cluster_mode_disabled() -> None:
    result = simulate(
        flat_trace(60, reads=200_000, item=TINY),
        spec(shards=1, replicas=1, mode="disabled"),
        AppAutoScalingController(),
    )

    assert result.actions == []


def test_scale_in_disabled_never_removes_capacity() -> None:
    result = simulate(
        flat_trace(40, writes=4_000, item=TINY, dataset=0.0),
        spec(shards=4),
        AppAutoScalingController(Policy(scale_in_enabled=False)),
    )

    assert result.actions == []


def test_a_group_outside_the_bounds_is_brought_within_them_first() -> None:
    # ElastiCache replica auto scaling needs at least 1 replica; our policy caps shards at 3.
    controller = AppAutoScalingController(Policy(min_replicas_per_shard=0, max_shards=3))
    feed = Feed(controller, capacity(shards=4, replicas=0))

    proposal = feed.run(range(1), primary=50, replica=None)[0]

    assert proposal.target.shards == 3
    feed.capacity = proposal.target
    assert feed.run(range(1, 2), replica=None)[1].target.replicas_per_shard == 1


def test_scale_out_stops_at_the_maximum() -> None:
    feed = Feed(AppAutoScalingController(Policy(max_shards=3)), capacity(shards=2))

    assert feed.run(range(3), primary=100)[2].target.shards == 3  # 2 + ceil(2 x 40/60) = 4, capped at 3
