"""Serverless rules and costs against hand-worked numbers.

A Valkey cache with DataStorage maximum 10 GB and ECPUPerSecond maximum 5000, no minimums. Valkey:
$0.084/GB-hour, $0.0023 per million ECPUs, 0.1 GB minimum metered. Ceiling: 10 x 0.084 = $0.84 plus
5000/s x 3600 s = 18 M ECPUs x $0.0023 = $0.0414: $0.8814/h, x 730 h = $643.42/month. Floor: 0.1 GB x
$0.084 = $0.0084/h. Policy defaults: raise at 75 %, headroom 50 %, lower below 30 %, 3-period scale-out
window, 60-period stabilization window.
"""

from datetime import UTC, datetime, timedelta

import pytest

from elasticache_autoscaler.engine.serverless import decide_serverless, set_minimums
from elasticache_autoscaler.engine.serverless_costs import ceiling_per_hour, floor_per_hour, per_month
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.kind_decision import ServerlessAction
from elasticache_autoscaler.models.kind_metrics import ServerlessMetrics
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits, serverless_cache_from
from elasticache_autoscaler.models.snapshot import Guards
from tests.unit.kinds.builders import serverless_item

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
LIMITS = {"DataStorage": {"Maximum": 10, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}}


def cache(engine: str = "valkey", status: str = "available") -> ServerlessCache:
    return serverless_cache_from(serverless_item(Engine=engine, Status=status, CacheUsageLimits=LIMITS))


def metrics(
    *, gb: float = 2.0, ecpu_per_second: float = 1000.0, throttled: float = 0.0, periods: int = 60
) -> ServerlessMetrics:
    return ServerlessMetrics(
        bytes_used=(gb * 1e9,) * periods,
        ecpu=(ecpu_per_second * 60,) * periods,
        throttled_cmds=(0.0,) * (periods - 1) + (throttled,),
    )


def test_costs_of_the_limits_per_engine() -> None:
    limits = cache().limits
    assert ceiling_per_hour("valkey", limits) == pytest.approx(0.8814)
    assert per_month(0.8814) == 643.42
    assert floor_per_hour("valkey", limits) == pytest.approx(0.0084)
    # Redis OSS and Memcached: 10 x 0.125 + 18 x 0.0034 = 1.3112; floor: 1 GB metered = 0.125
    assert ceiling_per_hour("redis", limits) == pytest.approx(1.3112)
    assert ceiling_per_hour("memcached", limits) == pytest.approx(1.3112)
    assert floor_per_hour("memcached", limits) == pytest.approx(0.125)
    # minimums: 2 GB and 1000 ECPU/s billed idle: 2 x 0.084 + 3.6 M x 0.0023 = 0.17628
    assert floor_per_hour(
        "valkey", UsageLimits(data_storage_min_gb=2, ecpu_per_second_min=1000)
    ) == pytest.approx(0.17628)
    assert ceiling_per_hour("valkey", UsageLimits(data_storage_max_gb=10)) is None


def test_ecpu_near_its_maximum_is_raised_with_headroom() -> None:
    # 4000 ECPU/s = 80 % of 5000 >= 75 %: 4000 x 1.5 = 6000. Ceiling 0.84 + 21.6 x 0.0023 = 0.88968
    d = decide_serverless(
        cache(), metrics(ecpu_per_second=4000), ServerlessPolicy(), guards=Guards(), now=NOW
    )
    assert d.action is ServerlessAction.RAISE_LIMITS
    assert d.target == UsageLimits(data_storage_max_gb=10, ecpu_per_second_max=6000)
    assert d.ceiling_per_hour_before == pytest.approx(0.8814)
    assert d.ceiling_per_hour_after == pytest.approx(0.88968)
    assert any("$0.8814/h ($643.42/month) -> $0.8897/h ($649.47/month)" in r for r in d.reasons)
    assert d.signals["ecpuPerSecond"] == 4000
    assert d.dry_run and d.changes_something


def test_throttling_raises_from_the_maximum_whatever_the_average() -> None:
    # 3000 ECPU/s (60 %) but 12 commands throttled: the demand was over 5000: 5000 x 1.5 = 7500
    d = decide_serverless(
        cache(), metrics(ecpu_per_second=3000, throttled=12), ServerlessPolicy(), guards=Guards(), now=NOW
    )
    assert d.target.ecpu_per_second_max == 7500
    assert any("12 throttled" in r for r in d.reasons)


def test_storage_near_its_maximum_is_raised() -> None:
    # 8.5 GB = 85 %: ceil(8.5 x 1.5) = 13 GB; ceiling 13 x 0.084 + 0.0414 = 1.1334
    d = decide_serverless(cache(), metrics(gb=8.5), ServerlessPolicy(), guards=Guards(), now=NOW)
    assert d.target == UsageLimits(data_storage_max_gb=13, ecpu_per_second_max=5000)
    assert d.ceiling_per_hour_after == pytest.approx(1.1334)


def test_a_raise_stops_at_the_policys_bound() -> None:
    d = decide_serverless(
        cache(), metrics(gb=8.5), ServerlessPolicy(max_data_storage_gb=12), guards=Guards(), now=NOW
    )
    assert d.target.data_storage_max_gb == 12


