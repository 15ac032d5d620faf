"""The Memcached twin's minute loop: load in, per-node metrics out, node-count changes applied after their
duration, each one remapping part of the keyspace (cold misses until re-filled).

Each minute: a finished change takes effect (and remaps the keyspace, ``memcached_physics``); the trace row
becomes one node's metrics (every node is equal on the ideal ring); cost, breaches and cold misses are
counted; the controller sees the cluster as CloudWatch and DescribeCacheClusters show it and may propose a
new capacity. While a change runs the cluster is ``modifying`` and any other proposal is refused.
"""

import math
from dataclasses import dataclass, field
from typing import Protocol

from elasticache_autoscaler.catalog import Engine, node_type
from elasticache_autoscaler.engine.durations import published_minutes
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.kind_policy import ScaleConfig
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.kind_result import KindResult
from elasticache_autoscaler_cli.simulator.memcached_physics import (
    ColdKeys,
    MemcachedPhysics,
    NodeMinute,
    key_count,
    node_minute,
    remapped_fraction,
)
from elasticache_autoscaler_cli.simulator.result import ActionRecord
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag, Proposal, Publisher, View, load_at

PRICE_ENGINE: Engine = "redis"
"""A Memcached node is billed at its type's Redis OSS on-demand price (ElastiCache pricing: Memcached and
Redis OSS node prices are the same)."""


def _published(operation: str, fallback: float) -> float:
    return published_minutes().get(operation, fallback)


@dataclass(frozen=True, slots=True)
class MemcachedTimings:
    """Minutes from the call until a change serves. From ``data/elasticache_scaling_durations.csv``: a new
    Memcached node is provisioned like a replica but has nothing to sync (the CSV's add-replica figure is the
    upper side); removing one like a replica. A node type change replaces the nodes in batches of
    ``ScalePercentage`` % every ``ScaleIntervalMinutes`` (defaults 20 % and 5 min: 5 batches), after the
    CSV's vertical-scale time for the first."""

    add_nodes_minutes: float = field(default_factory=lambda: _published("add_replica", 10))
    remove_nodes_minutes: float = field(default_factory=lambda: _published("remove_replica", 5))
    vertical_scale_minutes: float = field(default_factory=lambda: _published("vertical_scale", 20))
    scale_config: ScaleConfig = field(default_factory=ScaleConfig)

    def minutes(self, current: MemcachedCapacity, target: MemcachedCapacity) -> int:
        total = 0.0
        if target.node_type != current.node_type:
            batches = math.ceil(100 / self.scale_config.scale_percentage)
            total += self.vertical_scale_minutes + (batches - 1) * self.scale_config.scale_interval_minutes
        if target.nodes > current.nodes:
            total += self.add_nodes_minutes
        elif target.nodes < current.nodes:
            total += self.remove_nodes_minutes
        return max(1, math.ceil(total))


def remapped_by(current: MemcachedCapacity, target: MemcachedCapacity) -> float:
    """The share of the keyspace a change leaves cold: every key when the nodes are replaced (node type)."""
    if target.node_type != current.node_type:
        return 1.0
    return remapped_fraction(current.nodes, target.nodes)


def action_between(current: MemcachedCapacity, target: MemcachedCapacity) -> Action:
    if target.node_type != current.node_type:
        bigger = node_type(target.node_type).memory_gib > node_type(current.node_type).memory_gib
        return Action.SCALE_UP if bigger else Action.SCALE_DOWN
    if target.nodes == current.nodes:
        return Action.NONE
    return Action.ADD_NODES if target.nodes > current.nodes else Action.REMOVE_NODES


def hourly_cost(capacity: MemcachedCapacity) -> float:
    return node_type(capacity.node_type).price_per_hour(PRICE_ENGINE) * capacity.nodes


MemcachedProposal = Proposal[MemcachedCapacity]


