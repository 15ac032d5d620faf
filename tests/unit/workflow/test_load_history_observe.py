"""Observe reads the group's load history when the policy opts in (``forecast.loadHistory``): from
CloudWatch at most once an hour, rescaled to today's capacity; a seasonal history then drives a pre-scale
(``drivenBy: forecast``), and with the option off the record says why no history was read."""

from datetime import datetime, timedelta

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.policy import ForecastSettings, Policy
from elasticache_autoscaler.models.snapshot import Snapshot
from elasticache_autoscaler.models.workflow import Decided, Execution, ObservationDetail, ObserveInput
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.load_history import PERIODS
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from tests.fakes.adapters import (
    FakeDecisionLog,
    FakeElastiCache,
    FakeMetrics,
    FakeObservationStore,
    FakePolicies,
    FakeState,
)
from tests.unit.engine.builders import ACT, AT_TARGET, NOW, metrics, topology
from tests.unit.engine.load_histories import history, sampled
from tests.unit.engine.test_forecast_pre_scale import WAVE

# the CPU scale-out floor off, as the forecast's own tests (the wave peaks at 75 % read CPU, under the floor)
OPTED_IN = AT_TARGET.model_copy(update={"forecast": ForecastSettings(load_history=True)})
PRE_SCALE_AT = NOW + timedelta(minutes=20)  # within a replica's lead time of the wave's crossing


def _wave(end: datetime) -> LoadHistory:
    """8 days of the read CPU wave that crosses the threshold 30 min after NOW, as CloudWatch measured it."""
    return history(end, read_cpu_percent=sampled(WAVE, end, 8))


def _deps(policy: Policy, state: FakeState, cloudwatch: FakeMetrics, log: FakeDecisionLog) -> ObserveDeps:
    topo = topology()
    elasticache = FakeElastiCache()
    elasticache.add(topo)
    cloudwatch.metrics = metrics(topo)
    return ObserveDeps(
        elasticache=elasticache,
        metrics=cloudwatch,
        policies=FakePolicies(policy),
        state=state,
        log=log,
        managed_tag_key="elasticache-autoscaler:managed",
        paused_tag_key="elasticache-autoscaler:paused",
        store=FakeObservationStore(),
    )


def _evaluate(deps: ObserveDeps, now: datetime) -> tuple[ObservationDetail, Decided]:
    execution = Execution(
        arn=f"arn:aws:states:us-east-1:123456789012:execution:Scaling:{now:%H%M}", started_at=now
    )
    observed = observe(
        ObserveInput(input={"cluster": "orders", "dryRun": False}, execution=execution), deps, now
    )
    decided = decide_step(observed, DecideDeps(store=deps.store, log=deps.log, retention_days=90), now)
    return deps.store.get(observed.stored), decided


def _snapshot(detail: ObservationDetail) -> Snapshot:
    assert isinstance(detail.snapshot, Snapshot)
    return detail.snapshot


def test_opted_in_a_seasonal_history_drives_the_pre_scale() -> None:
    # Given a group whose read CPU rose like this every day for 8 days, and a policy that reads its history
    cloudwatch = FakeMetrics(load=_wave)
    deps = _deps(OPTED_IN, FakeState(), cloudwatch, FakeDecisionLog())

    # When it is evaluated 10 min before the wave crosses the threshold
    detail, decided = _evaluate(deps, PRE_SCALE_AT)

    # Then the snapshot carried 8 days of 5-minute periods and the forecast drove the decision
    loaded = _snapshot(detail).load_history
    assert loaded is not None and len(loaded.read_cpu_percent) == PERIODS == 2304
    assert cloudwatch.history_reads == [(PRE_SCALE_AT - timedelta(days=8), PRE_SCALE_AT)]
    decision = decided.decision
    assert decision is not None
    assert decision.action == Action.ADD_REPLICAS.value and decision.driven_by == "forecast"
    (record,) = deps.log.items.values()  # type: ignore[attr-defined]
    assert record["drivenBy"] == "forecast" and record["status"] == "planned", record["reasons"]


def test_in_forecast_mode_the_same_pre_scale_is_recorded_as_what_it_would_do() -> None:
    policy = OPTED_IN.model_copy(update={"mode": "forecast"})
    deps = _deps(policy, FakeState(), FakeMetrics(load=_wave), FakeDecisionLog())

    _, decided = _evaluate(deps, PRE_SCALE_AT)

    (record,) = deps.log.items.values()  # type: ignore[attr-defined]
    assert decided.decision is not None and decided.decision.driven_by == "forecast"
    assert record["status"] == "skipped"
    assert record["reasons"][-1] == "dry run (forecast mode): would add_replicas, changed nothing"


def test_opted_out_no_history_is_read_and_the_record_says_why() -> None:
    cloudwatch = FakeMetrics(load=_wave)
    deps = _deps(ACT, FakeState(), cloudwatch, FakeDecisionLog())

    detail, decided = _evaluate(deps, PRE_SCALE_AT)

    assert _snapshot(detail).load_history is None and cloudwatch.history_reads == []
    assert decided.decision is not None and decided.decision.action == Action.NONE.value
    (record,) = deps.log.items.values()  # type: ignore[attr-defined]
    assert "forecast: off (policy forecast.loadHistory is false: no load history read)" in record["reasons"]


def test_a_second_observe_within_the_hour_reads_the_cache_and_an_hour_later_only_what_is_new() -> None:
    cloudwatch, state = FakeMetrics(load=_wave), FakeState()
    deps = _deps(OPTED_IN, state, cloudwatch, FakeDecisionLog())

    _evaluate(deps, NOW)
    _evaluate(deps, NOW + timedelta(minutes=55))
    assert len(cloudwatch.history_reads) == 1  # the second evaluation made no history call

    detail, _ = _evaluate(deps, NOW + timedelta(minutes=60))

    # an hour later: only the periods since the last fetch (15 min again, as CloudWatch fills in late)
    assert cloudwatch.history_reads[1] == (NOW - timedelta(minutes=15), NOW + timedelta(minutes=60))
    loaded = _snapshot(detail).load_history
    assert loaded is not None and loaded.end == NOW + timedelta(minutes=60)
    assert loaded.read_cpu_percent == pytest.approx(
        _wave(NOW + timedelta(minutes=60)).read_cpu_percent, abs=1e-3
    )


def test_the_history_is_read_against_the_capacity_now() -> None:
    # Given memory at 60 % for 8 days on 2 shards, and a change to 3 shards at NOW (the record step's)
    state = FakeState()
    two = Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1)
    state.timelines["orders"] = CapacityTimeline(
        changes=(CapacityChange(at=NOW, before=two, after=two.model_copy(update={"shards": 3})),)
    )
    cloudwatch = FakeMetrics(load=lambda end: history(end, memory_percent=(60.0,) * PERIODS))
    deps = _deps(OPTED_IN, state, cloudwatch, FakeDecisionLog())
    assert isinstance(deps.elasticache, FakeElastiCache)
    deps.elasticache.add(topology(shards=3))

    detail, _ = _evaluate(deps, NOW + timedelta(minutes=30))

    # Then the periods on 2 shards read 40 % against today's 3, those since the change 60 %
    loaded = _snapshot(detail).load_history
    assert loaded is not None
    assert set(loaded.memory_percent[:-6]) == {40.0} and set(loaded.memory_percent[-6:]) == {60.0}
