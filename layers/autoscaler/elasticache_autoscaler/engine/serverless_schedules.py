"""The CacheUsageLimits minimums a Serverless cache's ``schedules`` hold now. Pure: ``now`` comes in.

A schedule holds its ``minimums`` from ``prewarmLeadSeconds`` before each window starts (AWS applies a
raised minimum within 60 minutes, so the lead is at least an hour) until the window ends; outside every
hold the policy's ``baseMinimums`` apply. Only a minimum named in ``baseMinimums`` is managed: the others
stay as the owner set them. Where several holds overlap, the largest minimum of each limit wins.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler.models.serverless_schedule import ServerlessSchedule


@dataclass(frozen=True, slots=True)
class MinimumsHold:
    """One schedule's window that holds its minimums at ``now``: active, or starting within the lead."""

    schedule: ServerlessSchedule
    start: datetime
    end: datetime
    active: bool

    def describe(self, now: datetime, lead_seconds: int) -> str:
        name, until = self.schedule.name, f"{self.end:%Y-%m-%d %H:%M} UTC"
        wanted = self.schedule.minimums.describe()
        if self.active:
            return f"schedule {name}: window active until {until}: holds {wanted}"
        ahead = (self.start - now).total_seconds() / 60
        return (
            f"schedule {name}: window starts in {ahead:.0f} min (until {until}), within prewarmLeadSeconds "
            f"{lead_seconds} (AWS applies a raised minimum within 60 min): pre-warm to {wanted}"
        )


@dataclass(frozen=True, slots=True)
class ScheduledMinimums:
    """What the schedules want the minimums to be at ``now``, and which schedule asks for each (None: the
    base minimum, or an unmanaged limit)."""

    holds: tuple[MinimumsHold, ...]
    data_storage_gb: tuple[int | None, str | None]
    ecpu_per_second: tuple[int | None, str | None]

    def applied_to(self, limits: UsageLimits) -> UsageLimits:
        """``limits`` with the managed minimums set as wanted (a maximum under its new minimum raised)."""
        return limits.with_minimums(
            data_storage_gb=self.data_storage_gb[0], ecpu_per_second=self.ecpu_per_second[0]
        )


def holds_at(policy: ServerlessPolicy, now: datetime) -> tuple[MinimumsHold, ...]:
    lead = timedelta(seconds=policy.prewarm_lead_seconds)
    holds = []
    for schedule in policy.schedules:
        window = schedule.window_at(now)
        if window is not None:
            holds.append(MinimumsHold(schedule, window[0], window[1], active=True))
            continue
        start = schedule.next_start(now, lead)
        if start is not None:
            upcoming = schedule.window_at(start)
            holds.append(MinimumsHold(schedule, start, upcoming[1] if upcoming else start, active=False))
    return tuple(holds)


def _largest(base: int | None, asked: list[tuple[int, str]]) -> tuple[int | None, str | None]:
    if base is None:
        return None, None  # not managed: the owner's minimum stays
    best = max(asked, default=None)
    return (base, None) if best is None else best


def scheduled_minimums(policy: ServerlessPolicy, now: datetime) -> ScheduledMinimums:
    holds = holds_at(policy, now)
    base = policy.base_minimums
    storage = [
        (h.schedule.minimums.data_storage_gb, h.schedule.name)
        for h in holds
        if h.schedule.minimums.data_storage_gb is not None
    ]
    ecpu = [
        (h.schedule.minimums.ecpu_per_second, h.schedule.name)
        for h in holds
        if h.schedule.minimums.ecpu_per_second is not None
    ]
    return ScheduledMinimums(
        holds=holds,
        data_storage_gb=_largest(base.data_storage_gb, storage),
        ecpu_per_second=_largest(base.ecpu_per_second, ecpu),
    )


def releasing_schedule(policy: ServerlessPolicy, limits: UsageLimits) -> str | None:
    """The schedule whose minimums the cache holds now (for a release after its window), or None."""
    for schedule in policy.schedules:
        wanted = schedule.minimums
        if (wanted.data_storage_gb is not None and wanted.data_storage_gb == limits.data_storage_min_gb) or (
            wanted.ecpu_per_second is not None and wanted.ecpu_per_second == limits.ecpu_per_second_min
        ):
            return schedule.name
    return None
