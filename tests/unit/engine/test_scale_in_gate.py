"""The scale-in gate (``Policy.scaleInGate``, docs/decisions.md): the load that recurs at this time of day,
savings against disruption, and the recommendation stabilised over the lookback. Hand-worked numbers:
2 shards x 2 replicas of cache.r7g.large (valkey 0.1752 $/h); one replica fewer per shard saves 2 nodes,
0.3504 $/h; a removal and its re-add take 15 min."""

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import ScaleInGate
from elasticache_autoscaler.models.snapshot import Metrics, Topology
from tests.unit.engine.builders import (
    ACT,
    NOW,
    metrics,
    past,
    quiet_replicas,
    replica_cpu,
    snapshot,
    topology,
)

DAY = 1440


def _quiet_two_replicas() -> tuple[Topology, Metrics]:
    topo = topology(replicas=2, allowed_down=())
    return topo, quiet_replicas(topo)


def _decide_with(history: History, gate: ScaleInGate | None = None) -> tuple[Action, str]:
    topo = topology(replicas=2, allowed_down=())
    policy = ACT if gate is None else ACT.model_copy(update={"scale_in_gate": gate})
    decision = decide(snapshot(topo, quiet_replicas(topo)), policy, history, NOW)
    return decision.action, " | ".join(decision.reasons)


def test_nothing_recurring_the_saving_over_the_horizon_clears_the_disruption_cost() -> None:
    # 0.3504 $/h x (360 - 15) min = 2.01 $ > 1.00 $
    action, reasons = _decide_with(())

    assert action is Action.REMOVE_REPLICAS
    assert "scale-in gate: worth it: saves 2.01 $ over 360 min (nothing recurs" in reasons


@pytest.mark.parametrize("days", [1, 7])
def test_a_scale_out_soon_after_this_time_of_day_yesterday_or_last_week_blocks_the_scale_in(
    days: int,
) -> None:
    # a day (a week) ago a scale-out came 40 min after this time of day: sooner than 15 + 30 min
    history = (past(Action.ADD_REPLICAS, minutes_ago=days * DAY - 40),)

    action, reasons = _decide_with(history)

    assert action is Action.NONE
    assert f"the load recurs: {days} day(s) ago a scale-out came 40 min after this time of day" in reasons


def test_a_later_recurrence_blocks_only_when_the_saving_until_then_is_below_the_disruption_cost() -> None:
    # 120 min later: 0.3504 $/h x (120 - 15) min = 0.61 $, under 1.00 $ but over 0.50 $
    history = (past(Action.ADD_SHARDS, minutes_ago=DAY - 120),)

    blocked, reasons = _decide_with(history)
    allowed, _ = _decide_with(history, ScaleInGate(disruption_cost_usd=0.5))

    assert blocked is Action.NONE
    assert "not worth it: saves 0.61 $ over 120 min (1 day(s) ago a scale-out came 120 min later" in reasons
    assert allowed is Action.REMOVE_REPLICAS


def test_a_scale_out_outside_the_savings_horizon_or_a_past_scale_in_does_not_count() -> None:
    history = (
        past(Action.ADD_REPLICAS, minutes_ago=DAY - 7 * 60),  # 7 h after this time of day: beyond 6 h
        past(Action.REMOVE_REPLICAS, minutes_ago=DAY - 10),  # a scale-in is no sign of load
    )

    action, _ = _decide_with(history)

    assert action is Action.REMOVE_REPLICAS


def test_recurrence_can_be_switched_off() -> None:
    history = (past(Action.ADD_REPLICAS, minutes_ago=DAY - 40),)

    action, _ = _decide_with(history, ScaleInGate(recurrence_days=()))

    assert action is Action.REMOVE_REPLICAS


def test_the_scale_in_target_is_the_largest_recommendation_over_the_lookback() -> None:
    """A read burst to 40 % 50 min ago, 10 % since: the last 30 min alone would let 2 -> 1 replicas
    (10 x 2 = 20 % < 60), the burst (40 x 2 = 80 %) does not; a 30-min lookback forgets it."""
    topo, data = _quiet_two_replicas()
    reads = (10.0,) * 5 + (40.0,) * 10 + (10.0,) * 45
    burst = replica_cpu(data, reads)

    kept = decide(snapshot(topo, burst), ACT, (), NOW)
    short = ACT.model_copy(update={"scale_in_gate": ScaleInGate(lookback_seconds=1800)})
    forgot = decide(snapshot(topo, burst), short, (), NOW)

    assert kept.action is Action.NONE
    assert any("replicas: removing one would push read CPU" in r for r in kept.reasons)
    assert forgot.action is Action.REMOVE_REPLICAS


def test_the_default_lookback_remembers_a_burst_of_90_minutes_ago() -> None:
    """Read CPU at 40 % from 100 to 90 min ago, 10 % since: 2 -> 1 replicas would run that burst at
    40 x 2 = 80 % (> 60 %). The default lookback (2 h) keeps it; one hour forgets it and removes a replica
    (10 x 2 = 20 %)."""
    topo = topology(replicas=2, allowed_down=())
    data = metrics(topo, memory=40.0, write_cpu=5.0, read_cpu=10.0, connections=100.0, minutes=120)
    reads = (10.0,) * 20 + (40.0,) * 10 + (10.0,) * 90
    burst = replica_cpu(data, reads)

    kept = decide(snapshot(topo, burst), ACT, (), NOW)
    hour = ACT.model_copy(update={"scale_in_gate": ScaleInGate(lookback_seconds=3600)})
    forgot = decide(snapshot(topo, burst), hour, (), NOW)

    assert kept.action is Action.NONE
    assert forgot.action is Action.REMOVE_REPLICAS


def test_a_signal_that_fell_through_the_window_is_projected_from_its_peak_not_where_it_fell_to() -> None:
    """Read CPU fell 44 -> 26 over the last hour: 2 -> 1 replicas would be ~27 x 2 from where it fell to,
    but the recommendation is stabilised: from the peak, 44 x 2 = 88 % > 60 %, nothing goes."""
    topo, data = _quiet_two_replicas()
    falling = tuple(44.0 - (44.0 - 26.0) / 59 * i for i in range(60))

    decision = decide(snapshot(topo, replica_cpu(data, falling)), ACT, (), NOW)

    assert decision.action is Action.NONE


@pytest.mark.parametrize(
    ("last", "minutes_ago", "removed"),
    [
        (Action.REMOVE_SHARDS, 120, False),  # the lookback still holds data from before the scale-in
        (Action.REMOVE_SHARDS, 121, True),
        (Action.ADD_SHARDS, 31, True),  # data from before a scale-out reads higher per node: the safe side
    ],
)
def test_after_a_scale_in_the_whole_lookback_must_be_measured_on_todays_topology(
    last: Action, minutes_ago: float, removed: bool
) -> None:
    action, reasons = _decide_with((past(last, minutes_ago=minutes_ago),))

    assert (action is Action.REMOVE_REPLICAS) is removed
    if not removed:
        assert "last scale-in 120 min ago, inside the 120 min lookback" in reasons


def test_the_policy_asks_observe_for_the_lookback_and_the_history_for_the_recurrence() -> None:
    assert ACT.metrics_lookback_seconds == 7200
    assert ACT.history_lookback_days == 8
    assert (
        ACT.model_copy(update={"scale_in_gate": ScaleInGate(recurrence_days=(1,))}).history_lookback_days == 2
    )
