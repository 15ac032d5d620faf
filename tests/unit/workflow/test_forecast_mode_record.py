"""The decision record of a forecast's trial says it was a dry run because of ``forecast`` mode."""

from datetime import timedelta

from elasticache_autoscaler.workflow import outcomes
from elasticache_autoscaler.workflow.decide_step import _dry_run_because
from tests.unit.engine.builders import AT_TARGET, NOW
from tests.unit.engine.test_forecast_pre_scale import _at


def test_a_forecast_trial_is_skipped_as_a_dry_run_of_forecast_mode() -> None:
    policy = AT_TARGET.model_copy(update={"mode": "forecast"})
    decision = _at(NOW + timedelta(minutes=20), policy)

    status, reasons = outcomes.decided(
        decision, decision.dry_run, False, dry_run_because=_dry_run_because(decision, policy)
    )

    assert status == outcomes.SKIPPED
    assert reasons[-1] == "dry run (forecast mode): would add_replicas, changed nothing"


def test_the_same_decision_in_observe_mode_says_observe_mode() -> None:
    policy = AT_TARGET.model_copy(update={"mode": "observe"})
    decision = _at(NOW + timedelta(minutes=20), policy)

    assert decision.dry_run and decision.driven_by == "forecast"
    assert _dry_run_because(decision, policy) == "observe mode"
