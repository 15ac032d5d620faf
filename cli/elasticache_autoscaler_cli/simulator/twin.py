"""The digital twin's minute loop: load in, metrics out, a controller's proposals applied after their delay.

Each minute: a finished action's capacity takes effect; the trace row becomes per-shard metrics
(``physics``); cost and breaches are counted; the controller sees the group as it would through
CloudWatch and DescribeReplicationGroups and may propose a new capacity. While an action runs the group is
``modifying`` and any other proposal is refused, as ElastiCache refuses it.
"""

import random
from dataclasses import dataclass, field
from typing import Protocol

from elasticache_autoscaler.catalog import NodeType, node_type
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, Load, Physics, group_metrics
from elasticache_autoscaler_cli.simulator.result import ActionRecord, SimulationResult
from elasticache_autoscaler_cli.simulator.timing import ActionTimings, action_of


def initial_capacity(spec: ClusterSpec) -> Capacity:
    return Capacity(node_type=spec.node_type, shards=spec.shards, replicas_per_shard=spec.replicas_per_shard)


def nodes_of(capacity: Capacity) -> int:
    return capacity.shards * (1 + capacity.replicas_per_shard)


def hourly_cost(capacity: Capacity, spec: ClusterSpec) -> float:
    return node_type(capacity.node_type).price_per_hour(spec.engine) * nodes_of(capacity)


@dataclass(frozen=True, slots=True)
class Proposal[C: (Capacity | MemcachedCapacity) = Capacity]:
    """A controller's proposal: a replication group's capacity, or a Memcached cluster's."""

    target: C
    reason: str
    action: Action | None = None
    """What the controller calls the change; ``None``: derived from the capacities (``action_of``). A move to
    a type with the same memory is a scale up or a scale down only by the controller's intent."""


@dataclass(frozen=True, slots=True)
class CloudWatchLag:
    """What CloudWatch shows every controller of the group's 1-minute metrics: a minute's datapoint is
    published ``minDelay``-``maxDelay`` minutes after the minute ends (1-3), in order (a datapoint is never
    shown before an older one), and a ``missing_share`` of them never (missing data). Drawn from ``seed``,
    the same for every controller, so policies are compared on the same gaps."""

    min_delay: int = 1
    max_delay: int = 3
    missing_share: float = 0.01
    seed: int = 0

    def published_after(self, minutes: int) -> list[int | None]:
        """Per minute ``j``, the minute after which its datapoint is visible (``None``: never). Visible
        after minute ``i`` means a controller stepping after minute ``i`` sees it."""
        rng = random.Random(self.seed)  # noqa: S311 - a reproducible simulation, not a secret
        out: list[int | None] = []
        latest = 0
        for j in range(minutes):
            delay = rng.randint(self.min_delay, self.max_delay)
            lost = rng.random() < self.missing_share
            latest = max(latest, j + delay)
            out.append(None if lost else latest)
        return out


@dataclass(slots=True)
class View[S, C: (Capacity | MemcachedCapacity | UsageLimits), M]:
    """What a controller of any kind of cache may look at after minute ``minute``: the cache as it started
    (``spec``), the change running (``pending``), the datapoints CloudWatch has published so far, oldest
    first (``metrics``), and the changes made so far."""

    minute: int
    spec: S
    pending: ActionRecord[C] | None
    metrics: list[M]
    actions: list[ActionRecord[C]]

    @property
    def modifying(self) -> bool:
        return self.pending is not None


@dataclass(slots=True)
class ClusterView(View[ClusterSpec, Capacity, GroupMetrics]):
    """A replication group's ``View``: its capacity now. ``metrics`` come every minute, unless the
    simulation runs with a ``CloudWatchLag``; ``new_datapoints()``: those published by this minute, in
    order, with ``None`` for one CloudWatch lost (what an alarm evaluates as missing)."""

    physics: Physics
    capacity: Capacity
    fresh: list[GroupMetrics | None] | None = None

    def new_datapoints(self) -> list[GroupMetrics | None]:
        """``fresh``, or without a ``CloudWatchLag`` (``fresh`` not given) the latest minute."""
        if self.fresh is None:
            return list[GroupMetrics | None](self.metrics[-1:])
        return self.fresh


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
        hot_key_split=spec.hot_key_split,
    )


@dataclass(slots=True)
class Publisher[M]:
    """Releases a twin's per-minute metrics ``M`` as ``CloudWatchLag.published_after`` says."""

    published_after: list[int | None]
    seen: list[M] = field(default_factory=list)
    cursor: int = 0

    def after(self, i: int, metrics: list[M]) -> list[M | None]:
        """The datapoints published by minute ``i`` not shown before (``None`` for a lost one)."""
        fresh: list[M | None] = []
        while self.cursor <= min(i, len(self.published_after) - 1):
            at = self.published_after[self.cursor]
            if at is not None and at > i:
                break
            fresh.append(None if at is None else metrics[self.cursor])
            self.cursor += 1
        self.seen.extend(point for point in fresh if point is not None)
        return fresh


def simulate(
    trace: Trace,
    spec: ClusterSpec,
    controller: Controller,
    physics: Physics | None = None,
    timings: ActionTimings | None = None,
    *,
    cloudwatch: CloudWatchLag | None = None,
) -> SimulationResult:
    """Replay ``trace``; with ``cloudwatch`` every controller sees the metrics late and with gaps."""
    physics = physics or Physics()
    timings = timings or ActionTimings()
    shown = Publisher[GroupMetrics](cloudwatch.published_after(len(trace))) if cloudwatch else None
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

        fresh = None if shown is None else shown.after(i, metrics)
        view = ClusterView(
            minute=i,
            spec=spec,
            physics=physics,
            capacity=capacity,
            pending=pending,
            metrics=metrics if shown is None else shown.seen,
            actions=result.actions,
            fresh=fresh,
        )
        proposal = controller.step(view)
        if proposal is None or pending is not None or proposal.target == capacity:
            continue
        pending = ActionRecord.decided_after(
            i,
            capacity,
            proposal,
            action=proposal.action or action_of(capacity, proposal.target),
            minutes=timings.minutes(capacity, proposal.target, load.dataset_gib),
        )
        result.actions.append(pending)

    result.final = capacity
    return result
