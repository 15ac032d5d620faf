"""CloudWatch metric alarms, evaluated the way CloudWatch does: period, N evaluation periods, M datapoints.

An alarm aggregates the 1-minute values of its period with its statistic into one datapoint, then looks at
the last N datapoints: ALARM when at least M of them breach, INSUFFICIENT_DATA when none is present, OK
otherwise. Missing datapoints are "missing" (CloudWatch's default ``TreatMissingData``): they neither breach
nor clear. Only a *change* of state is an event (EventBridge "CloudWatch Alarm State Change").
"""

import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class AlarmState(StrEnum):
    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class Comparison(StrEnum):
    GREATER_THAN = "GreaterThanThreshold"
    GREATER_THAN_OR_EQUAL = "GreaterThanOrEqualToThreshold"
    LESS_THAN = "LessThanThreshold"
    LESS_THAN_OR_EQUAL = "LessThanOrEqualToThreshold"


_COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    Comparison.GREATER_THAN: operator.gt,
    Comparison.GREATER_THAN_OR_EQUAL: operator.ge,
    Comparison.LESS_THAN: operator.lt,
    Comparison.LESS_THAN_OR_EQUAL: operator.le,
}

Statistic = Callable[[list[float]], float]


def average(values: list[float]) -> float:
    return sum(values) / len(values)


@dataclass(frozen=True, slots=True)
class AlarmSpec:
    name: str
    threshold: float
    comparison: Comparison
    evaluation_periods: int
    datapoints_to_alarm: int
    period_minutes: int = 1
    statistic: Statistic = average

    def __post_init__(self) -> None:
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError("datapoints_to_alarm must be between 1 and evaluation_periods")
        if self.period_minutes < 1:
            raise ValueError("period_minutes must be at least 1")


@dataclass(slots=True)
class Alarm:
    spec: AlarmSpec
    state: AlarmState = AlarmState.INSUFFICIENT_DATA
    _datapoints: deque[float | None] = field(init=False)
    _period_values: list[float] = field(default_factory=list)
    _minutes_in_period: int = 0

    def __post_init__(self) -> None:
        self._datapoints = deque(maxlen=self.spec.evaluation_periods)

    def observe(self, value: float | None) -> AlarmState | None:
        """Feed one minute's value (None = missing); the new state when this minute changed it."""
        if value is not None:
            self._period_values.append(value)
        self._minutes_in_period += 1
        if self._minutes_in_period < self.spec.period_minutes:
            return None
        datapoint = self.spec.statistic(self._period_values) if self._period_values else None
        self._period_values = []
        self._minutes_in_period = 0
        self._datapoints.append(datapoint)
        return self._evaluate()

    @property
    def in_alarm(self) -> bool:
        return self.state is AlarmState.ALARM

    def _evaluate(self) -> AlarmState | None:
        compare = _COMPARE[self.spec.comparison]
        present = [d for d in self._datapoints if d is not None]
        breaching = sum(1 for d in present if compare(d, self.spec.threshold))
        if breaching >= self.spec.datapoints_to_alarm:
            new = AlarmState.ALARM
        elif not present:
            new = AlarmState.INSUFFICIENT_DATA
        else:
            new = AlarmState.OK
        if new is self.state:
            return None
        self.state = new
        return new
