"""The capacity a policy's ``schedules`` hold now: the floor of every window that is active, or that starts
within the time the scale-out to it takes (its lead time, ``durations``), so the capacity serves when the
window opens. Pure: ``now`` comes in.

A floor has three parts, each named with the schedule that asks for it: shards, replicas per shard and a
node type (at least its memory and vCPU). The scale-out toward a floor is planned by ``pre_scale`` for the
holds that are ``due`` (active, or starting within the lead time); the scale-in rules never go below the
floor of any hold, which also counts windows starting within ``PROTECT_MINUTES``: a scale-in just before a
window would be re-added for it (a reversal).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from elasticache_autoscaler.catalog import NodeType, catalog
from elasticache_autoscaler.engine.durations import dataset_gib, scale_out_minutes
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.schedule import Schedule

PROTECT_MINUTES = 70
"""No scale-in below a window's minimum this long before it starts: the longest removal and its re-add (40
min, ``scale_in.REMOVE_AND_READD_MINUTES``) plus the 30 minutes within which a re-add counts as a reversal."""


@dataclass(frozen=True, slots=True)
class Hold:
    """One schedule's minimum that applies now: inside its window, or ``lead_minutes`` ahead of it."""

    schedule: Schedule
    start: datetime
    end: datetime
    active: bool
    lead_minutes: int

    def due(self, now: datetime) -> bool:
        """Active, or starting within the time the scale-out to its minimum takes: scale out now."""
        return self.active or (self.start - now).total_seconds() <= self.lead_minutes * 60

    def describe(self, now: datetime) -> str:
        name = self.schedule.name
        if self.active:
            return f"schedule {name}: window active until {self.end:%Y-%m-%d %H:%M} UTC"
        ahead = (self.start - now).total_seconds() / 60
        if self.due(now):
            return (
                f"schedule {name}: window starts in {ahead:.0f} min, within the {self.lead_minutes} min the "
                "scale-out to its minimum takes"
            )
        return f"schedule {name}: window starts in {ahead:.0f} min: no scale-in below its minimum until then"


@dataclass(frozen=True, slots=True)
class Floor:
    """The largest minimum of each part over the holds, and which schedule asked for it (None: no hold)."""

    holds: tuple[Hold, ...] = ()
    shards: tuple[int, str] | None = None
    replicas_per_shard: tuple[int, str] | None = None
    node_type: tuple[NodeType, str] | None = None

    def reasons(self, now: datetime) -> tuple[str, ...]:
        return tuple(hold.describe(now) for hold in self.holds)


def covers(node: NodeType | None, floor: NodeType) -> bool:
    """Whether ``node`` is at least ``floor``: as much memory and as many vCPU (None: unknown, no)."""
    return node is not None and node.memory_gib >= floor.memory_gib and node.vcpu >= floor.vcpu


def schedule_target(schedule: Schedule, current: Capacity, cluster_mode: bool) -> Capacity:
    """``current`` raised to what ``schedule`` asks for (shards only with cluster mode enabled)."""
    target = current
    if cluster_mode and schedule.min_shards is not None and schedule.min_shards > current.shards:
        target = target.model_copy(update={"shards": schedule.min_shards})
    replicas = schedule.min_replicas_per_shard
    if replicas is not None and replicas > current.replicas_per_shard:
        target = target.model_copy(update={"replicas_per_shard": replicas})
    wanted = catalog().get(schedule.min_node_type) if schedule.min_node_type else None
    if wanted is not None and not covers(catalog().get(current.node_type), wanted):
        target = target.model_copy(update={"node_type": wanted.name})
    return target


def _larger(best: tuple[int, str] | None, value: int | None, name: str) -> tuple[int, str] | None:
    if value is None or (best is not None and best[0] >= value):
        return best
    return value, name


def _lead_minutes(current: Capacity, target: Capacity, data_gib: float, cooldown_minutes: float) -> int:
    """The scale-out from ``current`` to ``target``, one part per action: each part's duration, and the
    scale-out cooldown between one part and the next."""
    parts = sum(
        (
            target.node_type != current.node_type,
            target.shards != current.shards,
            target.replicas_per_shard != current.replicas_per_shard,
        )
    )
    between = cooldown_minutes * max(parts - 1, 0)
    return scale_out_minutes(current, target, data_gib) + ceil(between)


def scheduled_floor(
    schedules: tuple[Schedule, ...],
    now: datetime,
    current: Capacity,
    cluster_mode: bool,
    *,
    memory_percent: float | None,
    cooldown_minutes: float,
) -> Floor:
    """The floor the schedules hold at ``now`` for a group of capacity ``current``; ``memory_percent``
    sizes the data a reshard moves, ``cooldown_minutes`` the wait between two parts of one scale-out."""
    holds: list[Hold] = []
    data = dataset_gib(current, memory_percent)
    for schedule in schedules:
        window = schedule.window_at(now)
        if window is not None:
            holds.append(Hold(schedule, window[0], window[1], active=True, lead_minutes=0))
            continue
        target = schedule_target(schedule, current, cluster_mode)
        lead = _lead_minutes(current, target, data, cooldown_minutes)
        start = schedule.next_start(now, timedelta(minutes=max(lead, PROTECT_MINUTES)))
        if start is not None:
            end = schedule.window_at(start)
            holds.append(Hold(schedule, start, end[1] if end else start, active=False, lead_minutes=lead))
    shards = replicas = None
    node: tuple[NodeType, str] | None = None
    for hold in holds:
        schedule = hold.schedule
        shards = _larger(shards, schedule.min_shards if cluster_mode else None, schedule.name)
        replicas = _larger(replicas, schedule.min_replicas_per_shard, schedule.name)
        wanted = catalog().get(schedule.min_node_type) if schedule.min_node_type else None
        if wanted is not None and (node is None or not covers(node[0], wanted)):
            node = (wanted, schedule.name)
    return Floor(holds=tuple(holds), shards=shards, replicas_per_shard=replicas, node_type=node)
