"""CloudWatch as every controller sees it in the twin (``CloudWatchLag``): late by 1-3 minutes, in order, a
few datapoints never. Hand-worked schedules."""

import itertools

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.baselines import controller
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, Physics
from elasticache_autoscaler_cli.simulator.twin import (
    CloudWatchLag,
    ClusterView,
    Proposal,
    Publisher,
    initial_capacity,
    simulate,
)

from .builders import flat_trace, spec


class Recorder:
    """Records, after each minute, which minutes' datapoints it has seen (by their reads) and the new ones."""

    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.fresh: list[list[int | None]] = []

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        self.seen.append(len(view.metrics))
        self.fresh.append([None if p is None else _minute(p) for p in view.new_datapoints()])
        return None


def _minute(point: GroupMetrics) -> int:
    return round(point.hot.connections_per_node) - 1000  # the trace below: connections = 1000 + minute


def _counting_trace(minutes: int) -> Trace:
    base = flat_trace(minutes, reads=1000.0)
    return Trace(
        minutes=base.minutes,
        reads_per_s=base.reads_per_s,
        writes_per_s=base.writes_per_s,
        dataset_gib=base.dataset_gib,
        connections=tuple((1000 + m) * 4 for m in range(minutes)),  # 4 nodes: 2 shards x (1 + 1 replica)
        avg_item_bytes=base.avg_item_bytes,
    )


def test_without_lag_every_minute_is_seen_at_once() -> None:
    recorder = Recorder()
    simulate(_counting_trace(4), spec(), recorder)

    assert recorder.seen == [1, 2, 3, 4]
    assert recorder.fresh == [[0], [1], [2], [3]]


def test_a_two_minute_delay_shows_minute_i_after_minute_i_plus_2() -> None:
    recorder = Recorder()
    simulate(_counting_trace(5), spec(), recorder, cloudwatch=CloudWatchLag(2, 2, 0.0))

    assert recorder.seen == [0, 0, 1, 2, 3]
    assert recorder.fresh == [[], [], [0], [1], [2]]


def test_datapoints_come_in_order_and_a_lost_one_is_missing_when_its_turn_comes() -> None:
    # minute 0 after 2, minute 1 after 3, minute 2 after 3 (in order, not before minute 1), minute 3 lost,
    # minute 4 after 5
    publisher = Publisher[object]([2, 3, 3, None, 5])
    metrics = [object() for _ in range(5)]  # stand-ins: only identity matters

    shown = [publisher.after(i, metrics) for i in range(6)]

    assert shown == [[], [], [metrics[0]], [metrics[1], metrics[2], None], [], [metrics[4]]]
    assert publisher.seen == [metrics[0], metrics[1], metrics[2], metrics[4]]


def test_the_default_lag_is_one_to_three_minutes_in_order_and_loses_about_one_in_a_hundred() -> None:
    after = CloudWatchLag().published_after(10_000)
    shown = [(j, at) for j, at in enumerate(after) if at is not None]

    assert all(j + 1 <= at <= j + 3 for j, at in shown)
    assert all(a <= b for (_, a), (_, b) in itertools.pairwise(shown))
    assert 80 <= after.count(None) <= 120
    assert CloudWatchLag().published_after(100) == CloudWatchLag().published_after(100)  # reproducible


def test_the_twin_runs_every_policy_on_lagging_data() -> None:
    trace = flat_trace(120, reads=120_000.0)
    lag = CloudWatchLag(seed=3)
    for name in ("autoscaler", "app-autoscaling", "hpa", "static-peak"):
        result = simulate(trace, spec(replicas=1), controller(name), cloudwatch=lag)
        assert result.minutes == 120
