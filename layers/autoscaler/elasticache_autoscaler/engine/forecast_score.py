"""Score past forecasts against what happened: the forecast's own record of hits, misses and false alarms.

A forecast note (``Decision.forecast``) says, per signal, the peak it expected within its horizon and the
threshold a scale-out starts at. Once the load history covers that horizon, each signal's forecast is:
- ``hit``: forecast above the threshold, and the load went above it;
- ``false_alarm``: forecast above, the load stayed under (a pre-scale there would have been wasted);
- ``miss``: forecast under, the load went above (the reactive rules had to catch it);
- ``quiet``: both under.
Pure: no I/O, no clock.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from statistics import fmean
from typing import Literal

from elasticache_autoscaler.models.foresight import ForecastNote
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.load_history import LoadHistory

Verdict = Literal["hit", "false_alarm", "miss", "quiet"]


@dataclass(frozen=True, slots=True)
class SignalScore:
    signal: str
    verdict: Verdict
    forecast_peak: float
    actual_peak: float
    threshold: float


def score(note: ForecastNote, actual: LoadHistory) -> tuple[SignalScore, ...] | None:
    """Each forecast signal of ``note`` against ``actual``'s peak over the note's horizon; None while the
    history does not cover the whole horizon yet (or no longer reaches back to it)."""
    period = timedelta(seconds=actual.period_seconds)
    horizon_end = note.made_at + timedelta(minutes=note.horizon_minutes)
    scores: list[SignalScore] = []
    for forecast in note.forecasts:
        series = actual.by_signal().get(forecast.signal, ())
        first = actual.end - period * len(series)
        if actual.end < horizon_end or first > note.made_at:
            return None
        seen = [
            value
            for i, value in enumerate(series)
            if value is not None and note.made_at <= first + period * i < horizon_end
        ]
        if not seen:
            continue
        peak = max(seen)
        foreseen, happened = forecast.peak > forecast.threshold, peak > forecast.threshold
        verdict: Verdict = (
            ("hit" if happened else "false_alarm") if foreseen else ("miss" if happened else "quiet")
        )
        scores.append(SignalScore(forecast.signal, verdict, forecast.peak, peak, forecast.threshold))
    return tuple(scores)


@dataclass(frozen=True, slots=True)
class ScoreCard:
    forecasts: int
    hits: int
    misses: int
    false_alarms: int
    mean_peak_error: float | None
    """Mean of |forecast peak - actual peak| over every scored signal."""

    def as_dict(self) -> dict[str, float | None]:
        return {
            "forecastsScored": float(self.forecasts),
            "forecastHits": float(self.hits),
            "forecastMisses": float(self.misses),
            "forecastFalseAlarms": float(self.false_alarms),
            "forecastMeanPeakError": None if self.mean_peak_error is None else round(self.mean_peak_error, 3),
        }

    def describe(self) -> str:
        error = "n/a" if self.mean_peak_error is None else f"{self.mean_peak_error:.1f}"
        return (
            f"forecast score: {self.forecasts} past forecast(s) scored against what happened: {self.hits} "
            f"hit(s), {self.misses} miss(es), {self.false_alarms} false alarm(s), mean peak error {error}"
        )


def score_history(history: History, actual: LoadHistory) -> ScoreCard | None:
    """The score card of every past forecast in ``history`` that ``actual`` covers (None: none yet)."""
    scored = [s for past in history if past.forecast for s in score(past.forecast, actual) or ()]
    if not scored:
        return None
    verdicts = Counter(s.verdict for s in scored)
    return ScoreCard(
        forecasts=len(scored),
        hits=verdicts["hit"],
        misses=verdicts["miss"],
        false_alarms=verdicts["false_alarm"],
        mean_peak_error=fmean(abs(s.forecast_peak - s.actual_peak) for s in scored),
    )