@dataclass(slots=True)
class MemcachedView(View[MemcachedSpec, MemcachedCapacity, NodeMinute]):
    """A Memcached cluster's ``View`` (one ``NodeMinute`` per minute, every node alike): its capacity now,
    the new datapoints (``None``: lost), and ``node_since``: the minute from which each current node has
    served (oldest first)."""

    physics: MemcachedPhysics
    capacity: MemcachedCapacity
    fresh: list[NodeMinute | None]
    node_since: tuple[int, ...]


class MemcachedController(Protocol):
    name: str

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity: ...

    def step(self, view: MemcachedView) -> MemcachedProposal | None: ...


def initial_capacity(spec: MemcachedSpec) -> MemcachedCapacity:
    return MemcachedCapacity(node_type=spec.node_type, nodes=spec.nodes)


def _resized(since: tuple[int, ...], nodes: int, minute: int, replaced: bool) -> tuple[int, ...]:
    """New nodes join at ``minute``; a scale-in removes the newest; a type change replaces every node."""
    if replaced:
        return (minute,) * nodes
    return since[:nodes] + (minute,) * max(0, nodes - len(since))


def simulate_memcached(
    trace: Trace,
    spec: MemcachedSpec,
    controller: MemcachedController,
    physics: MemcachedPhysics | None = None,
    timings: MemcachedTimings | None = None,
    *,
    cloudwatch: CloudWatchLag | None = None,
) -> KindResult[MemcachedCapacity]:
    """Replay ``trace``; with ``cloudwatch`` the controller sees the metrics late and with gaps."""
    physics = physics or MemcachedPhysics()
    timings = timings or MemcachedTimings()
    publisher = Publisher[NodeMinute](
        cloudwatch.published_after(len(trace)) if cloudwatch else list(range(len(trace)))
    )
    capacity = controller.start(spec, trace, physics)
    result = KindResult[MemcachedCapacity](controller.name, "memcached", len(trace), capacity, capacity)
    causes = result.breach_minutes_by_cause = {"memory": 0, "cpu": 0, "network": 0}
    metrics: list[NodeMinute] = []
    pending: ActionRecord[MemcachedCapacity] | None = None
    cold = ColdKeys()
    since = (0,) * capacity.nodes

    for i in range(len(trace)):
        if pending is not None and i >= pending.finished_minute:
            target = pending.target
            cold.remap(remapped_by(capacity, target))
            since = _resized(since, target.nodes, i, target.node_type != capacity.node_type)
            capacity, pending = target, None
        load = load_at(trace, i)
        misses = cold.minute(load.reads_per_s, key_count(load)) if cold.fraction else 0.0
        result.cold_misses += misses
        minute = node_minute(
            physics,
            node_type(capacity.node_type),
            minute=i,
            nodes=capacity.nodes,
            load=load,
            cold=cold.fraction,
            refills_per_s=misses / 60,
        )
        metrics.append(minute)

        memory, cpu, network = minute.breach_causes(physics)
        result.breach_minutes += memory or cpu or network
        causes["memory"] += memory
        causes["cpu"] += cpu
        causes["network"] += network

        # While a change runs, both the old and the new nodes are billed: charge the larger of the two.
        billed = capacity
        if pending is not None:
            billed = max(capacity, pending.target, key=hourly_cost)
        result.cost_usd += hourly_cost(billed) / 60
        result.node_hours += billed.nodes / 60

        fresh = publisher.after(i, metrics)
        view = MemcachedView(
            minute=i,
            spec=spec,
            pending=pending,
            metrics=publisher.seen,
            actions=result.actions,
            physics=physics,
            capacity=capacity,
            fresh=fresh,
            node_since=since,
        )
        proposal = controller.step(view)
        if proposal is None or pending is not None or proposal.target == capacity:
            continue
        pending = ActionRecord[MemcachedCapacity].decided_after(
            i,
            capacity,
            proposal,
            action=proposal.action or action_between(capacity, proposal.target),
            minutes=timings.minutes(capacity, proposal.target),
        )
        result.actions.append(pending)

    result.final = capacity
    return result
