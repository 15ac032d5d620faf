"""Read a past period's load against today's capacity: the load history as measured, each period scaled by
the capacity that served it (``CapacityTimeline``) over the capacity now, as the scale-in rules project a
signal onto another topology (``engine.scale_in``). Pure: no I/O.

- memory %: x shards then / shards now x maxmemory then / maxmemory now (the data spreads over shards);
- write CPU %: x shards then / shards now x compute then / compute now (``node_type_choice.compute``);
- read CPU %: also x replicas then / replicas now (reads spread over a shard's replicas); none with no
  replica now;
- connections per node: x shards then / shards now x nodes per shard then / nodes per shard now.

A node type the catalog does not know counts as the same size as today's. A period with no capacity in the
timeline (an empty timeline: no change recorded) is taken to have had today's capacity.
"""

from datetime import datetime

from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.engine.node_type_choice import compute
from elasticache_autoscaler.models.capacity_timeline import CapacityTimeline
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.load_history import LoadHistory


def _node_ratios(then: str, now: str) -> tuple[float, float]:
    """(maxmemory then / now, compute then / now); 1 when either type is unknown."""
    old, new = catalog().get(then), catalog().get(now)
    if old is None or new is None:
        return 1.0, 1.0
    return old.maxmemory_gib / new.maxmemory_gib, compute(old) / compute(new)


def factors(then: Capacity, now: Capacity) -> dict[str, float | None]:
    """By ``LoadHistory`` field: what a value measured on ``then`` is multiplied by to read on ``now``."""
    shards = then.shards / now.shards
    memory, cpu = _node_ratios(then.node_type, now.node_type)
    read = None if now.replicas_per_shard == 0 else then.replicas_per_shard / now.replicas_per_shard
    return {
        "memory_percent": shards * memory,
        "write_cpu_percent": shards * cpu,
        "read_cpu_percent": None if read is None else shards * cpu * read,
        "connections_per_node": shards * (then.replicas_per_shard + 1) / (now.replicas_per_shard + 1),
    }


def _scaled(value: float | None, factor: float | None) -> float | None:
    return None if value is None or factor is None else round(value * factor, 3)


def rescaled(measured: LoadHistory, timeline: CapacityTimeline, now: Capacity) -> LoadHistory:
    """``measured`` with each period expressed against ``now``."""
    starts = measured.period_starts()
    by_capacity: dict[Capacity, dict[str, float | None]] = {}

    def factors_at(at: datetime) -> dict[str, float | None]:
        then = timeline.capacity_at(at) or now
        return by_capacity.setdefault(then, factors(then, now))

    series: dict[str, tuple[float | None, ...]] = {}
    for field, values in (
        ("memory_percent", measured.memory_percent),
        ("write_cpu_percent", measured.write_cpu_percent),
        ("read_cpu_percent", measured.read_cpu_percent),
        ("connections_per_node", measured.connections_per_node),
    ):
        offset = len(starts) - len(values)
        series[field] = tuple(
            _scaled(value, factors_at(starts[offset + i])[field]) for i, value in enumerate(values)
        )
    if now.replicas_per_shard == 0:
        series["read_cpu_percent"] = ()
    return measured.model_copy(update=series)
