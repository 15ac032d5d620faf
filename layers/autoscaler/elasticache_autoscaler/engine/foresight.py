"""The forecast of every signal the load history carries, made once per decision (``Situation``), and the
note the decision records of it. Pure: ``now`` comes in.

The history's periods are read as CloudWatch labels them (a value per period, the last one ending at
``LoadHistory.end``); forecast period ``k`` starts ``k - 1`` periods after ``end``. A group's forecast
reaches ``HORIZON_MINUTES`` past ``now``: longer than any scale-out's lead time but a reshard of a large
data set. A Serverless cache's reaches its ``prewarmLeadSeconds`` (a raised minimum takes up to an hour).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticache_autoscaler.engine.forecast import Declined, Forecast, forecast
from elasticache_autoscaler.models.foresight import ForecastNote, SignalForecast
from elasticache_autoscaler.models.load_history import LoadHistory

HORIZON_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Foresight:
    history: LoadHistory
    now: datetime
    forecasts: dict[str, Forecast]
    """By signal name (``memory``, ``write CPU``, ``read CPU``, ``connections``): those not declined."""
    declined: dict[str, str]
    horizon_minutes: int = HORIZON_MINUTES

    def periods_until(self, minutes: float) -> int:
        """How many forecast periods start by ``now + minutes`` (at least one): a period that starts right
        when the capacity would be ready counts, so a pre-scale comes up to a period early, never late."""
        lag = (self.now - self.history.end).total_seconds() / 60
        return int(max(minutes + lag, 0.0) * 60 // self.history.period_seconds) + 1

    def minutes_until(self, period: int) -> int:
        """Minutes from ``now`` until forecast period ``period`` (1-based) starts (0 when it has)."""
        start = self.history.end + timedelta(seconds=(period - 1) * self.history.period_seconds)
        return max(0, round((start - self.now).total_seconds() / 60))

    def peaks(self, minutes: float) -> dict[str, tuple[float, int]]:
        """Each forecast signal's peak over the periods that start within ``minutes``, with the minutes
        until that period starts."""
        periods = self.periods_until(minutes)
        out: dict[str, tuple[float, int]] = {}
        for signal, ahead in self.forecasts.items():
            value, period = ahead.peak(periods)
            out[signal] = (value, self.minutes_until(period))
        return out

    def note(self, thresholds: dict[str, float]) -> ForecastNote:
        peaks = self.peaks(self.horizon_minutes)
        return ForecastNote(
            made_at=self.now,
            horizon_minutes=self.horizon_minutes,
            forecasts=tuple(
                SignalForecast(
                    signal=signal,
                    model=ahead.model,
                    peak=round(peaks[signal][0], 3),
                    peak_in_minutes=peaks[signal][1],
                    threshold=round(thresholds[signal], 3),
                    error_ratio=ahead.error_ratio,
                )
                for signal, ahead in self.forecasts.items()
            ),
            declined=tuple(f"{signal}: {reason}" for signal, reason in self.declined.items()),
        )


def foresee(
    history: LoadHistory | None, now: datetime, horizon_minutes: int = HORIZON_MINUTES
) -> Foresight | None:
    """The forecasts of ``history``'s signals up to ``horizon_minutes`` after ``now`` (None: no history)."""
    if history is None:
        return None
    lag = (now - history.end).total_seconds() / 60
    horizon = int((horizon_minutes + max(lag, 0.0)) * 60 // history.period_seconds) + 1
    forecasts: dict[str, Forecast] = {}
    declined: dict[str, str] = {}
    for signal, series in history.by_signal().items():
        if not series:
            continue
        ahead = forecast(series, history.period_seconds, horizon)
        if isinstance(ahead, Declined):
            declined[signal] = ahead.reason
        else:
            forecasts[signal] = ahead
    return Foresight(
        history=history, now=now, forecasts=forecasts, declined=declined, horizon_minutes=horizon_minutes
    )
