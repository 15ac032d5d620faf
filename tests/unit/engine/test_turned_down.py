"""A burst that has turned down is not projected past its top (``signals.turned_down``): the breakout trend
projects a rising signal to where it goes within the lead time, but once the last of the trend's points is
below their peak, no higher than that peak. Hand-worked numbers on the default policy (3-min scale-out
mean, 5 trend points, a replica's 10-min lead time: the slope counts (3 - 1) / 2 + 10 = 11 periods)."""

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.signals import turned_down
from elasticache_autoscaler.models.actions import Action
from tests.unit.engine.builders import ACT, NOW, metrics, replica_cpu, snapshot, topology


def test_a_turned_burst_is_held_at_its_top_a_rising_one_is_not() -> None:
    # turned: 70 < 76, the top of the 5 points; the projection 195 is held at 76
    assert turned_down((32.0, 39.0, 58.0, 76.0, 70.0), 68.0, 195.0) == 76.0
    # still rising (the last point is the top): the projection stands
    assert turned_down((41.0, 42.0, 42.0, 59.0, 74.0), 58.3, 151.7) == 151.7
    # a rise whose last reading dips within 2 % of its top (74 >= 0.98 x 75 = 73.5) is still rising
    assert turned_down((41.0, 50.0, 62.0, 75.0, 74.0), 70.3, 160.0) == 160.0
    # just past the margin (73 < 73.5) it has turned
    assert turned_down((41.0, 50.0, 62.0, 75.0, 73.0), 70.0, 160.0) == 75.0
    # under the top already: the projection stands when it is lower
    assert turned_down((60.0, 95.0, 80.0), 78.0, 85.0) == 85.0
    # never below the scale-out signal itself (a mean of older, higher points)
    assert turned_down((10.0, 20.0, 15.0), 30.0, 30.0) == 30.0


def test_a_spike_read_after_its_top_is_not_sized_on_its_slope() -> None:
    """Read CPU flat at 30 %, then 39, 58, 76, 70 (a spike read late, as an alarm on 2 of 3 datapoints
    brings it). The 3-min mean is (58 + 76 + 70) / 3 = 68 %; the last 5 points (30, 39, 58, 76, 70) have a
    Theil-Sen slope of (10.33 + 14) / 2 = 12.17 a minute, which would project 68 + 12.17 x 11 = 201.8 % and
    add 2 replicas (ceil(1 x 201.8 / 60) = 4, maxStep 2). The spike has turned (70 < 76): the view is 76 %,
    above the 66 % threshold but under the 80 % floor, and the steady 15-point slope is 0 (55 of its 105
    pairs are flat): nothing to do."""
    topo = topology(shards=2, replicas=1)
    spike = (30.0,) * 56 + (39.0, 58.0, 76.0, 70.0)
    data = replica_cpu(metrics(topo), spike)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.signals["readCpuAheadPercent"] == 76.0
    assert decision.action is Action.NONE
    assert any("under the CPU scale-out floor 80.0%" in reason for reason in decision.reasons)


def test_a_step_still_rising_is_met_where_it_goes() -> None:
    """A flash sale's step read as it rises: flat at 42 %, then 59, 74 (the last point is the top). The
    3-min mean (42 + 59 + 74) / 3 = 58.3 % plus the slope of (42, 42, 42, 59, 74), the median of its
    pairwise slopes, (8 + 8.5) / 2 = 8.25, over 11 periods: 149.1 %; 2 more replicas
    (ceil(1 x 149.1 / 60) = 3)."""
    topo = topology(shards=2, replicas=1)
    step = (42.0,) * 58 + (59.0, 74.0)
    data = replica_cpu(metrics(topo), step)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert round(decision.signals["readCpuAheadPercent"] or 0.0, 1) == 149.1
    assert decision.action is Action.ADD_REPLICAS
    assert decision.target.replicas_per_shard == 3