def test_the_budget_caps_a_raise() -> None:
    # $645/month = $0.883562/h; storage 0.84 leaves 0.043562 / (0.0036 x 0.0023) = 5261 ECPU/s
    d = decide_serverless(
        cache(),
        metrics(ecpu_per_second=4000),
        ServerlessPolicy(budget_usd_per_month=645),
        guards=Guards(),
        now=NOW,
    )
    assert d.target.ecpu_per_second_max == 5261
    assert per_month(d.ceiling_per_hour_after or 0) <= 645
    assert any("budget: $645/month caps the maximums at 10 GB and 5261 ECPU/s" in r for r in d.reasons)


def test_a_budget_that_allows_no_raise_blocks_it() -> None:
    # $640/month leaves 0.036712/h for ECPUs: 4433 ECPU/s, under the current 5000
    d = decide_serverless(
        cache(),
        metrics(ecpu_per_second=4000),
        ServerlessPolicy(budget_usd_per_month=640),
        guards=Guards(),
        now=NOW,
    )
    assert d.action is ServerlessAction.RAISE_LIMITS
    assert d.blocked_code is BlockedBy.AT_BOUNDS
    assert d.target == d.current


def test_usage_far_below_for_the_window_lowers_both_maximums() -> None:
    # 2 GB = 20 % < 30 %: ceil(2 x 1.5) = 3 GB; 1000 ECPU/s = 20 %: 1500 (over minEcpuPerSecond 1000).
    # Ceiling 3 x 0.084 + 5.4 x 0.0023 = 0.26442/h = $193.03/month
    d = decide_serverless(cache(), metrics(), ServerlessPolicy(), guards=Guards(), now=NOW)
    assert d.action is ServerlessAction.LOWER_LIMITS
    assert d.target == UsageLimits(data_storage_max_gb=3, ecpu_per_second_max=1500)
    assert d.ceiling_per_hour_after == pytest.approx(0.26442)
    assert per_month(d.ceiling_per_hour_after or 0) == 193.03


def test_lowering_never_goes_under_the_policys_floor() -> None:
    policy = ServerlessPolicy(min_data_storage_gb=5, min_ecpu_per_second=2000)
    d = decide_serverless(cache(), metrics(), policy, guards=Guards(), now=NOW)
    assert d.target == UsageLimits(data_storage_max_gb=5, ecpu_per_second_max=2000)


def test_a_window_short_of_data_never_lowers() -> None:
    d = decide_serverless(cache(), metrics(periods=30), ServerlessPolicy(), guards=Guards(), now=NOW)
    assert d.action is ServerlessAction.NONE
    assert d.target == d.current


def test_usage_between_the_thresholds_changes_nothing() -> None:
    d = decide_serverless(
        cache(), metrics(gb=5, ecpu_per_second=2500), ServerlessPolicy(), guards=Guards(), now=NOW
    )
    assert d.action is ServerlessAction.NONE


def test_a_modifying_cache_is_not_changed() -> None:
    d = decide_serverless(
        cache(status="modifying"), metrics(gb=9), ServerlessPolicy(), guards=Guards(), now=NOW
    )
    assert d.blocked_code is BlockedBy.NOT_QUIESCENT


def test_prewarm_raises_the_minimum_and_the_maximum_under_it() -> None:
    # ECPU minimum 20000/s > maximum 5000: both to 20000. Floor 0.1 x 0.084 + 72 M x 0.0023 = 0.1740/h
    d = set_minimums(
        cache(),
        ServerlessPolicy(),
        ecpu_per_second=20_000,
        data_storage_gb=None,
        needed_at=NOW + timedelta(hours=2),
        now=NOW,
        guards=Guards(),
    )
    assert d.action is ServerlessAction.SET_MINIMUMS
    assert d.target == UsageLimits(
        data_storage_max_gb=10, ecpu_per_second_max=20_000, ecpu_per_second_min=20_000
    )
    assert d.floor_per_hour_after == pytest.approx(0.1740)
    assert any("within AWS's up-to-an-hour" in r for r in d.reasons)
    assert d.blocked_by is None


def test_a_late_prewarm_goes_ahead_and_says_it_may_be_late() -> None:
    d = set_minimums(
        cache(),
        ServerlessPolicy(),
        ecpu_per_second=2000,
        data_storage_gb=None,
        needed_at=NOW + timedelta(minutes=30),
        now=NOW,
        guards=Guards(),
    )
    assert d.changes_something
    assert any("needed in 30 min" in r and "may not be in place in time" in r for r in d.reasons)


def test_a_prewarm_over_the_budget_is_blocked() -> None:
    # storage minimum 8 GB: ceiling stays 0.8814/h = $643.42/month > $500
    d = set_minimums(
        cache(),
        ServerlessPolicy(budget_usd_per_month=500),
        ecpu_per_second=None,
        data_storage_gb=8,
        needed_at=NOW + timedelta(hours=2),
        now=NOW,
        guards=Guards(),
    )
    assert d.blocked_code is BlockedBy.AT_BOUNDS
    assert "exceeds the budget $500/month" in str(d.blocked_by)


def test_releasing_a_prewarm_lowers_the_floor() -> None:
    warm = cache().model_copy(
        update={
            "limits": UsageLimits(
                data_storage_max_gb=10, ecpu_per_second_max=20_000, ecpu_per_second_min=20_000
            )
        }
    )
    d = set_minimums(
        warm,
        ServerlessPolicy(),
        ecpu_per_second=1000,
        data_storage_gb=None,
        needed_at=NOW,
        now=NOW,
        guards=Guards(),
    )
    assert d.target.ecpu_per_second_min == 1000
    assert d.floor_per_hour_after < d.floor_per_hour_before
    assert not any("pre-warm" in r for r in d.reasons)
