"""How long an action takes before its new capacity serves: the lead time of a pre-scale.

From ``data/elasticache_scaling_durations.csv`` (the "typical" column, or "low" where that is the only
figure); a reshard adds the data it moves at ~1 GiB per minute (AWS blog on online resharding). The
simulator's ``ActionTimings`` starts from the same file. Reading packaged data, like the node type catalog:
no I/O beyond the package, no clock.
"""

import csv
import math
from functools import cache
from importlib import resources

from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.models.decision import Capacity

RESHARD_GIB_PER_MINUTE = 1.0
_FALLBACK_MINUTES = {"add_replica": 10.0, "vertical_scale": 20.0, "add_shard": 6.0}


@cache
def published_minutes() -> dict[str, float]:
    """Minutes per operation of the durations catalog (typical, else low), by its ``operation`` name."""
    text = (
        resources.files("elasticache_autoscaler")
        .joinpath("data/elasticache_scaling_durations.csv")
        .read_text()
    )
    minutes: dict[str, float] = {}
    for row in csv.DictReader(text.splitlines()):
        figure = row["typical_minutes"] or row["low_minutes"]
        if figure:
            minutes[row["operation"]] = float(figure)
    return minutes


def _minutes(operation: str) -> float:
    return published_minutes().get(operation, _FALLBACK_MINUTES[operation])


def scale_out_minutes(current: Capacity, target: Capacity, dataset_gib: float) -> int:
    """Whole minutes from the call until ``target`` serves, when every step of it is done one after the
    other (a larger node type, more shards, more replicas): at least 1."""
    total = 0.0
    if target.node_type != current.node_type:
        total += _minutes("vertical_scale")
    if target.shards > current.shards:
        moved_gib = dataset_gib * (target.shards - current.shards) / target.shards
        total += _minutes("add_shard") + moved_gib / RESHARD_GIB_PER_MINUTE
    if target.replicas_per_shard > current.replicas_per_shard:
        total += _minutes("add_replica")
    return max(1, math.ceil(total))


def dataset_gib(capacity: Capacity, memory_percent: float | None) -> float:
    """The data held: the hottest shard's memory use x maxmemory x shards (the safe side: resharding moves
    the most data); none known when the memory signal or the node type is unknown."""
    node = catalog().get(capacity.node_type)
    if node is None or memory_percent is None:
        return 0.0
    return node.maxmemory_gib * memory_percent / 100 * capacity.shards
