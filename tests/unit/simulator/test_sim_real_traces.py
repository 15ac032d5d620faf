"""The real-load conversion (tools/real_traces.py): deterministic, and the shipped scenarios match the
statistics docs/simulator.md states for them (length, median daily swing 3.0, every day within 2-5x)."""

import itertools
import math
import statistics

import pytest

from elasticache_autoscaler_cli.simulator.bench import scenarios
from tools.real_traces import DAILY_SWING, DAY, convert, daily_swings, solve_exponent, to_minutes

# name: days, as docs/simulator.md documents them
REAL = {
    "google2019_web": 9,
    "google2019_primary_replica": 4,
    "alibaba2018_web": 7,
    "alibaba2018_hot_shard": 4,
    "alibaba2018_primary_replica": 3,
}


def test_below_a_minute_samples_are_averaged_per_minute() -> None:
    assert to_minutes([10.0, 20.0, 30.0, 50.0, 7.0], 30) == [15.0, 40.0]


def test_above_a_minute_samples_are_interpolated_linearly_and_the_last_is_held() -> None:
    assert to_minutes([10.0, 20.0], 300) == [10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 20.0, 20.0, 20.0, 20.0]


def test_the_exponent_is_worked_out_by_hand_on_a_two_level_day() -> None:
    # hours 0-11 at 0.8, hours 12-23 at 1.25: the swing is (1.25 / 0.8) ** k = 3 -> k = ln 3 / ln 1.5625
    shape = [0.8] * (DAY // 2) + [1.25] * (DAY // 2)

    assert solve_exponent(shape) == pytest.approx(math.log(3) / math.log(1.5625), abs=1e-5)


def _five_minute_days(days: int) -> list[float]:
    """A smooth daily wave between 30 and 60 % with a weekday-dependent depth, every 5 minutes."""
    points = []
    for i in range(days * DAY // 5):
        hour = i * 5 / 60
        depth = 1 + 0.1 * ((i * 5) // DAY % 3)
        points.append(45 + 15 * depth * math.sin(2 * math.pi * hour / 24))
    return points


def test_the_conversion_is_deterministic_and_swings_the_median_day_three_times() -> None:
    series = _five_minute_days(6)

    first = convert(series, 300, 1, 4)
    second = convert(series, 300, 1, 4)

    assert first == second
    assert len(first.factor) == 4 * DAY
    assert statistics.median(first.swings) == pytest.approx(DAILY_SWING, abs=1e-4)
    assert statistics.median(first.factor) == pytest.approx(1.0, rel=1e-9)  # 1 at the slice's median


def test_a_slice_longer_than_the_series_is_refused() -> None:
    with pytest.raises(ValueError, match="whole days"):
        convert(_five_minute_days(2), 300, 1, 2)


@pytest.mark.parametrize("name", sorted(REAL))
def test_the_shipped_real_scenarios_match_their_documented_statistics(name: str) -> None:
    shipped = {s.name: s for s in scenarios()}
    trace = shipped[name].trace
    days = REAL[name]
    reads = trace.reads_per_s
    middle = statistics.median(reads)
    swings = daily_swings([r / middle for r in reads])

    assert len(trace) == days * DAY
    assert statistics.median(swings) == pytest.approx(DAILY_SWING, abs=0.01)
    assert all(2 <= s <= 5 for s in swings), swings


def test_the_burst_scenario_bursts_for_less_time_than_a_replica_takes_to_add() -> None:
    trace = {s.name: s for s in scenarios()}["short_bursts"].trace
    high = [r > 100_000 for r in trace.reads_per_s]
    starts = [i for i in range(1, len(high)) if high[i] and not high[i - 1]]
    lengths = []
    for start in starts:
        end = start
        while end < len(high) and high[end]:
            end += 1
        lengths.append(end - start)

    assert len(starts) == DAY // 40
    assert {b - a for a, b in itertools.pairwise(starts)} == {40}
    # 10 minutes at 3x: no longer than adding a replica takes (10 min, data/elasticache_scaling_durations.csv)
    assert set(lengths) == {10}
