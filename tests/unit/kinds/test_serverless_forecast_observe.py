"""Observe reads a Serverless cache's usage history when its policy opts in (``forecast.loadHistory``):
ECPU/s and storage at 5-minute periods over 8 days, from CloudWatch at most once an hour (the state table's
cache, as a replication group's); the forecast then pre-warms the minimums, and the record says so."""

from datetime import datetime, timedelta

import pytest

from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.kind_decision import ServerlessDecision
from elasticache_autoscaler.models.kind_snapshot import ServerlessSnapshot
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.workflow import Decided, Execution, ObservationDetail, ObserveInput
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.load_history import PERIODS
from elasticache_autoscaler.workflow.observe import observe
from tests.unit.engine.load_histories import sampled
from tests.unit.kinds.test_kind_workflow import World
from tests.unit.kinds.test_serverless_forecast import daily_swell, metrics, usage_history
from tests.unit.workflow.conftest import ARN

OPTED_IN = {
    "mode": "act",
    "lowerBelowPercent": 1,
    "maxEcpuPerSecond": 100_000,
    "baseMinimums": {"dataStorageGb": 1, "ecpuPerSecond": 1000},
    "forecast": {"loadHistory": True},
}
HOUR_AHEAD = datetime.fromisoformat("2026-11-26T13:00:00+00:00")  # the swell starts at 14:00


def _swell(end: datetime) -> LoadHistory:
    return usage_history(sampled(daily_swell, end, 8), end)


def _world(policy: dict[str, object]) -> World:
    world = World()
    world.policies.documents["sessions"] = policy
    world.metrics.usage["sessions"] = _swell
    return world


def _evaluate(world: World, now: datetime) -> tuple[ObservationDetail, Decided]:
    world.metrics.serverless["sessions"] = metrics(daily_swell, now)
    observed = observe(
        ObserveInput(
            input={"cluster": "sessions"}, execution=Execution(arn=f"{ARN}{now:%H%M}", started_at=now)
        ),
        world.observe_deps,
        now,
    )
    decided = decide_step(observed, DecideDeps(world.store, world.log, 90), now)
    return world.store.get(observed.stored), decided


def _snapshot(detail: ObservationDetail) -> ServerlessSnapshot:
    assert isinstance(detail.snapshot, ServerlessSnapshot)
    return detail.snapshot


def test_opted_in_the_usage_history_is_read_and_the_forecast_pre_warms_the_minimums() -> None:
    world = _world(OPTED_IN)

    detail, decided = _evaluate(world, HOUR_AHEAD)

    loaded = _snapshot(detail).load_history
    assert loaded is not None and len(loaded.ecpu_per_second) == len(loaded.data_storage_gb) == PERIODS
    assert world.metrics.history_reads == [("sessions", HOUR_AHEAD - timedelta(days=8), HOUR_AHEAD)]
    decision = decided.decision
    assert isinstance(decision, ServerlessDecision)
    assert (decision.action.value, decision.driven_by, decided.live) == ("set_minimums", "forecast", True)
    assert decision.target.ecpu_per_second_min == pytest.approx(20_000, rel=0.01)
    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert record.driven_by == "forecast" and record.forecast is not None
    assert any("pre-warm to" in reason for reason in record.reasons)


def test_in_forecast_mode_the_pre_warm_is_recorded_as_what_it_would_do() -> None:
    world = _world({**OPTED_IN, "mode": "forecast"})

    _, decided = _evaluate(world, HOUR_AHEAD)

    assert decided.decision is not None and decided.decision.driven_by == "forecast"
    assert not decided.live
    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert any(reason.startswith("mode forecast:") for reason in record.reasons)


def test_the_history_is_fetched_at_most_hourly_then_only_what_is_new() -> None:
    world = _world(OPTED_IN)
    start = HOUR_AHEAD - timedelta(hours=3)

    _evaluate(world, start)
    _evaluate(world, start + timedelta(minutes=55))
    assert len(world.metrics.history_reads) == 1
    # cached under the cache's own key: a replication group named "sessions" keeps another
    assert set(world.state.load_histories) == {"serverless#sessions"}

    detail, _ = _evaluate(world, start + timedelta(minutes=60))

    assert world.metrics.history_reads[1] == (
        "sessions",
        start - timedelta(minutes=15),
        start + timedelta(minutes=60),
    )
    loaded = _snapshot(detail).load_history
    assert loaded is not None
    assert loaded.ecpu_per_second == pytest.approx(
        _swell(start + timedelta(minutes=60)).ecpu_per_second, abs=1e-3
    )


def test_opted_out_no_history_is_read_and_the_record_says_why() -> None:
    world = _world({**OPTED_IN, "forecast": {"loadHistory": False}})

    detail, _ = _evaluate(world, HOUR_AHEAD)

    assert _snapshot(detail).load_history is None and world.metrics.history_reads == []
    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert any(reason.startswith("forecast: off") for reason in record.reasons)
