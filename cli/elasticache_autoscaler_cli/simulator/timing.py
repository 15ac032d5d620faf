"""How long a topology change takes before the new capacity serves traffic.

Defaults come from ``data/elasticache_scaling_durations.csv`` (the "typical" column, or "low" where that is
the only figure, read by the engine's ``durations``, which sizes a pre-scale's lead time from the same file);
resharding adds the moved data at ~1 GiB per minute (AWS blog on online resharding).
Every figure can be overridden with a JSON file of the same field names.
"""

import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.engine.durations import published_minutes
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.inputs import InputError


def _default(operation: str, fallback: float) -> float:
    return published_minutes().get(operation, fallback)


class ActionTimings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    add_replica_minutes: float = Field(default_factory=lambda: _default("add_replica", 10), gt=0)
    remove_replica_minutes: float = Field(default_factory=lambda: _default("remove_replica", 5), gt=0)
    vertical_scale_minutes: float = Field(default_factory=lambda: _default("vertical_scale", 20), gt=0)
    # Fixed part of a reshard (the CSV's "about 6 minutes for one shard with little data"); the CSV has no
    # figure for removing shards, so the same overhead is assumed.
    reshard_overhead_minutes: float = Field(default_factory=lambda: _default("add_shard", 6), gt=0)
    reshard_gib_per_minute: float = Field(default=1.0, gt=0)

    def minutes(self, current: Capacity, target: Capacity, dataset_gib: float) -> int:
        """Whole minutes from the call until the target capacity serves traffic (at least 1)."""
        total = 0.0
        if target.node_type != current.node_type:
            total += self.vertical_scale_minutes
        if target.shards != current.shards:
            bigger, smaller = max(target.shards, current.shards), min(target.shards, current.shards)
            moved_gib = dataset_gib * (bigger - smaller) / bigger
            total += self.reshard_overhead_minutes + moved_gib / self.reshard_gib_per_minute
        if target.replicas_per_shard > current.replicas_per_shard:
            total += self.add_replica_minutes
        elif target.replicas_per_shard < current.replicas_per_shard:
            total += self.remove_replica_minutes
        return max(1, math.ceil(total))


def load_timings(path: Path) -> ActionTimings:
    try:
        return ActionTimings.model_validate_json(path.read_text())
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InputError(f"{path}: {problems}") from None


def action_of(current: Capacity, target: Capacity) -> Action:
    """The action that moves ``current`` to ``target`` (node type first, then shards, then replicas)."""
    if target.node_type != current.node_type:
        bigger = node_type(target.node_type).memory_gib > node_type(current.node_type).memory_gib
        return Action.SCALE_UP if bigger else Action.SCALE_DOWN
    if target.shards != current.shards:
        return Action.ADD_SHARDS if target.shards > current.shards else Action.REMOVE_SHARDS
    if target.replicas_per_shard != current.replicas_per_shard:
        return (
            Action.ADD_REPLICAS
            if target.replicas_per_shard > current.replicas_per_shard
            else Action.REMOVE_REPLICAS
        )
    return Action.NONE
