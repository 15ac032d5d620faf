"""CloudWatch alarm evaluation: M of N datapoints, periods, missing data; only state changes are events."""

from elasticache_autoscaler_cli.simulator.alarms import Alarm, AlarmSpec, AlarmValue, Comparison


def alarm(m: int, n: int, period: int = 1, comparison: Comparison = Comparison.GREATER_THAN) -> Alarm:
    return Alarm(
        AlarmSpec("a", 50.0, comparison, evaluation_periods=n, datapoints_to_alarm=m, period_minutes=period)
    )


def feed(a: Alarm, values: list[float | None]) -> list[AlarmValue | None]:
    return [a.observe(v) for v in values]


def test_two_of_three_breaching_datapoints_alarm_even_when_not_consecutive() -> None:
    assert feed(alarm(2, 3), [60, 10, 60]) == [AlarmValue.OK, None, AlarmValue.ALARM]


def test_three_of_three_needs_every_datapoint_and_clears_as_soon_as_one_is_low() -> None:
    a = alarm(3, 3)

    assert feed(a, [60, 60, 40, 60, 60]) == [AlarmValue.OK, None, None, None, None]
    assert feed(a, [60]) == [AlarmValue.ALARM]
    assert feed(a, [40]) == [AlarmValue.OK]


def test_the_threshold_itself_does_not_breach_greater_than_but_does_breach_less_or_equal() -> None:
    assert alarm(1, 1).observe(50.0) is AlarmValue.OK
    assert alarm(1, 1, comparison=Comparison.LESS_THAN_OR_EQUAL).observe(50.0) is AlarmValue.ALARM


def test_missing_datapoints_neither_breach_nor_clear() -> None:
    a = alarm(2, 3)

    assert feed(a, [None, None]) == [None, None]
    assert a.state is AlarmValue.INSUFFICIENT_DATA
    assert feed(a, [60, None, 60]) == [AlarmValue.OK, None, AlarmValue.ALARM]


def test_a_five_minute_period_averages_its_minutes_into_one_datapoint() -> None:
    a = alarm(1, 1, period=5)

    assert feed(a, [100, 0, 0, 0, 0]) == [None, None, None, None, AlarmValue.OK]  # average 20
    assert feed(a, [100, 100, 0, 60, 0]) == [None, None, None, None, AlarmValue.ALARM]  # average 52


def test_an_alarm_that_stays_in_alarm_sends_no_new_event() -> None:
    assert feed(alarm(1, 1), [60, 70, 80]) == [AlarmValue.ALARM, None, None]
