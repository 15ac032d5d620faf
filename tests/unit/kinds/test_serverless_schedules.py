"""A Serverless cache's schedules hold its minimums: pre-warm ahead of a window, release after it.

A Valkey cache with DataStorage 1..10 GB and ECPUPerSecond 1000..5000, ``baseMinimums`` 1 GB and 1000 ECPU/s,
one schedule ``peak`` every day 14:00-16:00 UTC holding 4 GB and 20000 ECPU/s; ``prewarmLeadSeconds`` 3600
(the default: AWS applies a raised minimum within an hour). Usage between the thresholds (5 GB, 2500 ECPU/s:
nothing to raise, nothing to lower), so only the schedule moves the limits.
Floor before: 1 GB x $0.084 + 1000/s x 3600 s = 3.6 M ECPUs x $0.0023 = $0.09228/h; held: 4 x 0.084 +
72 M x 0.0023 = $0.5016/h.
"""

from datetime import UTC, datetime

import pytest

from elasticache_autoscaler.engine.serverless import decide_serverless
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_metrics import ServerlessMetrics
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits, serverless_cache_from
from elasticache_autoscaler.models.snapshot import Guards
from tests.unit.kinds.builders import serverless_item

BASE = UsageLimits(
    data_storage_max_gb=10, data_storage_min_gb=1, ecpu_per_second_max=5000, ecpu_per_second_min=1000
)
HELD = UsageLimits(
    data_storage_max_gb=10, data_storage_min_gb=4, ecpu_per_second_max=20_000, ecpu_per_second_min=20_000
)
PEAK = {
    "name": "peak",
    "cron": "0 14 * * *",
    "durationMinutes": 120,
    "minimums": {"dataStorageGb": 4, "ecpuPerSecond": 20_000},
}


def policy(**changes: object) -> ServerlessPolicy:
    return ServerlessPolicy.model_validate(
        {"baseMinimums": {"dataStorageGb": 1, "ecpuPerSecond": 1000}, "schedules": [PEAK], **changes}
    )


def cache(limits: UsageLimits = BASE) -> ServerlessCache:
    return serverless_cache_from(serverless_item()).model_copy(update={"limits": limits})


def metrics(gb: float = 5.0, ecpu_per_second: float = 2500.0) -> ServerlessMetrics:
    return ServerlessMetrics(
        bytes_used=(gb * 1e9,) * 60, ecpu=(ecpu_per_second * 60,) * 60, throttled_cmds=(0.0,) * 60
    )


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=UTC)


def decide(limits: UsageLimits, now: datetime, p: ServerlessPolicy | None = None) -> ServerlessDecision:
    return decide_serverless(cache(limits), metrics(), p or policy(), guards=Guards(), now=now)


def test_outside_the_lead_the_base_minimums_stay() -> None:
    # 12:00: the window opens in 120 min, beyond the 60 min lead
    d = decide(BASE, at(12))
    assert d.action is ServerlessAction.NONE
    assert any("minimums: as the schedules want them" in r for r in d.reasons)


def test_within_the_lead_the_minimums_are_raised_and_the_schedule_drove_it() -> None:
    # 13:10: the window opens in 50 min: pre-warm; the ECPU maximum 5000 is raised to the new minimum
    d = decide(BASE, at(13, 10))
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.target == HELD
    assert d.blocked_by is None
    assert d.driven_by == "schedule:peak"
    assert any("window starts in 50 min" in r and "pre-warm" in r for r in d.reasons)
    assert d.floor_per_hour_before == pytest.approx(0.09228)
    assert d.floor_per_hour_after == pytest.approx(0.5016)
    assert any(r.startswith("cost: ceiling") and "floor $0.0923/h" in r for r in d.reasons)


def test_inside_the_window_held_minimums_change_nothing() -> None:
    d = decide(HELD, at(15))
    assert d.action is ServerlessAction.NONE
    assert any("window active until 2026-12-07 16:00" in r for r in d.reasons)


def test_after_the_window_the_minimums_go_back_to_the_base() -> None:
    # 16:05: no window holds; back to 1 GB and 1000 ECPU/s (the raised ECPU maximum is the lowering
    # rule's to bring down, once usage stayed low for its window)
    d = decide(HELD, at(16, 5))
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.target == HELD.model_copy(update={"data_storage_min_gb": 1, "ecpu_per_second_min": 1000})
    assert d.driven_by == "schedule:peak"
    assert any("back to baseMinimums" in r for r in d.reasons)
    assert d.floor_per_hour_after == pytest.approx(0.09228)


def test_a_day_of_evaluations_raises_once_and_lowers_once() -> None:
    # Every 5 minutes from 10:00 to 18:00, each change applied at once
    limits, changes = BASE, []
    for minute in range(10 * 60, 18 * 60, 5):
        d = decide(limits, at(minute // 60, minute % 60))
        if d.changes_something:
            when = f"{minute // 60:02d}:{minute % 60:02d}"
            changes.append((when, d.action.value, d.target.ecpu_per_second_min, d.target.ecpu_per_second_max))
            limits = d.target
    # Then the minimums rise at 13:00 (60 min ahead) and fall back at 16:00 (the window's end); the next
    # evaluation lowers the ECPU maximum the pre-warm raised (2500 ECPU/s x 1.5 = 3750, at most the minimum)
    assert changes == [
        ("13:00", "set_minimums", 20_000, 20_000),
        ("16:00", "set_minimums", 1000, 20_000),
        ("16:05", "lower_limits", 1000, 3750),
    ]


def test_a_prewarm_over_the_budget_is_blocked_and_says_so() -> None:
    # held ceiling: 10 x 0.084 + 72 M x 0.0023 = $1.0056/h = $734/month > $700
    d = decide(BASE, at(13, 10), policy(budgetUsdPerMonth=700))
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.blocked_code is BlockedBy.AT_BOUNDS
    assert "exceeds the budget $700/month" in str(d.blocked_by)


def test_pressure_on_a_maximum_comes_before_the_prewarm() -> None:
    d = decide_serverless(cache(), metrics(gb=9.5), policy(), guards=Guards(), now=at(13, 10))
    assert d.action is ServerlessAction.RAISE_LIMITS
    assert d.driven_by is None


def test_a_minimum_without_a_base_is_left_as_the_owner_set_it() -> None:
    # Only the ECPU minimum is managed: the storage minimum stays 3 GB whatever the schedule
    only_ecpu = ServerlessPolicy.model_validate(
        {
            "baseMinimums": {"ecpuPerSecond": 1000},
            "schedules": [{**PEAK, "minimums": {"ecpuPerSecond": 20_000}}],
        }
    )
    owner = BASE.model_copy(update={"data_storage_min_gb": 3})
    d = decide(owner, at(13, 10), only_ecpu)
    assert (d.target.data_storage_min_gb, d.target.ecpu_per_second_min) == (3, 20_000)


def test_without_base_minimums_the_rules_never_touch_the_minimums() -> None:
    d = decide(HELD, at(16, 5), ServerlessPolicy())
    assert d.action is ServerlessAction.NONE
    assert d.target == HELD
