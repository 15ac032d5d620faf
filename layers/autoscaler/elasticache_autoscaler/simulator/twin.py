"""The digital twin's minute loop: load in, metrics out, a controller's proposals applied after their delay.

Each minute: a finished action's capacity takes effect; the trace row becomes per-shard metrics
(``physics``); cost and breaches are counted; the controller sees the group as it would through
CloudWatch and DescribeReplicationGroups and may propose a new capacity. While an action runs the group is
``modifying`` and any other proposal is refused, as ElastiCache refuses it.
"""

from dataclasses import dataclass
from typing import Protocol

from elasticache_autoscaler.catalog import NodeType, node_type
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler.simulator.physics import GroupMetrics, Load, Physics, group_metrics
from elasticache_autoscaler.simulator.result import ActionRecord, SimulationResult
from elasticache_autoscaler.simulator.timing import ActionTimings, action_of


def initial_capacity(spec: ClusterSpec) -> Capacity:
    return Capacity(node_type=spec.node_type, shards=spec.shards, replicas_per_shard=spec.replicas_per_shard)


def nodes_of(capacity: Capacity) -> int:
    return capacity.shards * (1 + capacity.replicas_per_shard)


def hourly_cost(capacity: Capacity, spec: ClusterSpec) -> float:
    return node_type(capacity.node_type).price_per_hour(spec.engine) * nodes_of(capacity)


@dataclass(frozen=True, slots=True)
class Proposal:
    target: Capacity
    reason: str
    action: Action | None = None
    """What the controller calls the change; ``None``: derived from the capacities (``action_of``). A move to
    a type with the same memory is a scale up or a scale down only by the controller's intent."""


@dataclass(slots=True)
class ClusterView:
    """What a controller may look at after minute ``minute``: CloudWatch history and the group's state."""

    minute: int
    spec: ClusterSpec
    physics: Physics
    capacity: Capacity
    pending: ActionRecord | None
    metrics: list[GroupMetrics]
    actions: list[ActionRecord]

    @property
    def modifying(self) -> bool:
        return self.pending is not None


class Controller(Protocol):
    name: str

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        """The capacity the group runs with at minute 0."""
        ...

    def step(self, view: ClusterView) -> Proposal | None:
        """Called after every minute; a proposal is applied only when the group is not modifying."""
        ...


def load_at(trace: Trace, i: int) -> Load:
    return Load(
        reads_per_s=trace.reads_per_s[i],
        writes_per_s=trace.writes_per_s[i],
        dataset_gib=trace.dataset_gib[i],
        connections=trace.connections[i],
        avg_item_bytes=trace.avg_item_bytes[i],
    )


def metrics_of(
    capacity: Capacity, node: NodeType, spec: ClusterSpec, load: Load, physics: Physics
) -> GroupMetrics:
    """One minute of the group's metrics at ``capacity`` under ``load`` (the hot shard from ``spec``)."""
    return group_metrics(
        physics,
        node,
        shards=capacity.shards,
        replicas=capacity.replicas_per_shard,
        load=load,
        initial_shards=spec.shards,
        initial_hot_share=spec.hot_shard_share,
    )


def simulate(
    trace: Trace,
    spec: ClusterSpec,
    controller: Controller,
    physics: Physics | None = None,
    timings: ActionTimings | None = None,
) -> SimulationResult:
    physics = physics or Physics()
    timings = timings or ActionTimings()
    capacity = controller.start(spec, trace, physics)
    result = SimulationResult(policy=controller.name, minutes=len(trace), initial=capacity, final=capacity)
    series = result.series
    causes = result.breach_minutes_by_cause
    metrics: list[GroupMetrics] = []
    pending: ActionRecord | None = None
    nodes_cache: dict[str, NodeType] = {}

    for i in range(len(trace)):
        if pending is not None and i >= pending.finished_minute:
            capacity, pending = pending.target, None
        node = nodes_cache.get(capacity.node_type) or nodes_cache.setdefault(
            capacity.node_type, node_type(capacity.node_type)
        )
        load = load_at(trace, i)
        minute = metrics_of(capacity, node, spec, load, physics)
        metrics.append(minute)

        memory, cpu, network = minute.breach_causes(physics)
        breach = memory or cpu or network
        result.breach_minutes += breach
        causes["memory"] += memory
        causes["cpu"] += cpu
        causes["network"] += network

        # While a change runs, both the old and the new nodes are billed: charge the larger of the two.
        billed = capacity
        if pending is not None and hourly_cost(pending.target, spec) > hourly_cost(capacity, spec):
            billed = pending.target
        result.cost_usd += hourly_cost(billed, spec) / 60
        result.node_hours += nodes_of(billed) / 60

        demand = load.reads_per_s + load.writes_per_s
        busiest = max(s.max_cpu for s in minute.each())
        series.demand_ops.append(demand)
        series.capacity_ops.append(demand * physics.cpu_breach_percent / busiest if busiest > 0 else 0.0)
        series.dataset_gib.append(load.dataset_gib)
        series.maxmemory_gib.append(node.maxmemory_gib * capacity.shards)
        series.nodes.append(nodes_of(capacity))
        series.breach.append(breach)

        view = ClusterView(
            minute=i,
            spec=spec,
            physics=physics,
            capacity=capacity,
            pending=pending,
            metrics=metrics,
            actions=result.actions,
        )
        proposal = controller.step(view)
        if proposal is None or pending is not None or proposal.target == capacity:
            continue
        duration = timings.minutes(capacity, proposal.target, load.dataset_gib)
        pending = ActionRecord(
            action=proposal.action or action_of(capacity, proposal.target),
            # Decided after minute i's data: the change starts with minute i + 1.
            started_minute=i + 1,
            finished_minute=i + 1 + duration,
            current=capacity,
            target=proposal.target,
            reason=proposal.reason,
        )
        result.actions.append(pending)

    result.final = capacity
    return result
