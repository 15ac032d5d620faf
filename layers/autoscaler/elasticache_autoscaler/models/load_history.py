"""The group's own load over the past days at a coarse period: what the forecast reads (engine.forecast).

Each signal is the group-wide value per period (the max over shards, as the scale-out rules read it), oldest
first, the last period ending at ``end``, expressed against the group's capacity *now* (a period measured on
another topology is scaled to today's: memory % x shards then / shards now, CPU likewise), so that a
forecast compares with today's targets. ``None`` marks a period CloudWatch returned no datapoint for.
"""

from datetime import datetime
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

    @model_validator(mode="after")
    def _period_divides_a_day(self) -> Self:
        if 86_400 % self.period_seconds:
            raise ValueError("periodSeconds must divide a day (300, 600, 900, 3600 ...)")
        return self

    def by_signal(self) -> dict[str, tuple[float | None, ...]]:
        """The series by the names the scale-in rules give the signals (``signals.target_of``)."""
        return {
            "memory": self.memory_percent,
            "write CPU": self.write_cpu_percent,
            "read CPU": self.read_cpu_percent,
            "connections": self.connections_per_node,
        }
