"""A scheduled window of a policy (``schedules``): from each start of a cron expression, read on the wall
clock of an IANA time zone, for ``durationMinutes``, hold at least a capacity. Like an Application Auto
Scaling scheduled action: optional ``startTime`` / ``endTime`` bound when the windows happen.

``ScheduleWindow`` is the when, shared by every kind; ``Schedule`` adds what a replication group holds
(a Serverless cache's schedule holds minimums: ``models.serverless_schedule``).

Example::

    {"name": "business-hours", "cron": "0 8 * * MON-FRI", "timeZone": "Europe/Paris",
     "durationMinutes": 600, "minShards": 4, "minReplicasPerShard": 2,
     "minNodeType": "cache.r7g.xlarge", "endTime": "2027-01-01T00:00:00Z"}
"""

from datetime import datetime, timedelta
from typing import Self
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field, model_validator

from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.cron import Cron, CronError, parse_cron, time_zone
from elasticache_autoscaler.models.base import WireModel

SCHEDULE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ScheduleWindow(WireModel):
    """When a schedule holds: its windows, from each start of ``cron`` for ``durationMinutes``."""

    name: str = Field(pattern=SCHEDULE_NAME)
    cron: str = Field(
        description="five fields, minute hour day-of-month month day-of-week (elasticache_autoscaler.cron)"
    )
    time_zone: str = "UTC"
    duration_minutes: int = Field(ge=1, le=7 * 24 * 60)
    start_time: AwareDatetime | None = None
    """No window starts before this instant."""
    end_time: AwareDatetime | None = None
    """No window starts at or after this instant, and one still running ends here (the schedule expires)."""

    @model_validator(mode="after")
    def _window_is_valid(self) -> Self:
        try:
            parse_cron(self.cron)
            time_zone(self.time_zone)
        except CronError as error:
            raise ValueError(f"schedule {self.name}: {error}") from None
        if self.start_time is not None and self.end_time is not None and self.end_time <= self.start_time:
            raise ValueError(f"schedule {self.name}: endTime must be after startTime")
        return self

    @property
    def parsed_cron(self) -> Cron:
        return parse_cron(self.cron)

    @property
    def zone(self) -> ZoneInfo:
        return time_zone(self.time_zone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def window_at(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The window (start, end) that holds ``now``, or None: the latest start at most ``durationMinutes``
        before ``now`` whose window has not ended (nor expired)."""
        latest: tuple[datetime, datetime] | None = None
        for start in self.parsed_cron.starts(self.zone, now - self.duration, now):
            window = self._window(start)
            if window is not None and window[1] > now:
                latest = window
        return latest

    def next_start(self, now: datetime, within: timedelta) -> datetime | None:
        """The first start after ``now`` and at most ``within`` later (a window that happens), or None."""
        for start in self.parsed_cron.starts(self.zone, now + timedelta(microseconds=1), now + within):
            if self._window(start) is not None:
                return start
        return None

    def _window(self, start: datetime) -> tuple[datetime, datetime] | None:
        if self.start_time is not None and start < self.start_time:
            return None
        if self.end_time is not None and start >= self.end_time:
            return None
        end = start + self.duration
        return start, end if self.end_time is None else min(end, self.end_time)


class Schedule(ScheduleWindow):
    """A replication group's schedule: while a window holds, at least this capacity."""

    min_shards: int | None = Field(default=None, ge=1, le=500)
    min_replicas_per_shard: int | None = Field(default=None, ge=0, le=5)
    min_node_type: str | None = None
    """At least this node type (its memory and vCPU) while the window is active; a group on a smaller one is
    moved to exactly this type."""

    @model_validator(mode="after")
    def _holds_a_capacity(self) -> Self:
        if self.min_shards is None and self.min_replicas_per_shard is None and self.min_node_type is None:
            raise ValueError(
                f"schedule {self.name}: give at least one of minShards, minReplicasPerShard, minNodeType"
            )
        if self.min_node_type is not None and self.min_node_type not in catalog():
            raise ValueError(
                f"schedule {self.name}: minNodeType {self.min_node_type} is not in the node type catalog"
            )
        return self
