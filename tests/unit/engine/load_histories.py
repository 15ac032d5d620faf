"""Load histories for the forecast: a daily wave (with a trend) or noise, as functions of absolute time."""

import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from elasticache_autoscaler.models.load_history import LoadHistory

DAY = timedelta(days=1)
Load = Callable[[datetime], float]


def daily_wave(peak_at: datetime, mean: float, amplitude: float, per_day: float = 0.0) -> Load:
    """A daily sine peaking at ``peak_at``'s time of day, plus ``per_day`` more every day (the trend)."""

    def load(at: datetime) -> float:
        days = (at - peak_at) / DAY
        return mean + amplitude * math.cos(2 * math.pi * days) + per_day * days

    return load


def noise(mean: float, spread: float, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [mean + rng.gauss(0, spread) for _ in range(100_000)]


def sampled(load: Load, end: datetime, days: float, period_seconds: int = 300) -> tuple[float, ...]:
    """Each period's maximum of ``load`` (the larger of its ends: the loads here are smooth) over the
    ``days`` before ``end``, oldest first, as CloudWatch's ``Maximum`` per period."""
    period = timedelta(seconds=period_seconds)
    count = round(days * 86_400 / period_seconds)
    return tuple(
        max(load(end - period * (count - i)), load(end - period * (count - i - 1))) for i in range(count)
    )


def history(end: datetime, period_seconds: int = 300, **series: tuple[float | None, ...]) -> LoadHistory:
    return LoadHistory.model_validate({"period_seconds": period_seconds, "end": end, **series})
