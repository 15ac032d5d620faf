"""Forecast one signal's next periods from its own history, or decline to. Pure maths: no I/O, no clock.

Models, in fallback order (the first that passes the confidence gate is used):
1. ``holt_winters``: additive Holt-Winters (level, trend, daily season) with fixed smoothing constants;
   it follows a trend (a load growing day after day). Needs ``HOLT_WINTERS_DAYS`` days of history: one to
   start from, one to settle, one to be judged on.
2. ``seasonal_naive``: the same time yesterday, averaged with the same time last week when the history
   reaches back that far. Needs ``MIN_DAYS`` days.

The confidence gate: each model is backtested on the last day of the history, forecasting each period as
far ahead as the forecast will be read (``horizon`` periods, from what was known then), and compared with
a forecast that assumes no seasonality (the mean of the day before). A model is trusted only when its mean
absolute error is at most ``MAX_ERROR_RATIO`` of that baseline's: on noise or on a load without a daily
shape, neither model beats the flat forecast and the forecast declines. It also declines on too little
history, on more than ``MAX_MISSING_SHARE`` of periods missing, and on a flat series (nothing to foresee).
"""

from dataclasses import dataclass
from statistics import fmean

DAY_SECONDS = 86_400
WEEK_DAYS = 7
MIN_DAYS = 2
HISTORY_DAYS = WEEK_DAYS + 1
"""The history that serves every model at its best: the seasonal-naive backtest of the last day reads the
same time a week before each of its periods, so a week and a day."""
HOLT_WINTERS_DAYS = 3
MAX_MISSING_SHARE = 0.1
MAX_ERROR_RATIO = 0.5
ALPHA, BETA, GAMMA = 0.2, 0.02, 0.3
"""Holt-Winters smoothing of level, trend and season: slow enough to ride over noise, quick enough to follow
a change of shape within a day or two."""


@dataclass(frozen=True, slots=True)
class Forecast:
    model: str
    values: tuple[float, ...]
    """The forecast of the next periods: ``values[k - 1]`` is the period that starts ``k - 1`` periods after
    the history ends."""
    error_ratio: float
    """The model's backtest error over the no-seasonality forecast's (at most ``MAX_ERROR_RATIO``)."""

    def peak(self, periods: int) -> tuple[float, int]:
        """The highest value of the first ``periods`` (at least one) and its 1-based index."""
        window = self.values[: max(1, periods)]
        best = max(range(len(window)), key=lambda i: (window[i], -i))
        return window[best], best + 1


@dataclass(frozen=True, slots=True)
class Declined:
    reason: str


def _filled(series: tuple[float | None, ...]) -> list[float] | None:
    """Missing periods carried forward (leading ones back); None when nothing is known."""
    known = [value for value in series if value is not None]
    if not known:
        return None
    out: list[float] = []
    last = known[0]
    for value in series:
        last = last if value is None else value
        out.append(last)
    return out


def _mae(predicted: dict[int, float], actual: list[float]) -> float:
    return fmean(abs(value - actual[i]) for i, value in predicted.items())


def _flat(y: list[float], m: int, h: int) -> dict[int, float]:
    """The no-seasonality forecast of each period of the last day: the mean of the day before its origin
    (as much of it as the history holds)."""
    n = len(y)
    return {i: fmean(y[max(0, i - h - m + 1) : i - h + 1]) for i in range(n - m, n)}


def _seasonal_naive_at(y: list[float], m: int, i: int) -> float:
    lags = [y[i - m]] + ([y[i - WEEK_DAYS * m]] if i - WEEK_DAYS * m >= 0 else [])
    return fmean(lags)


def _seasonal_naive(y: list[float], m: int, h: int) -> tuple[dict[int, float], tuple[float, ...]]:
    """Backtest predictions for the last day and the next ``h`` periods (``h`` at most a day)."""
    n = len(y)
    backtest = {i: _seasonal_naive_at(y, m, i) for i in range(n - m, n)}
    extended = list(y)
    for _ in range(h):
        extended.append(_seasonal_naive_at(extended, m, len(extended)))
    return backtest, tuple(extended[n:])


def _holt_winters(y: list[float], m: int, h: int) -> tuple[dict[int, float], tuple[float, ...]]:
    n = len(y)
    # Started from the first two days: the trend from their means, the level at the first day's last
    # period, the season as the first day's deviations from that trend line.
    first = fmean(y[:m])
    trend = (fmean(y[m : 2 * m]) - first) / m
    middle = (m - 1) / 2
    level = first + trend * middle
    season = [value - (first + trend * (i - middle)) for i, value in enumerate(y[:m])]
    backtest: dict[int, float] = {}
    for t in range(m, n):
        s = season[t % m]
        previous = level
        level = ALPHA * (y[t] - s) + (1 - ALPHA) * (level + trend)
        trend = BETA * (level - previous) + (1 - BETA) * trend
        season[t % m] = GAMMA * (y[t] - level) + (1 - GAMMA) * s
        target = t + h
        if n - m <= target < n:
            backtest[target] = level + h * trend + season[target % m]
    future = tuple(level + k * trend + season[(n - 1 + k) % m] for k in range(1, h + 1))
    return backtest, future


def forecast(series: tuple[float | None, ...], period_seconds: int, horizon: int) -> Forecast | Declined:
    """The next ``horizon`` periods of ``series`` (oldest first, one value per ``period_seconds``), or why
    not. ``horizon`` is also how far ahead the backtest forecasts (at most a day)."""
    m = DAY_SECONDS // period_seconds
    h = min(max(1, horizon), m)
    n = len(series)
    if n < MIN_DAYS * m:
        return Declined(f"{n * period_seconds / 3600:.0f} h of history, a forecast needs {MIN_DAYS * 24} h")
    missing = sum(value is None for value in series)
    if missing > MAX_MISSING_SHARE * n:
        return Declined(f"{missing} of {n} periods missing (more than {MAX_MISSING_SHARE:.0%})")
    y = _filled(series)
    if y is None:
        return Declined("no data")
    baseline = _mae(_flat(y, m, h), y)
    if baseline <= 1e-9 * max(1.0, *(abs(v) for v in y)):
        return Declined("flat over the last day: nothing to foresee")
    tried: list[str] = []
    models = [("holt_winters", _holt_winters)] if n >= HOLT_WINTERS_DAYS * m else []
    models.append(("seasonal_naive", _seasonal_naive))
    for name, model in models:
        backtest, future = model(y, m, h)
        ratio = _mae(backtest, y) / baseline
        if ratio <= MAX_ERROR_RATIO:
            return Forecast(name, future, round(ratio, 4))
        tried.append(f"{name} {ratio:.2f}")
    return Declined(
        f"no seasonality it can trust: backtest error over a flat forecast's {', '.join(tried)} "
        f"(at most {MAX_ERROR_RATIO} needed)"
    )
