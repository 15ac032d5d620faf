"""The forecast on series whose shape is known: a daily wave with a trend is foreseen (its peak within
tolerance); noise, a flat load and a short history are declined."""

from datetime import timedelta

import pytest

from elasticache_autoscaler.engine.forecast import MAX_ERROR_RATIO, Declined, Forecast, forecast
from tests.unit.engine.builders import NOW
from tests.unit.engine.load_histories import daily_wave, noise, sampled

PERIOD = 300
HOUR = 12  # periods


def _ahead(load: object, periods: int) -> list[float]:
    assert callable(load)
    return [load(NOW + timedelta(seconds=PERIOD * k)) for k in range(periods)]


@pytest.mark.parametrize("days", [3, 8])
def test_a_daily_wave_with_a_trend_is_foreseen_with_its_peak_within_tolerance(days: int) -> None:
    # Given a wave of +-20 around 50 that grows 3 a day, peaking 40 min from now
    load = daily_wave(NOW + timedelta(minutes=40), mean=50.0, amplitude=20.0, per_day=3.0)
    series = sampled(load, NOW, days)

    # When the next hour is forecast
    ahead = forecast(series, PERIOD, HOUR)

    # Then a model passes the gate and the peak is right within 2 % of the wave's range, at the right time
    assert isinstance(ahead, Forecast), ahead
    assert ahead.error_ratio <= MAX_ERROR_RATIO
    truth = _ahead(load, HOUR)
    peak, period = ahead.peak(HOUR)
    assert peak == pytest.approx(max(truth), abs=0.02 * 40)
    assert abs(period - (truth.index(max(truth)) + 1)) <= 2


def test_with_three_days_the_trend_following_model_is_first_in_the_fallback_order() -> None:
    load = daily_wave(NOW, mean=50.0, amplitude=20.0, per_day=3.0)

    ahead = forecast(sampled(load, NOW, 3), PERIOD, HOUR)

    assert isinstance(ahead, Forecast) and ahead.model == "holt_winters"


def test_with_two_days_it_falls_back_to_the_same_time_yesterday() -> None:
    load = daily_wave(NOW, mean=50.0, amplitude=20.0)

    ahead = forecast(sampled(load, NOW, 2), PERIOD, HOUR)

    assert isinstance(ahead, Forecast) and ahead.model == "seasonal_naive"
    assert ahead.peak(HOUR)[0] == pytest.approx(70.0, abs=0.1)


@pytest.mark.parametrize("days", [2, 3, 8])
def test_noise_is_declined(days: int) -> None:
    series = tuple(noise(50.0, 10.0)[: days * 288])

    ahead = forecast(series, PERIOD, HOUR)

    assert isinstance(ahead, Declined)
    assert "no seasonality it can trust" in ahead.reason


def test_a_wave_drowned_in_noise_is_declined() -> None:
    load = daily_wave(NOW, mean=50.0, amplitude=2.0)
    jitter = noise(0.0, 10.0)
    series = tuple(v + jitter[i] for i, v in enumerate(sampled(load, NOW, 8)))

    assert isinstance(forecast(series, PERIOD, HOUR), Declined)


def test_too_little_history_is_declined() -> None:
    load = daily_wave(NOW, mean=50.0, amplitude=20.0)

    ahead = forecast(sampled(load, NOW, 1.5), PERIOD, HOUR)

    assert ahead == Declined("36 h of history, a forecast needs 48 h")


def test_a_flat_load_is_declined() -> None:
    assert forecast((40.0,) * 576, PERIOD, HOUR) == Declined("flat over the last day: nothing to foresee")


def test_a_history_with_many_gaps_is_declined_and_a_few_are_bridged() -> None:
    load = daily_wave(NOW, mean=50.0, amplitude=20.0)
    series = list(sampled(load, NOW, 3))
    few = [None if i % 20 == 0 else v for i, v in enumerate(series)]
    many = [None if i % 5 == 0 else v for i, v in enumerate(series)]

    assert isinstance(forecast(tuple(few), PERIOD, HOUR), Forecast)
    assert isinstance(forecast(tuple(many), PERIOD, HOUR), Declined)
