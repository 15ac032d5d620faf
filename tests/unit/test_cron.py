"""The cron subset of a policy's ``schedules``: five fields, names, ranges and steps, read on a zone's wall
clock, through daylight saving changes."""

from datetime import UTC, datetime

import pytest

from elasticache_autoscaler.cron import CronError, parse_cron, time_zone

PARIS = time_zone("Europe/Paris")
NEW_YORK = time_zone("America/New_York")


def _starts(expression: str, zone_name: str, first: datetime, last: datetime) -> list[datetime]:
    zone = time_zone(zone_name)
    return [start.astimezone(zone) for start in parse_cron(expression).starts(zone, first, last)]


def test_weekdays_at_eight_in_paris_follow_the_clock_change() -> None:
    # 2026-03-29: Paris moves from UTC+1 to UTC+2
    starts = _starts(
        "0 8 * * MON-FRI",
        "Europe/Paris",
        datetime(2026, 3, 26, tzinfo=UTC),
        datetime(2026, 3, 31, tzinfo=UTC),
    )

    assert [(s.day, s.hour, s.minute) for s in starts] == [(26, 8, 0), (27, 8, 0), (30, 8, 0)]
    assert [s.astimezone(UTC).hour for s in starts] == [7, 7, 6]


def test_a_start_the_clock_skips_starts_when_it_has_jumped_and_a_repeated_one_starts_once() -> None:
    skipped = _starts(
        "30 2 * * *", "America/New_York", datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
    )
    repeated = _starts(
        "30 1 * * *", "America/New_York", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    )

    assert [(s.day, s.hour, s.minute) for s in skipped] == [(8, 3, 30)]
    assert len(repeated) == 1 and repeated[0].utcoffset() == NEW_YORK.utcoffset(datetime(2026, 7, 1))


@pytest.mark.parametrize(
    ("expression", "minutes", "hours", "weekdays"),
    [
        ("*/15 9-17 * * *", {0, 15, 30, 45}, set(range(9, 18)), set(range(7))),
        ("5,35 0 * * 7", {5, 35}, {0}, {0}),
        ("0 10-20/5 * * sun,Sat", {0}, {10, 15, 20}, {0, 6}),
        ("0 6/6 * * *", {0}, {6, 12, 18}, set(range(7))),
    ],
)
def test_fields_lists_ranges_steps_and_names(
    expression: str, minutes: set[int], hours: set[int], weekdays: set[int]
) -> None:
    cron = parse_cron(expression)

    assert (set(cron.minutes), set(cron.hours), set(cron.weekdays)) == (minutes, hours, weekdays)


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    cron = parse_cron("0 0 1 * MON")

    assert cron.matches_day(datetime(2026, 6, 1).date())  # the 1st (a Monday too)
    assert cron.matches_day(datetime(2026, 7, 1).date())  # the 1st, a Wednesday
    assert cron.matches_day(datetime(2026, 7, 6).date())  # a Monday
    assert not cron.matches_day(datetime(2026, 7, 7).date())


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 8 * *", "has 4 field(s); expected 5"),
        ("0 0 8 * * ?", "has 6 field(s)"),
        ("61 * * * *", "minute: 61 is outside 0-59"),
        ("0 24 * * *", "hour: 24 is outside 0-23"),
        ("0 8 L * *", "day of month: 'L' is not a number"),
        ("0 8 * * MON#2", "day of week: 'MON#2' is not a number"),
        ("*/0 * * * *", "minute: step '0' must be a whole number of at least 1"),
        ("0 20-8 * * *", "hour: range '20-8' runs backwards"),
        ("0 8 * 13 *", "month: 13 is outside 1-12"),
    ],
)
def test_what_it_does_not_accept_is_refused_naming_the_field(expression: str, message: str) -> None:
    with pytest.raises(CronError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse_cron(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", ""])
def test_an_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(CronError, match="is not an IANA time zone name"):
        time_zone(name)


def test_a_known_zone_is_returned() -> None:
    assert PARIS.key == "Europe/Paris"
