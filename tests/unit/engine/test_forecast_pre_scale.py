"""decide() with the group's load history: a forecast peak is scaled out to ahead by the lead time of the
action it needs, never earlier than that and never inward; ``forecast`` mode records it as a dry run."""

from datetime import datetime, timedelta

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.durations import scale_out_minutes
from elasticache_autoscaler.engine.pre_scale import _with_peaks
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot
from tests.unit.engine.builders import AT_TARGET, NO_HISTORY, NOW, metrics, snapshot, topology
from tests.unit.engine.load_histories import daily_wave, history, noise, sampled

# read CPU target 60 x (1 + tolerance 0.1), the CPU floor off (AT_TARGET): the wave peaks at 75 %, under the
# default floor of 80 %, which would need no pre-scale
THRESHOLD = 66.0
CROSSING = NOW + timedelta(minutes=30)
# a wave of +-30 around 45 whose rise crosses 66 % read CPU 30 min after NOW (cos = 0.7 there)
WAVE = daily_wave(CROSSING + timedelta(days=0.12659), mean=45.0, amplitude=30.0, per_day=0.5)
ADD_REPLICA_LEAD = scale_out_minutes(
    Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1),
    Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=2),
    0.0,
)


def _at(now: datetime, policy: Policy = AT_TARGET, read_cpu: tuple[float, ...] | None = None) -> Decision:
    topo = topology()
    seen = Snapshot(
        taken_at=now,
        topology=topo,
        metrics=metrics(topo).model_copy(update={"window_end": now}),
        load_history=history(now, read_cpu_percent=read_cpu or sampled(WAVE, now, 8)),
    )
    return decide(seen, policy, NO_HISTORY, now)


def test_the_wave_crosses_the_threshold_when_the_test_says() -> None:
    assert WAVE(CROSSING - timedelta(minutes=1)) < THRESHOLD < WAVE(CROSSING + timedelta(minutes=1))
    assert ADD_REPLICA_LEAD == 10


def test_it_pre_scales_by_the_lead_time_of_the_action_ahead_of_the_forecast_crossing() -> None:
    # Given the read CPU wave of the last 8 days, evaluated every 5 minutes before the crossing
    first = None
    for minutes in range(0, 35, 5):
        decision = _at(NOW + timedelta(minutes=minutes))
        if decision.action is not Action.NONE:
            first = minutes
            break
    # Then the first pre-scale comes one lead time (10 min for a replica), +- one 5-min period, before it
    assert first is not None
    assert 30 - ADD_REPLICA_LEAD - 5 <= first <= 30 - ADD_REPLICA_LEAD
    pre_scale = _at(NOW + timedelta(minutes=first))
    assert pre_scale.action is Action.ADD_REPLICAS and pre_scale.driven_by == "forecast"
    assert pre_scale.changes_something and not pre_scale.dry_run
    assert any(r.startswith("forecast: pre-scale now, 10 min ahead") for r in pre_scale.reasons)


def test_before_the_lead_time_it_says_what_it_will_need_and_waits() -> None:
    decision = _at(NOW)

    assert decision.action is Action.NONE and decision.driven_by is None
    assert any("add_replicas will be needed" in r and "not yet" in r for r in decision.reasons)
    assert decision.forecast is not None
    (read,) = decision.forecast.forecasts
    assert read.signal == "read CPU" and read.peak > THRESHOLD and read.threshold == pytest.approx(THRESHOLD)


def test_forecast_mode_records_what_it_would_pre_scale_as_a_dry_run() -> None:
    decision = _at(NOW + timedelta(minutes=20), AT_TARGET.model_copy(update={"mode": "forecast"}))

    assert decision.action is Action.ADD_REPLICAS and decision.driven_by == "forecast"
    assert decision.dry_run
    assert (
        "mode forecast: a pre-scale the forecast drives is recorded (dry run), not executed"
        in decision.reasons
    )


def test_forecast_mode_still_acts_on_the_signals() -> None:
    topo = topology()
    busy = Snapshot(
        taken_at=NOW,
        topology=topo,
        metrics=metrics(topo, read_cpu=80.0),
        load_history=history(NOW, read_cpu_percent=sampled(WAVE, NOW, 8)),
    )

    decision = decide(busy, AT_TARGET.model_copy(update={"mode": "forecast"}), NO_HISTORY, NOW)

    assert decision.action is Action.ADD_REPLICAS and decision.driven_by is None and not decision.dry_run


def test_noise_declines_the_forecast_and_pre_scales_nothing() -> None:
    jitter = tuple(noise(45.0, 15.0)[: 8 * 288])

    decision = _at(NOW + timedelta(minutes=20), read_cpu=jitter)

    assert decision.action is Action.NONE
    assert decision.forecast is not None and not decision.forecast.forecasts
    assert any(r.startswith("forecast declined: read CPU: no seasonality") for r in decision.reasons)


def _scale_in_case(load_history: bool) -> Decision:
    topo = topology(replicas=3, allowed_down=())
    trough = daily_wave(NOW + timedelta(hours=12), mean=20.0, amplitude=15.0)
    # read CPU 30 % on 3 replicas: one fewer keeps it under target (45 %), two fewer would not (90 %)
    seen = snapshot(topo, metrics(topo, memory=10.0, write_cpu=5.0, read_cpu=30.0, connections=100.0))
    if load_history:
        series = sampled(trough, NOW, 8)
        seen = seen.model_copy(
            update={
                "load_history": history(
                    NOW, read_cpu_percent=series, write_cpu_percent=series, connections_per_node=series
                )
            }
        )
    return decide(seen, AT_TARGET, NO_HISTORY, NOW)


def test_a_forecast_trough_never_drives_a_scale_in() -> None:
    # Given a quiet group that the signals already scale in, and a forecast of an even deeper trough
    without, with_ = _scale_in_case(False), _scale_in_case(True)

    # Then the forecast changes nothing of the scale-in: same action, same target, not driven by it
    assert without.action is Action.REMOVE_REPLICAS and without.target.replicas_per_shard == 2
    assert (with_.action, with_.target, with_.driven_by) == (without.action, without.target, None)
    assert with_.forecast is not None and with_.forecast.forecasts


def test_a_forecast_below_the_signal_never_lowers_what_the_rules_see() -> None:
    topo = topology()
    seen = snapshot(topo, metrics(topo, read_cpu=50.0))
    sit = Situation.of(seen, AT_TARGET, NO_HISTORY, NOW)

    lower = _with_peaks(sit, {"read CPU": (20.0, 5)})
    higher = _with_peaks(sit, {"read CPU": (70.0, 5)})

    assert lower.signals.read_cpu_ahead_percent == sit.signals.read_cpu_ahead_percent == 50.0
    assert higher.signals.read_cpu_ahead_percent == 70.0
