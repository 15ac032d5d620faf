"""A Serverless cache's forecast pre-warms its minimums ahead of a daily peak and releases them after it.

A Valkey cache with DataStorage 1..10 GB and ECPUPerSecond 1000..30000; ``baseMinimums`` 1 GB and 1000
ECPU/s; ``forecast.loadHistory`` on, ``prewarmLeadSeconds`` 3600 (the default and the least: AWS applies a
raised minimum within an hour). Every day the load idles at 800 ECPU/s and swells to 20000 ECPU/s between
14:00 and 16:00 UTC (its top at 15:00); 5 GB stored all the time (a flat series: no storage forecast).
The usage never reaches 75 % of the ECPU maximum nor falls under ``lowerBelowPercent`` 1 % of it, so only
the minimums move.
"""

import math
from datetime import UTC, datetime, timedelta

import pytest

from elasticache_autoscaler.engine.serverless import decide_serverless
from elasticache_autoscaler.engine.serverless_forecast import trial
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_metrics import ServerlessMetrics
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.load_history import ECPU_SIGNAL, LoadHistory
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits, serverless_cache_from
from elasticache_autoscaler.models.snapshot import Guards
from elasticache_autoscaler.workflow.load_history import period_floor
from tests.unit.engine.load_histories import Load, noise, sampled
from tests.unit.kinds.builders import serverless_item

BASE = UsageLimits(
    data_storage_max_gb=10, data_storage_min_gb=1, ecpu_per_second_max=30_000, ecpu_per_second_min=1000
)
IDLE, TOP = 800.0, 20_000.0
STORED_GB = 5.0


def daily_swell(at: datetime) -> float:
    """800 ECPU/s, but for a half cosine from 14:00 to 16:00 up to 20000 at 15:00 (every day)."""
    hours = (at - at.replace(hour=15, minute=0, second=0, microsecond=0)) / timedelta(hours=1)
    return IDLE + (TOP - IDLE) * math.cos(math.pi * hours / 2) if abs(hours) < 1 else IDLE


def policy(**changes: object) -> ServerlessPolicy:
    return ServerlessPolicy.model_validate(
        {
            "mode": "act",
            "maxEcpuPerSecond": 100_000,
            "lowerBelowPercent": 1,
            "baseMinimums": {"dataStorageGb": 1, "ecpuPerSecond": 1000},
            "forecast": {"loadHistory": True},
            **changes,
        }
    )


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def cache(limits: UsageLimits) -> ServerlessCache:
    return serverless_cache_from(serverless_item()).model_copy(update={"limits": limits})


def metrics(load: Load, now: datetime) -> ServerlessMetrics:
    """The last hour per minute, as CloudWatch's Sum of ECPUs and Maximum of bytes would give it."""
    minutes = [now - timedelta(minutes=60 - i) for i in range(60)]
    return ServerlessMetrics(
        bytes_used=(STORED_GB * 1e9,) * 60,
        ecpu=tuple(60 * load(m) for m in minutes),
        throttled_cmds=(0.0,) * 60,
    )


def usage_history(ecpu: tuple[float | None, ...], now: datetime) -> LoadHistory:
    return LoadHistory(end=period_floor(now), ecpu_per_second=ecpu, data_storage_gb=(STORED_GB,) * len(ecpu))


def seen(load: Load, now: datetime) -> LoadHistory:
    """Eight days of the load up to ``now``'s period, as the history read gives them."""
    return usage_history(sampled(load, period_floor(now), 8), now)


def decide(limits: UsageLimits, now: datetime, p: ServerlessPolicy | None = None) -> ServerlessDecision:
    return decide_serverless(
        cache(limits),
        metrics(daily_swell, now),
        p or policy(),
        guards=Guards(),
        now=now,
        history=seen(daily_swell, now),
    )


def test_the_morning_holds_the_base_minimums_and_says_what_it_foresaw() -> None:
    d = decide(BASE, at(10))
    assert d.action is ServerlessAction.NONE
    assert d.forecast is not None and d.forecast.horizon_minutes == 120
    assert [f.signal for f in d.forecast.forecasts] == [ECPU_SIGNAL]
    assert any(r.startswith("forecast declined: data storage GB: flat") for r in d.reasons)
    assert any(r.startswith(f"forecast: {ECPU_SIGNAL} ") and "holds for it" in r for r in d.reasons)


def test_an_hour_ahead_of_the_swell_the_ecpu_minimum_is_raised_to_its_forecast_peak() -> None:
    d = decide(BASE, at(13))
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.driven_by == "forecast"
    assert d.blocked_by is None
    assert d.target.data_storage_min_gb == 1  # storage declined: left at its base
    assert d.target.ecpu_per_second_min == pytest.approx(TOP, rel=0.01)
    assert d.target.ecpu_per_second_max == 30_000
    assert any("pre-warm to" in r and "AWS applies a raised minimum within 60 min" in r for r in d.reasons)
    # the floor the minimum bills, stated: 20000/s x 3600 s = 72 M ECPUs x $0.0023 + 1 GB x $0.084
    assert d.floor_per_hour_after == pytest.approx(0.084 + 72 * 0.0023, rel=0.01)
    assert any(r.startswith("cost: ceiling") and "floor $0.0923/h" in r for r in d.reasons)


