"""Cron expressions for a policy's ``schedules``: the classic five fields, read on the wall clock of an IANA
time zone (``zoneinfo``). Standard library only.

Fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of week (0-7 or
SUN-SAT; 0 and 7 are Sunday). Each field is ``*``, a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``
or ``a/n``, or a comma list of those. As in Vixie cron, when both day of month and day of week are restricted
(neither starts with ``*``), a day matching either one matches. Not supported, and refused with an error:
``?``, ``L``, ``W``, ``#``, seconds or years (EventBridge's six-field form), ``@daily``-style macros.

Daylight saving time: a start the clock skips (02:30 on a spring-forward night in a zone that jumps from
02:00 to 03:00) starts when the clock has jumped (03:30 local: the same instant, read with the offset before
the change, as ``zoneinfo`` does); a start that happens twice (01:30 on a fall-back night) starts once, at
the first.

Why not ``croniter``: it brings ``python-dateutil`` (and ``pytz`` in some versions) into the Lambda layer,
and its own DST handling has had bugs; this subset is ~100 lines, tested across DST changes.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class CronError(ValueError):
    """A cron expression or time zone this module does not accept; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name: int = 0

    def value(self, text: str) -> int:
        upper = text.upper()
        if upper in self.names:
            return self.names.index(upper) + self.first_name
        if not text.isdigit():
            raise CronError(f"{self.name}: {text!r} is not a number ({self.low}-{self.high})")
        number = int(text)
        if not self.low <= number <= self.high:
            raise CronError(f"{self.name}: {number} is outside {self.low}-{self.high}")
        return number

    def parse(self, text: str) -> frozenset[int]:
        values: set[int] = set()
        for part in text.split(","):
            body, slash, step_text = part.partition("/")
            step = 1
            if slash:
                if not step_text.isdigit() or int(step_text) < 1:
                    raise CronError(f"{self.name}: step {step_text!r} must be a whole number of at least 1")
                step = int(step_text)
            if body == "*":
                start, end = self.low, self.high
            elif "-" in body:
                first, _, last = body.partition("-")
                start, end = self.value(first), self.value(last)
                if start > end:
                    raise CronError(f"{self.name}: range {body!r} runs backwards")
            else:
                start = self.value(body)
                end = self.high if slash else start
            values.update(range(start, end + 1, step))
        return frozenset(values)


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, MONTHS, 1),
    _Field("day of week", 0, 7, WEEKDAYS, 0),
)


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed cron expression: which minutes, hours, days, months and weekdays (0 = Sunday) start it."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return by_day or by_weekday
        return by_day and by_weekday

    def starts(self, zone: ZoneInfo, earliest: datetime, latest: datetime) -> Iterator[datetime]:
        """Every start from ``earliest`` to ``latest`` (both included, aware), in UTC, oldest first."""
        day = earliest.astimezone(zone).date() - timedelta(days=1)
        last_day = latest.astimezone(zone).date() + timedelta(days=1)
        seen: set[datetime] = set()
        while day <= last_day:
            if self.matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                        start = local.astimezone(UTC)
                        if earliest <= start <= latest and start not in seen:
                            seen.add(start)
                            yield start
            day += timedelta(days=1)


def parse_cron(expression: str) -> Cron:
    """The five-field expression parsed, or ``CronError`` naming the field that is wrong."""
    parts = expression.split()
    if len(parts) != len(_FIELDS):
        raise CronError(
            f"cron {expression!r} has {len(parts)} field(s); expected 5: minute hour day-of-month month "
            "day-of-week"
        )
    try:
        minutes, hours, days, months, weekdays = (
            field.parse(text) for field, text in zip(_FIELDS, parts, strict=True)
        )
    except CronError as error:
        raise CronError(f"cron {expression!r}: {error}") from None
    return Cron(
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        weekdays=frozenset(day % 7 for day in weekdays),
        days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone (``Europe/Paris``), or ``CronError`` when it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"time zone {name!r} is not an IANA time zone name such as Europe/Paris") from None
