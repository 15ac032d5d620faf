"""Invariants of foresight over generated load histories (waves, trends, noise) and schedules: a forecast
only ever scales out and never changes a scale-in (it neither starts one nor makes one deeper); no scale-in
goes below an active schedule's minimum."""

import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.schedule import Schedule
from elasticache_autoscaler.models.snapshot import Snapshot
from tests.property.strategies import histories, policies, snapshots
from tests.unit.engine.builders import NOW

SOME = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PERIOD = 900
PER_DAY = 86_400 // PERIOD


@st.composite
def series(draw: st.DrawFn, days: int, scale: float) -> tuple[float, ...]:
    mean = draw(st.floats(5, 80))
    amplitude = draw(st.floats(0, 40))
    trend = draw(st.floats(-5, 5))
    spread = draw(st.floats(0, 15))
    phase = draw(st.floats(0, 1))
    rng = random.Random(draw(st.integers(0, 2**16)))
    count = days * PER_DAY
    return tuple(
        scale
        * max(
            0.0,
            mean
            + amplitude * math.cos(2 * math.pi * (i / PER_DAY - phase))
            + trend * i / PER_DAY
            + rng.gauss(0, spread),
        )
        for i in range(count)
    )


@st.composite
def load_histories(draw: st.DrawFn) -> LoadHistory:
    days = draw(st.sampled_from([2, 3, 4]))
    return LoadHistory(
        period_seconds=PERIOD,
        end=NOW,
        memory_percent=draw(series(days, 1.0)),
        write_cpu_percent=draw(series(days, 1.0)),
        read_cpu_percent=draw(series(days, 1.0)),
        connections_per_node=draw(series(days, 1000.0)),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Snapshot, Policy, History, LoadHistory]:
    policy = draw(policies())
    return draw(snapshots(policy)), policy, draw(histories()), draw(load_histories())


@SOME
@given(cases())
def test_a_forecast_only_ever_scales_out_and_never_changes_a_scale_in(
    case: tuple[Snapshot, Policy, History, LoadHistory],
) -> None:
    snapshot, policy, history, load = case
    blind = decide(snapshot, policy, history, NOW)
    foreseeing = decide(snapshot.model_copy(update={"load_history": load}), policy, history, NOW)

    if foreseeing.driven_by == "forecast":
        assert foreseeing.action.is_scale_out, foreseeing.reasons
    if foreseeing.action.is_scale_in:
        assert (foreseeing.action, foreseeing.target) == (blind.action, blind.target), foreseeing.reasons
    if blind.action.is_scale_out and blind.blocked_code is not BlockedBy.AT_BOUNDS:
        # the signals' own scale-out comes first: a forecast never replaces it
        assert (foreseeing.action, foreseeing.target, foreseeing.driven_by) == (
            blind.action,
            blind.target,
            None,
        )


@st.composite
def held(draw: st.DrawFn) -> tuple[Snapshot, Policy, History, Schedule]:
    policy = draw(policies())
    schedule = Schedule(
        name="always",
        cron="0 0 * * *",
        duration_minutes=24 * 60,  # a window every day that lasts the day: always active
        min_shards=draw(st.one_of(st.none(), st.integers(policy.min_shards, policy.max_shards))),
        min_replicas_per_shard=draw(
            st.integers(policy.min_replicas_per_shard, policy.max_replicas_per_shard)
        ),
    )
    held_policy = policy.model_copy(update={"schedules": (schedule,)})
    return draw(snapshots(policy)), held_policy, draw(histories()), schedule


@SOME
@given(held())
def test_never_a_scale_in_below_an_active_schedules_minimum(
    case: tuple[Snapshot, Policy, History, Schedule],
) -> None:
    snapshot, policy, history, schedule = case

    decision = decide(snapshot, policy, history, NOW)

    if decision.action.is_scale_in:
        assert decision.target.replicas_per_shard >= (schedule.min_replicas_per_shard or 0), decision.reasons
        if snapshot.topology.cluster_mode_enabled:
            assert decision.target.shards >= (schedule.min_shards or 0), decision.reasons
    if decision.driven_by is not None:
        assert decision.driven_by == "schedule:always" and decision.action.is_scale_out
