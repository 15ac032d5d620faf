"""The forecast scores itself against what happened: hit, miss, false alarm, quiet; and the decision log
keeps what it needs for that (``drivenBy``, the forecast note)."""

from datetime import timedelta

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.forecast_score import score, score_history
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.foresight import ForecastNote, SignalForecast
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.snapshot import Snapshot
from tests.unit.engine.builders import ACT, NOW, metrics, topology
from tests.unit.engine.load_histories import history

MADE_AT = NOW - timedelta(hours=2)


def _note(peak: float, threshold: float = 66.0) -> ForecastNote:
    return ForecastNote(
        made_at=MADE_AT,
        horizon_minutes=60,
        forecasts=(
            SignalForecast(
                signal="read CPU",
                model="holt_winters",
                peak=peak,
                peak_in_minutes=30,
                threshold=threshold,
                error_ratio=0.1,
            ),
        ),
    )


def _actual(during_horizon: float, elsewhere: float = 20.0) -> tuple[float, ...]:
    """Three hours of 5-min periods ending at NOW; the hour after MADE_AT at ``during_horizon``."""
    return tuple(during_horizon if 12 <= i < 24 else elsewhere for i in range(36))


@pytest.mark.parametrize(
    ("forecast_peak", "actual_peak", "verdict"),
    [(70.0, 72.0, "hit"), (70.0, 50.0, "false_alarm"), (50.0, 72.0, "miss"), (50.0, 40.0, "quiet")],
)
def test_each_forecast_is_scored_on_the_peak_of_its_horizon(
    forecast_peak: float, actual_peak: float, verdict: str
) -> None:
    actual = history(
        NOW, read_cpu_percent=_actual(actual_peak, elsewhere=90.0 if verdict == "quiet" else 20.0)
    )

    (scored,) = score(_note(forecast_peak), actual) or ()

    assert (scored.verdict, scored.actual_peak) == (verdict, actual_peak)


def test_a_horizon_not_over_yet_is_not_scored() -> None:
    actual = history(MADE_AT + timedelta(minutes=30), read_cpu_percent=(20.0,) * 24)

    assert score(_note(70.0), actual) is None


def test_the_next_decision_scores_past_forecasts_from_history() -> None:
    topo = topology()
    past = (
        PastDecision(action=Action.NONE, decided_at=MADE_AT, status="skipped", forecast=_note(70.0)),
        PastDecision(
            action=Action.NONE, decided_at=MADE_AT, status="skipped", forecast=_note(70.0, threshold=80.0)
        ),
    )
    seen = Snapshot(
        taken_at=NOW,
        topology=topo,
        metrics=metrics(topo),
        load_history=history(NOW, read_cpu_percent=_actual(72.0)),
    )

    decision = decide(seen, ACT, past, NOW)
    card = score_history(past, history(NOW, read_cpu_percent=_actual(72.0)))

    assert card is not None and (card.hits, card.misses, card.false_alarms) == (1, 0, 0)
    assert decision.signals["forecastHits"] == 1.0 and decision.signals["forecastsScored"] == 2.0
    assert card.describe() in decision.reasons


def test_the_decision_record_keeps_what_drove_the_action_and_the_forecast() -> None:
    record = DecisionRecord.model_validate(
        {
            "cluster": "orders",
            "decidedAt": NOW.isoformat(),
            "action": "add_replicas",
            "current": None,
            "target": None,
            "reasons": ["r"],
            "mode": "observe",
            "status": "skipped",
            "trigger": "schedule",
            "executionArn": "arn",
            "expiresAt": 1,
            "drivenBy": "forecast",
            "forecast": _note(70.0).to_wire(),
        }
    )
    wire = record.to_wire()

    assert wire["drivenBy"] == "forecast"
    assert PastDecision.model_validate(
        {"action": "add_replicas", "decidedAt": NOW, "status": "skipped", "forecast": wire["forecast"]}
    ).forecast == _note(70.0)
