"""CloudWatch metric alarms, evaluated the way CloudWatch does: period, N evaluation periods, M datapoints.

An alarm aggregates the 1-minute values of its period with its statistic into one datapoint, then looks at
the last N datapoints: ALARM when at least M of them breach, INSUFFICIENT_DATA when none is present, OK
otherwise. Missing datapoints are "missing" (CloudWatch's default ``TreatMissingData``): they neither breach
nor clear. Only a *change* of state is an event (EventBridge "CloudWatch Alarm State Change").

``policy_alarms`` builds the twin's alarms from ``elasticache_autoscaler.alarms``, the definitions
``reconcile`` deploys: the bench simulates the alarms that are deployed.
"""

import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from elasticache_autoscaler.alarms import Signal, SignalAlarm, signal_alarms
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, reported_cpu


class AlarmValue(StrEnum):
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


def maximum(values: list[float]) -> float:
    return max(values)


def total(values: list[float]) -> float:
    return float(sum(values))


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
    state: AlarmValue = AlarmValue.INSUFFICIENT_DATA
    _datapoints: deque[float | None] = field(init=False)
    _period_values: list[float] = field(default_factory=list)
    _minutes_in_period: int = 0

    def __post_init__(self) -> None:
        self._datapoints = deque(maxlen=self.spec.evaluation_periods)

    def observe(self, value: float | None) -> AlarmValue | None:
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
        return self.state is AlarmValue.ALARM

    def _evaluate(self) -> AlarmValue | None:
        compare = _COMPARE[self.spec.comparison]
        present = [d for d in self._datapoints if d is not None]
        breaching = sum(1 for d in present if compare(d, self.spec.threshold))
        if breaching >= self.spec.datapoints_to_alarm:
            new = AlarmValue.ALARM
        elif not present:
            new = AlarmValue.INSUFFICIENT_DATA
        else:
            new = AlarmValue.OK
        if new is self.state:
            return None
        self.state = new
        return new


Reading = Callable[[GroupMetrics], float | None]


def _max_replica_cpu(m: GroupMetrics) -> float | None:
    value = m.max_replica_cpu
    return None if value is None else reported_cpu(value)


# What each deployed alarm watches, read from the twin's minute: the hottest node of the signal's role
# (the deployed alarms are one per node; the twin's group is "in alarm" when its hottest node is).
_READINGS: dict[Signal, Reading] = {
    Signal.MEMORY: lambda m: m.max_memory,
    Signal.EVICTIONS: lambda m: sum(s.evictions for s in m.each()),
    Signal.WRITE_CPU: lambda m: reported_cpu(m.max_primary_cpu),
    Signal.READ_CPU: _max_replica_cpu,
    Signal.CONNECTIONS: lambda m: max(s.connections_per_node for s in m.each()),
    Signal.NETWORK_IN: lambda m: sum(s.network_in_exceeded for s in m.each()),
    Signal.NETWORK_OUT: lambda m: sum(s.network_out_exceeded for s in m.each()),
}


def spec_of(definition: SignalAlarm) -> AlarmSpec:
    """The twin's alarm for a deployed alarm definition (same threshold, comparison, M of N, period)."""
    return AlarmSpec(
        name=definition.signal.value,
        threshold=definition.threshold,
        comparison=Comparison(definition.comparison),
        evaluation_periods=definition.evaluation_periods,
        datapoints_to_alarm=definition.datapoints_to_alarm,
        period_minutes=definition.period_seconds // 60,
        statistic=total if definition.statistic == "Sum" else maximum,
    )


def policy_alarms(policy: Policy) -> list[tuple[Alarm, Reading]]:
    """The alarms ``reconcile`` deploys for a cluster under ``policy`` (``elasticache_autoscaler.alarms``),
    each with the value of the twin's minute it watches."""
    return [
        (Alarm(spec_of(definition)), _READINGS[definition.signal]) for definition in signal_alarms(policy)
    ]
