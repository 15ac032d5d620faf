"""The alarms ``reconcile`` deploys for a Memcached cluster or a Serverless cache (``alarms_kinds``), as the
twin's CloudWatch alarms, each with the value of the twin's minute it watches. Every Memcached node is alike
on the twin's ring: one alarm per signal stands for the per-node alarms (the cluster is "in alarm" when its
hottest node is)."""

from collections.abc import Callable, Sequence

from elasticache_autoscaler.alarms_kinds import KindAlarm
from elasticache_autoscaler_cli.simulator.alarms import (
    Alarm,
    AlarmSpec,
    AlarmValue,
    Comparison,
    maximum,
    total,
)


def twin_alarm(definition: KindAlarm) -> Alarm:
    """The twin's alarm for a deployed definition (same metric statistic, threshold, M of N)."""
    return Alarm(
        AlarmSpec(
            name=definition.signal,
            threshold=definition.threshold,
            comparison=Comparison.GREATER_THAN,
            evaluation_periods=definition.evaluation_periods,
            datapoints_to_alarm=definition.datapoints_to_alarm,
            statistic=total if definition.statistic == "Sum" else maximum,
        )
    )


def one_per_signal[M](
    definitions: tuple[KindAlarm, ...], readings: dict[str, Callable[[M], float]]
) -> list[tuple[Alarm, Callable[[M], float]]]:
    """The first definition of each signal (the first node's), with what it reads."""
    seen: dict[str, KindAlarm] = {}
    for definition in definitions:
        seen.setdefault(definition.signal, definition)
    return [(twin_alarm(d), readings[d.signal]) for d in seen.values()]


def fired[M](alarms: list[tuple[Alarm, Callable[[M], float]]], points: Sequence[M | None]) -> list[str]:
    """Feed the published datapoints (``None``: lost) to every alarm; the names of those that changed to
    ALARM (each change is one EventBridge event, one evaluation)."""
    names = []
    for point in points:
        for alarm, read in alarms:
            if alarm.observe(None if point is None else read(point)) is AlarmValue.ALARM:
                names.append(alarm.spec.name)
    return names


class DeployedAlarms[M]:
    """The alarms ``reconcile`` keeps deployed for one cache: built again (their state reset) only when
    what their thresholds are built from changes (``key``), as ``reconcile`` re-deploys them."""

    def __init__(self, readings: dict[str, Callable[[M], float]]) -> None:
        self._readings = readings
        self._alarms: list[tuple[Alarm, Callable[[M], float]]] = []
        self._key: object = None

    def fired(
        self, key: object, definitions: Callable[[], tuple[KindAlarm, ...]], points: Sequence[M | None]
    ) -> list[str]:
        """``fired`` on the alarms deployed for ``key`` (``definitions``: those ``reconcile`` deploys)."""
        if key != self._key:
            self._alarms = one_per_signal(definitions(), self._readings)
            self._key = key
        return fired(self._alarms, points)
