"""The Serverless twin against hand-worked numbers: ECPUs, throttling above the maximum and during the cache's
own scaling, the lag of a raised limit, data over the storage maximum, and the bill."""

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler_cli.simulator.baselines.serverless import LimitsAsSet, ServerlessAutoscaler
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import ServerlessSpec
from elasticache_autoscaler_cli.simulator.physics import Load
from elasticache_autoscaler_cli.simulator.serverless_physics import ServerlessPhysics, serverless_minute
from elasticache_autoscaler_cli.simulator.serverless_twin import (
    ServerlessProposal,
    ServerlessView,
    simulate_serverless,
)

PHYSICS = ServerlessPhysics()
TEN_GB_IN_GIB = 10e9 / 2**30  # 9.3132 GiB


def cache(**limits: int) -> ServerlessSpec:
    return ServerlessSpec.model_validate({"kind": "serverless", "engine": "valkey", **limits})


def steps(*parts: tuple[int, float]) -> Trace:
    """``minutes`` of ``reads``/s each, 700-byte items (1 ECPU a command), 1 GiB of data."""
    reads = [r for minutes, r in parts for _ in range(minutes)]
    return Trace(
        minutes=tuple(range(len(reads))),
        reads_per_s=tuple(reads),
        writes_per_s=(0.0,) * len(reads),
        dataset_gib=(1.0,) * len(reads),
        connections=(100,) * len(reads),
        avg_item_bytes=(700.0,) * len(reads),
    )


class RaiseOnce:
    name = "scripted"

    def __init__(self, limits: UsageLimits) -> None:
        self.limits = limits

    def step(self, view: ServerlessView) -> ServerlessProposal | None:
        if view.minute == 0:
            return ServerlessProposal(self.limits, "scripted", Action.RAISE_LIMITS)
        return None


def load(reads: float, *, item: float = 700.0, dataset: float = 1.0) -> Load:
    return Load(reads_per_s=reads, writes_per_s=0.0, dataset_gib=dataset, connections=1, avg_item_bytes=item)


def test_a_command_costs_one_ecpu_per_kib_transferred_and_at_least_one() -> None:
    assert PHYSICS.demand_ecpu_per_second(load(1000, item=700)) == 1000
    assert PHYSICS.demand_ecpu_per_second(load(1000, item=3072)) == 3000


def test_demand_above_the_ecpu_maximum_is_throttled_and_not_billed() -> None:
    limits = UsageLimits(ecpu_per_second_max=40_000)

    minute = serverless_minute(PHYSICS, "valkey", limits, load(50_000), minute=0, previous_supported=50_000)

    assert minute.ecpu == 40_000 * 60
    assert minute.throttled_cmds == pytest.approx(50_000 * 60 * 0.2)  # the 10,000 of 50,000 over the max
    # 40,000 ECPU/s for a minute at $0.0023 per million, 1 GiB (1.07 GB) at $0.084 per GB-hour
    assert minute.cost_usd == pytest.approx((40_000 * 3600 / 1e6 * 0.0023 + 2**30 / 1e9 * 0.084) / 60)


def test_the_cache_doubles_what_it_supports_every_three_minutes() -> None:
    # 10,000 -> 79,000 commands/s with no maximum: supported 10,000 x 2^(t/3) reaches 79,000 at t = 9
    result = simulate_serverless(steps((1, 10_000.0), (20, 79_000.0)), cache(), LimitsAsSet())

    assert result.breach_minutes == 8  # minutes 1-8
    assert result.breach_minutes_by_cause == {"throttled": 8, "storage": 0}


def test_a_raised_maximum_applies_after_its_lag() -> None:
    # 50,000 commands/s against 40,000: the raise called after minute 0 is in effect from minute 1 + 5 = 6;
    # minutes 0-5 throttle, then the cache grows 40,000 x 2^(1/3) = 50,397 >= 50,000 at once.
    raised = UsageLimits(ecpu_per_second_max=60_000)

    result = simulate_serverless(steps((30, 50_000.0)), cache(ecpu_per_second_max=40_000), RaiseOnce(raised))

    (action,) = result.actions
    assert (action.started_minute, action.finished_minute) == (1, 6)
    assert result.breach_minutes == 6
    assert result.throttled_cmds == pytest.approx(6 * 50_000 * 60 * 0.2)
    assert result.final == raised


def test_a_new_minimum_takes_an_hour() -> None:
    prewarmed = UsageLimits(ecpu_per_second_min=20_000)

    result = simulate_serverless(steps((90, 1_000.0)), cache(), RaiseOnce(prewarmed))

    assert result.actions[0].finished_minute == 61


def test_data_over_the_storage_maximum_is_a_breach_and_only_the_maximum_is_billed() -> None:
    limits = UsageLimits(data_storage_max_gb=10)

    minute = serverless_minute(
        PHYSICS, "valkey", limits, load(0, dataset=2 * TEN_GB_IN_GIB), minute=0, previous_supported=0
    )

    assert minute.data_over_maximum
    assert minute.bytes_used == pytest.approx(10e9)
    assert minute.cost_usd == pytest.approx(10 * 0.084 / 60)


def test_the_bill_has_floors_the_minimum_metered_storage_and_the_minimums() -> None:
    tiny = serverless_minute(
        PHYSICS, "valkey", UsageLimits(), load(0, dataset=0.05), minute=0, previous_supported=None
    )
    floored = serverless_minute(
        PHYSICS,
        "redis",
        UsageLimits(data_storage_min_gb=5, ecpu_per_second_min=10_000),
        load(1_000, dataset=0.05),
        minute=0,
        previous_supported=None,
    )

    assert tiny.cost_usd == pytest.approx(0.1 * 0.084 / 60)  # Valkey meters at least 100 MB
    # Redis OSS: 5 GB x $0.125 + 10,000 ECPU/s x 3600 / 1e6 x $0.0034, per hour, for one minute
    assert floored.cost_usd == pytest.approx((5 * 0.125 + 10_000 * 3600 / 1e6 * 0.0034) / 60)


def test_ours_is_the_runtimes_serverless_decide_and_raises_a_throttled_maximum() -> None:
    result = simulate_serverless(
        steps((30, 50_000.0)), cache(ecpu_per_second_max=40_000), ServerlessAutoscaler()
    )

    first = result.actions[0]
    assert first.action is Action.RAISE_LIMITS
    assert first.target == UsageLimits(ecpu_per_second_max=60_000)  # max(peak, maximum) x 1.5
    assert "throttled: maximum -> 60000" in first.reason  # the engine's own words
    assert result.breach_minutes < 30