def test_a_day_of_evaluations_prewarms_an_hour_ahead_and_releases_after_the_peak() -> None:
    limits, changes = BASE, []
    for minute in range(10 * 60, 20 * 60, 5):
        now = at(minute // 60, minute % 60)
        d = decide(limits, now)
        if d.changes_something:
            assert d.action is ServerlessAction.SET_MINIMUMS and d.driven_by == "forecast"
            changes.append((now, d.target.ecpu_per_second_min or 0))
            limits = d.target
    raised, *released = changes
    swell_starts = at(14)
    assert raised[0] <= swell_starts - timedelta(hours=1)  # a full hour for AWS to apply it
    assert raised[1] == pytest.approx(TOP, rel=0.01)
    # held through the top (15:00), then stepped down as the usage ebbs (never below it; each step a
    # headroom apart), back to the base once the swell is over
    assert all(at(15, 30) < when <= at(16, 5) for when, _ in released)
    assert [value for _, value in released] == sorted((value for _, value in released), reverse=True)
    assert released[-1][1] == 1000
    assert len(released) <= 5


def test_a_release_never_goes_below_the_usage_of_the_last_minutes() -> None:
    # The forecast says the swell is over at 15:45, but today it is not: usage is still at the top
    held = BASE.model_copy(update={"ecpu_per_second_min": 20_000})
    now = at(15, 45)
    d = decide_serverless(
        cache(held),
        metrics(lambda _: TOP, now),
        policy(),
        guards=Guards(),
        now=now,
        history=seen(daily_swell, now),
    )
    assert d.target.ecpu_per_second_min == 20_000


def test_without_usage_datapoints_the_forecast_lowers_nothing() -> None:
    held = BASE.model_copy(update={"ecpu_per_second_min": 20_000})
    now = at(17)
    d = decide_serverless(
        cache(held), ServerlessMetrics(), policy(), guards=Guards(), now=now, history=seen(daily_swell, now)
    )
    assert d.target.ecpu_per_second_min == 20_000
    assert any("no datapoint: not lowered" in r for r in d.reasons)


def test_on_noise_the_forecast_declines_and_moves_no_minimum() -> None:
    now = at(13)
    values = noise(5000, 1500)
    d = decide_serverless(
        cache(BASE),
        metrics(lambda _: 900.0, now),
        policy(),
        guards=Guards(),
        now=now,
        history=usage_history(tuple(values[: 8 * 288]), now),
    )
    assert d.action is ServerlessAction.NONE
    assert d.target == BASE
    assert d.forecast is not None and d.forecast.forecasts == ()
    assert any(r.startswith(f"forecast declined: {ECPU_SIGNAL}: no seasonality") for r in d.reasons)


def test_the_raise_stops_at_the_policys_maximum_and_lifts_the_ecpu_maximum_to_it() -> None:
    d = decide(BASE, at(13), policy(maxEcpuPerSecond=12_000))
    assert (d.target.ecpu_per_second_min, d.target.ecpu_per_second_max) == (12_000, 30_000)
    low_max = BASE.model_copy(update={"ecpu_per_second_max": 5000})
    d = decide(low_max, at(13), policy(maxEcpuPerSecond=12_000))
    assert (d.target.ecpu_per_second_min, d.target.ecpu_per_second_max) == (12_000, 12_000)


def test_a_prewarm_over_the_budget_is_blocked_and_says_so() -> None:
    # ceiling after: 10 GB x 0.084 + 20000/s -> 72 M ECPUs x 0.0023 ... over $150/month with max 30000
    d = decide(BASE, at(13), policy(budgetUsdPerMonth=150))
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.blocked_by is not None and "exceeds the budget $150/month" in str(d.blocked_by)


def test_mode_forecast_records_the_prewarm_as_a_dry_run() -> None:
    p = policy(mode="forecast")
    d = trial(decide(BASE, at(13), p), p)
    assert d.action is ServerlessAction.SET_MINIMUMS and d.dry_run
    assert d.reasons[-1].startswith("mode forecast:")
    quiet = trial(decide(BASE, at(10), p), p)
    assert not quiet.dry_run


def test_with_the_forecast_off_nothing_is_read_and_the_decision_says_so() -> None:
    p = ServerlessPolicy.model_validate({"baseMinimums": {"ecpuPerSecond": 1000}, "lowerBelowPercent": 1})
    d = decide_serverless(cache(BASE), metrics(daily_swell, at(13)), p, guards=Guards(), now=at(13))
    assert d.action is ServerlessAction.NONE and d.forecast is None
    assert any(r.startswith("forecast: off") for r in d.reasons)


def test_a_schedule_and_the_forecast_together_hold_the_larger_minimum() -> None:
    # A schedule holds 30000 ECPU/s from 14:00: its pre-warm at 13:00 is above the forecast's 20000
    window = {
        "name": "launch",
        "cron": "0 14 * * *",
        "durationMinutes": 60,
        "minimums": {"ecpuPerSecond": 30_000},
    }
    d = decide(BASE, at(13), policy(schedules=[window]))
    assert (d.target.ecpu_per_second_min, d.driven_by) == (30_000, "schedule:launch")
    # After the window (15:00), the forecast's top (20000 x 1.5 headroom) still holds it: no release yet
    held = d.target
    d = decide(held, at(15), policy(schedules=[window]))
    assert d.action is ServerlessAction.NONE and d.target == held
    assert any("the minimum 30,000 ECPU/s holds for it" in r for r in d.reasons)
    # Once the swell ebbs the schedule's minimum is released, as the schedule's (so that ``mode: forecast``,
    # which only records what the forecast drives, never keeps a schedule's minimum up)
    d = decide(held, at(15, 45), policy(schedules=[window]))
    assert d.action is ServerlessAction.SET_MINIMUMS and d.driven_by == "schedule:launch"
    assert 1000 < (d.target.ecpu_per_second_min or 0) < 30_000
