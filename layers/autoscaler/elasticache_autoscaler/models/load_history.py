"""A cache's own load over the past days at a coarse period: what the forecast reads (engine.forecast).

A replication group's signals (memory, write CPU, read CPU, connections) are the group-wide value per period
(the max over shards, as the scale-out rules read it), expressed against the group's capacity *now* (a
period measured on another topology is scaled to today's: memory % x shards then / shards now, CPU
likewise), so that a forecast compares with today's targets. A Serverless cache's (ECPU/s, data storage GB)
are absolute usage, read as they were measured: its capacity is the usage. Each series is oldest first, the
last period ending at ``end``; ``None`` marks a period CloudWatch returned no datapoint for.
"""

from datetime import datetime, timedelta
from typing import Self

from pydantic import Field, model_validator

from elasticache_autoscaler.models.base import WireModel


class LoadHistory(WireModel):
    period_seconds: int = Field(default=300, ge=60, le=3600)
    end: datetime
    memory_percent: tuple[float | None, ...] = ()
    write_cpu_percent: tuple[float | None, ...] = ()
    read_cpu_percent: tuple[float | None, ...] = ()
    connections_per_node: tuple[float | None, ...] = ()
    ecpu_per_second: tuple[float | None, ...] = ()
    """A Serverless cache's ECPUs per second: the period's mean (``ElastiCacheProcessingUnits`` Sum / 300)."""
    data_storage_gb: tuple[float | None, ...] = ()
    """A Serverless cache's data stored, in GB (``BytesUsedForCache`` Maximum / 10^9)."""

    @model_validator(mode="after")
    def _period_divides_a_day(self) -> Self:
        if 86_400 % self.period_seconds:
            raise ValueError("periodSeconds must divide a day (300, 600, 900, 3600 ...)")
        return self

    def periods(self) -> int:
        """How many periods the history holds (its longest series)."""
        return max(map(len, self.by_signal().values()), default=0)

    def period_starts(self) -> tuple[datetime, ...]:
        """When each period starts, oldest first (the label CloudWatch gives it)."""
        count, step = self.periods(), timedelta(seconds=self.period_seconds)
        return tuple(self.end - step * (count - i) for i in range(count))

    def rounded(self, digits: int = 3) -> "LoadHistory":
        """Every value to ``digits`` decimals: CloudWatch's 16-digit floats would triple the cache's size
        for a precision no threshold reads."""
        return self.model_copy(
            update={
                field: tuple(None if v is None else round(v, digits) for v in getattr(self, field))
                for field in _SERIES
            }
        )

    def updated(self, newer: "LoadHistory", periods: int) -> "LoadHistory":
        """The last ``periods`` periods up to ``newer.end``: ``newer``'s values where it has one, else this
        history's (a refresh asks CloudWatch only for the periods since the last fetch)."""
        step = timedelta(seconds=self.period_seconds)
        starts = [newer.end - step * (periods - i) for i in range(periods)]
        mine, theirs = self._by_start(), newer._by_start()
        merged: dict[str, tuple[float | None, ...]] = {}
        for field in _SERIES:
            old, new = mine[field], theirs[field]
            if old or new:  # a signal neither has (read CPU without replicas) stays empty
                merged[field] = tuple(v if (v := new.get(at)) is not None else old.get(at) for at in starts)
        return LoadHistory.model_validate({"period_seconds": self.period_seconds, "end": newer.end, **merged})

    def _by_start(self) -> dict[str, dict[datetime, float | None]]:
        starts = self.period_starts()
        by_field: dict[str, dict[datetime, float | None]] = {}
        for field in _SERIES:
            values: tuple[float | None, ...] = getattr(self, field)
            by_field[field] = dict(zip(starts[len(starts) - len(values) :], values, strict=True))
        return by_field

    def by_signal(self) -> dict[str, tuple[float | None, ...]]:
        """The series by the names the rules give the signals (a group's: ``signals.target_of``; a Serverless
        cache's: ``ECPU_SIGNAL``, ``STORAGE_SIGNAL``); a forecast skips the series a kind does not have."""
        return {
            "memory": self.memory_percent,
            "write CPU": self.write_cpu_percent,
            "read CPU": self.read_cpu_percent,
            "connections": self.connections_per_node,
            ECPU_SIGNAL: self.ecpu_per_second,
            STORAGE_SIGNAL: self.data_storage_gb,
        }


ECPU_SIGNAL = "ECPU/s"
STORAGE_SIGNAL = "data storage GB"
_SERIES = (
    "memory_percent",
    "write_cpu_percent",
    "read_cpu_percent",
    "connections_per_node",
    "ecpu_per_second",
    "data_storage_gb",
)


class FetchedLoadHistory(WireModel):
    """The load history as CloudWatch measured it (against the capacity of its time, not rescaled), and
    when it was fetched: ``observe``'s hourly cache (state table ``loadhistory#<cache>``)."""

    fetched_at: datetime
    measured: LoadHistory
