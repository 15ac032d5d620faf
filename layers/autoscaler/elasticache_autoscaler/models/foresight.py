"""What a decision foresaw: the forecast it made of each signal (or why it declined), for the decision log
and for scoring the forecast later against what happened (``engine.forecast_score``)."""

from datetime import datetime

from pydantic import Field

from elasticache_autoscaler.models.base import WireModel

DRIVEN_BY_FORECAST = "forecast"
SCHEDULE_PREFIX = "schedule:"


def driven_by_schedule(name: str) -> str:
    """``schedule:<name>``: the value of ``Decision.drivenBy`` when a schedule drove the action."""
    return f"{SCHEDULE_PREFIX}{name}"


class SignalForecast(WireModel):
    """One signal's forecast over the horizon: its peak, when, from which model, and how well that model
    did on the signal's own history (``errorRatio``: backtest error over a no-seasonality forecast's)."""

    signal: str
    model: str
    peak: float
    peak_in_minutes: int = Field(ge=0)
    threshold: float
    error_ratio: float = Field(ge=0)


class ForecastNote(WireModel):
    made_at: datetime
    horizon_minutes: int = Field(ge=1)
    forecasts: tuple[SignalForecast, ...] = ()
    declined: tuple[str, ...] = ()
    """Per signal, why no forecast was made (too little history, noise, no seasonality)."""
