"""The rules for a Memcached cluster: add or remove nodes (absolute target) or move to a larger node type.

Pure: ``(cluster, metrics, policy, guards, recent, now) -> MemcachedDecision``; no I/O, no clock.

Signals, each the hottest node's (a max over nodes, never an average), from the cluster's own metrics:
CPU (``CPUUtilization``: Memcached is multi-threaded, no engine-CPU split), memory (``BytesUsedForCacheItems``
over the node type's maxmemory from the node type catalog), ``Evictions``, ``CurrConnections`` and the
network allowance counters. Consistent hashing spreads keys, and so load and memory, evenly over the nodes:
N -> M nodes moves each node's share to N/M of what it was. That is what sizing assumes both ways.

1. Standing guards (paused, breaker, not quiescent, lock).
2. Pressure (a signal above target x (1 + tolerance), or any eviction): more nodes, proportionally
   (``sizing.scale_out_count``); at ``maxNodes``, a larger node type (online from Memcached 1.5).
3. Network allowance exceeded alone: a larger node type (more bandwidth), else one more node.
4. Scale-in only when every signal of every node was below target x scaleInFactor for the whole
   stabilization window, with no eviction and no missing datapoint: the fewest nodes whose projected load
   stays under target, and whose cold misses stay within ``maxColdMissPercent``. Removing k of N nodes
   empties their share of the keyspace (consistent hashing): about k/N of the keys miss until the clients
   re-fill them, load the database behind the cache takes. The decision states it.
5. When no node can go (at ``minNodes``, or the projection or the cold misses forbid it), a smaller node
   type of the same family (online from Memcached 1.5), as a replication group's scale-down is chosen: the
   cheapest allowed type within ``maxStep.nodeSizes`` rungs whose projected memory (the hottest node's
   items over the smaller type's maxmemory) and CPU (x the vCPU ratio) stay under target. The items must
   fit with the memory target's headroom, or no type is chosen. ElastiCache replaces the nodes in batches of
   ``scaleConfig.scalePercentage``; a replaced node is taken to start empty (AWS does not say its items
   survive), so a batch cold-misses that share of the keys, held to ``maxColdMissPercent`` as a node removal
   is. Only traffic over the allowance is measured (no bytes per second): none in the window is required.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from elasticache_autoscaler.catalog import Engine, NodeType, catalog
from elasticache_autoscaler.engine.costs import hourly_cost
from elasticache_autoscaler.engine.guards import kind_standing_guard
from elasticache_autoscaler.engine.sizing import scale_in_count, scale_out_count
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.kind_decision import MemcachedAction, MemcachedDecision
from elasticache_autoscaler.models.kind_metrics import MemcachedMetric, MemcachedMetrics
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity, MemcachedCluster
from elasticache_autoscaler.models.policy import size_rank
from elasticache_autoscaler.models.snapshot import Guards

GIB = 1024**3
PRICE_ENGINE: Engine = "redis"
"""Memcached nodes are billed at the Redis OSS on-demand price of their type (the catalog's Redis column);
Valkey's is 20 % lower."""


@dataclass(frozen=True, slots=True)
class Recent:
    """When the cluster last grew and last shrank (from the decision history), for the cooldowns."""

    last_scale_out_at: datetime | None = None
    last_scale_in_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Signals:
    cpu: float | None
    memory: float | None
    evictions: float | None
    connections: float | None
    network_exceeded: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {
            "cpuPercent": self.cpu,
            "memoryPercent": self.memory,
            "evictions": self.evictions,
            "connections": self.connections,
            "networkAllowanceExceeded": self.network_exceeded,
        }


def _periods(seconds: int, metrics: MemcachedMetrics) -> int:
    return max(1, ceil(seconds / metrics.period_seconds))


def memory_percent(bytes_used: float | None, node_type: str) -> float | None:
    """``BytesUsedForCacheItems`` as a percentage of the node type's maxmemory (catalog); None if unknown."""
    node = catalog().get(node_type)
    if bytes_used is None or node is None:
        return None
    return round(100 * bytes_used / (node.maxmemory_gib * GIB), 4)


def signals(cluster: MemcachedCluster, metrics: MemcachedMetrics, periods: int) -> Signals:
    network = [
        metrics.peak(m, periods)
        for m in (MemcachedMetric.NETWORK_IN_EXCEEDED, MemcachedMetric.NETWORK_OUT_EXCEEDED)
    ]
    known_network = [v for v in network if v is not None]
    return Signals(
        cpu=metrics.peak(MemcachedMetric.CPU, periods),
        memory=memory_percent(metrics.peak(MemcachedMetric.BYTES_USED, periods), cluster.node_type),
        evictions=metrics.peak(MemcachedMetric.EVICTIONS, periods),
        connections=metrics.peak(MemcachedMetric.CONNECTIONS, periods),
        network_exceeded=max(known_network, default=None),
    )


def _ratios(s: Signals, policy: MemcachedPolicy) -> dict[str, float]:
    """signal / target for every signal with data."""
    targets = policy.targets
    pairs = {"cpu": (s.cpu, targets.cpu_percent), "memory": (s.memory, targets.memory_percent)}
    pairs["connections"] = (s.connections, float(targets.connections_per_node))
    return {name: value / target for name, (value, target) in pairs.items() if value is not None}


def smaller_node_type(
    current: str, policy: MemcachedPolicy, fits: Callable[[NodeType], bool]
) -> tuple[str | None, str]:
    """The cheapest smaller type of the same family, allowed by the policy and at most
    ``maxStep.nodeSizes`` rungs down, that ``fits``; None when none does, with why."""
    here = catalog().get(current)
    rank = size_rank(current)
    if here is None or rank is None:
        return None, f"node type: {current} is not in the node type catalog"
    cheaper = [
        node
        for node in catalog().values()
        if node.family == here.family
        and (node_rank := size_rank(node.name)) is not None
        and rank - policy.max_step.node_sizes <= node_rank < rank
        and node.price_hour_redis_usd < here.price_hour_redis_usd
        and policy.node_types.allows(node.name, current)
    ]
    if not cheaper:
        return None, f"node type: no allowed smaller type than {current} within maxStep.nodeSizes"
    fitting = [node for node in cheaper if fits(node)]
    if not fitting:
        names = ", ".join(sorted(n.name for n in cheaper))
        return (
            None,
            f"node type: no smaller allowed type ({names}) keeps projected memory and CPU under target",
        )
    best = min(fitting, key=lambda n: (n.price_hour_redis_usd, n.name))
    return best.name, f"node type: {best.name} is the cheapest allowed smaller type that stays under target"


def _cost(node_type: str, nodes: int) -> float | None:
    return hourly_cost(PRICE_ENGINE, node_type, nodes)


def larger_node_type(current: str, policy: MemcachedPolicy, need: float) -> str | None:
    """The cheapest larger type of the same family, allowed by the policy and at most ``maxStep.nodeSizes``
    rungs up, whose memory and vCPU are at least ``need`` x the current's; else the largest such type."""
    here = catalog().get(current)
    rank = size_rank(current)
    if here is None or rank is None:
        return None
    candidates: list[NodeType] = []
    for node in catalog().values():
        node_rank = size_rank(node.name)
        if node.family != here.family or node_rank is None:
            continue
        if rank < node_rank <= rank + policy.max_step.node_sizes and policy.node_types.allows(
            node.name, current
        ):
            candidates.append(node)
    if not candidates:
        return None
    fitting = [n for n in candidates if n.memory_gib >= here.memory_gib * need and n.vcpu >= here.vcpu * need]
    chosen = (
        min(fitting, key=lambda n: n.price_hour_redis_usd)
        if fitting
        else max(candidates, key=lambda n: n.memory_gib)
    )
    return chosen.name


@dataclass(frozen=True, slots=True)
class _Inputs:
    cluster: MemcachedCluster
    metrics: MemcachedMetrics
    policy: MemcachedPolicy
    recent: Recent
    now: datetime


def _decision(
    inputs: _Inputs,
    action: MemcachedAction,
    target: MemcachedCapacity,
    *,
    reasons: list[str],
    s: Signals,
    blocked: Blocked | None = None,
    nodes_to_remove: tuple[str, ...] = (),
) -> MemcachedDecision:
    cluster, policy = inputs.cluster, inputs.policy
    current = cluster.capacity
    return MemcachedDecision(
        action=action,
        current=current,
        target=target,
        reasons=tuple(reasons),
        blocked_by=blocked,
        signals=s.as_dict(),
        cost_per_hour_before=_cost(current.node_type, current.nodes),
        cost_per_hour_after=_cost(target.node_type, target.nodes),
        nodes_to_remove=nodes_to_remove,
        cold_miss_fraction=round(len(nodes_to_remove) / current.nodes, 4) if nodes_to_remove else 0.0,
        dry_run=policy.mode == "observe",
    )


def _cooldown(last: datetime | None, seconds: int, kind: str, now: datetime) -> tuple[Blocked | None, str]:
    if last is None:
        return None, f"{kind} cooldown: no earlier {kind}"
    elapsed = (now - last).total_seconds()
    summary = f"last {kind} {elapsed / 60:.0f} min ago, cooldown {seconds / 60:.0f} min"
    if elapsed < seconds:
        return BlockedBy.COOLDOWN.because(summary), f"{kind} cooldown: {summary}"
    return None, f"{kind} cooldown: over ({summary})"


def _scaled_in(
    inputs: _Inputs,
    action: MemcachedAction,
    target: MemcachedCapacity,
    *,
    reasons: list[str],
    s: Signals,
    nodes_to_remove: tuple[str, ...] = (),
) -> MemcachedDecision:
    """A scale-in (fewer nodes, or a smaller node type), blocked inside the scale-in cooldown."""
    blocked, why = _cooldown(
        inputs.recent.last_scale_in_at, inputs.policy.scale_in_cooldown_seconds, "scale-in", inputs.now
    )
    reasons.append(why)
    return _decision(
        inputs, action, target, reasons=reasons, s=s, blocked=blocked, nodes_to_remove=nodes_to_remove
    )


def decide_memcached(
    cluster: MemcachedCluster,
    metrics: MemcachedMetrics,
    policy: MemcachedPolicy,
    *,
    guards: Guards,
    recent: Recent,
    now: datetime,
) -> MemcachedDecision:
    inputs = _Inputs(cluster, metrics, policy, recent, now)
    current = cluster.capacity
    out_signals = signals(cluster, metrics, _periods(policy.scale_out_evaluation_seconds, metrics))
    guard = kind_standing_guard(guards, cluster.not_quiescent_because(), policy.circuit_breaker_failures)
    reasons = [guard.reason]
    if guard.blocked_by is not None:
        none = MemcachedAction.NONE
        return _decision(inputs, none, current, reasons=reasons, s=out_signals, blocked=guard.blocked_by)
    scale_out = _scale_out(cluster, out_signals, policy, reasons)
    if scale_out is not None:
        action, target = scale_out
        blocked, why = _cooldown(
            recent.last_scale_out_at, policy.scale_out_cooldown_seconds, "scale-out", now
        )
        reasons.append(why)
        if target == current:
            blocked = BlockedBy.AT_BOUNDS.because(reasons[-2])
        return _decision(inputs, action, target, reasons=reasons, s=out_signals, blocked=blocked)
    return _scale_in(inputs, reasons, out_signals)


def _scale_out(
    cluster: MemcachedCluster, s: Signals, policy: MemcachedPolicy, reasons: list[str]
) -> tuple[MemcachedAction, MemcachedCapacity] | None:
    """The scale-out the signals call for, with its reasons, or None when nothing is under pressure."""
    current = cluster.capacity
    above = 1 + policy.tolerance
    ratios = _ratios(s, policy)
    hot = {name: r for name, r in ratios.items() if r > above}
    evicting = (s.evictions or 0) > 0
    network = (s.network_exceeded or 0) > 0
    if not hot and not evicting and not network:
        reasons.append(f"scale-out: every signal at or under target x {above:g} (ratios {_show(ratios)})")
        return None
    ratio = max([*hot.values(), 1.0])
    causes = [f"{name} at {r:.2f} x target" for name, r in sorted(hot.items())]
    if evicting:
        causes.append(f"{s.evictions:g} eviction(s)")
    if network:
        causes.append("network allowance exceeded")
    why = ", ".join(causes)
    if (hot or evicting) and current.nodes < policy.max_nodes:
        nodes = scale_out_count(current.nodes, ratio, max_step=policy.max_step.nodes, upper=policy.max_nodes)
        reasons.append(
            f"scale-out: {why}: {current.nodes} -> {nodes} nodes (ceil(nodes x {ratio:.2f}), step, bounds)"
        )
        return MemcachedAction.ADD_NODES, current.model_copy(update={"nodes": nodes})
    larger = (
        larger_node_type(cluster.node_type, policy, ratio)
        if cluster.supports_online_vertical_scaling
        else None
    )
    if larger is not None:
        where = "network allowance" if not (hot or evicting) else f"at maxNodes {policy.max_nodes}"
        reasons.append(f"scale-out: {why}; {where}: node type {cluster.node_type} -> {larger}")
        return MemcachedAction.SCALE_UP, current.model_copy(update={"node_type": larger})
    if current.nodes < policy.max_nodes:
        reasons.append(f"scale-out: {why}; no larger node type allowed: one more node spreads the traffic")
        return MemcachedAction.ADD_NODES, current.model_copy(update={"nodes": current.nodes + 1})
    reasons.append(f"scale-out: {why}, but at maxNodes {policy.max_nodes} and no larger node type allowed")
    return MemcachedAction.ADD_NODES, current


def _show(ratios: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(ratios.items())) or "no data"


def _scale_in(inputs: _Inputs, reasons: list[str], out_signals: Signals) -> MemcachedDecision:
    cluster, metrics, policy = inputs.cluster, inputs.metrics, inputs.policy
    current = cluster.capacity
    none = MemcachedAction.NONE
    if not policy.scale_in_enabled:
        reasons.append("scale-in: disabled by policy")
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    periods = _periods(policy.scale_in_stabilization_seconds, metrics)
    node_ids = tuple(n.node_id for n in cluster.nodes)
    needed = (
        MemcachedMetric.CPU,
        MemcachedMetric.BYTES_USED,
        MemcachedMetric.CONNECTIONS,
        MemcachedMetric.EVICTIONS,
    )
    missing = [m.value for m in needed if not metrics.covers(m, node_ids, periods)]
    if missing:
        reasons.append(
            f"scale-in: missing datapoints of {', '.join(missing)} in the stabilization window: "
            "missing data is never a reason to scale in"
        )
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    s = signals(cluster, metrics, periods)
    ratios = _ratios(s, policy)
    low = policy.scale_in_factor
    if (s.evictions or 0) > 0 or (s.network_exceeded or 0) > 0 or any(r >= low for r in ratios.values()):
        reasons.append(
            f"scale-in: not every signal under target x {low:g} for the window (ratios {_show(ratios)})"
        )
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    n = current.nodes
    max_cold = policy.max_cold_miss_percent / 100

    def fits(k: int) -> bool:
        return all(r * n / k <= 1 for r in ratios.values()) and (n - k) / n <= max_cold

    nodes = scale_in_count(n, lower=policy.min_nodes, max_step=policy.max_step.nodes, fits=fits)
    if nodes is None:
        reasons.append(
            f"scale-in: {n} -> {n - 1} nodes would not fit (projected ratios x {n}/{n - 1}, cold misses "
            f"{100 / n:.0f}% vs maxColdMissPercent {policy.max_cold_miss_percent:g}) or minNodes "
            f"{policy.min_nodes}"
        )
        return _smaller_type(inputs, reasons, s, out_signals)
    removed = n - nodes
    projected = {k: r * n / nodes for k, r in ratios.items()}
    reasons.append(
        f"scale-in: every signal under target x {low:g} for the window; {n} -> {nodes} nodes, projected "
        f"ratios {_show(projected)}"
    )
    reasons.append(
        f"scale-in cost: removing {removed} of {n} nodes empties their share of the keyspace (consistent "
        f"hashing): about {100 * removed / n:.0f}% of keys miss until re-cached"
    )
    return _scaled_in(
        inputs,
        MemcachedAction.REMOVE_NODES,
        current.model_copy(update={"nodes": nodes}),
        reasons=reasons,
        s=s,
        nodes_to_remove=cluster.newest_nodes(removed),
    )


def _smaller_type(inputs: _Inputs, reasons: list[str], s: Signals, out_signals: Signals) -> MemcachedDecision:
    """Rule 5: a smaller node type, once no node can be removed (the signals are low for the window)."""
    cluster, policy = inputs.cluster, inputs.policy
    current = cluster.capacity
    none = MemcachedAction.NONE
    if not cluster.supports_online_vertical_scaling:
        reasons.append(
            f"scale down: Memcached {cluster.engine_version} cannot change node type in place (from 1.5)"
        )
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    batch = policy.scale_config.scale_percentage
    if batch > policy.max_cold_miss_percent:
        reasons.append(
            f"scale down: scaleConfig.scalePercentage {batch}% of the nodes replaced at a time would "
            f"cold-miss more than maxColdMissPercent {policy.max_cold_miss_percent:g}%"
        )
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    here = catalog().get(cluster.node_type)
    if here is None or s.memory is None or s.cpu is None:
        reasons.append(
            "scale down: node type not in the catalog, or no memory or CPU figure: no smaller type"
        )
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    used, busy, targets = s.memory, s.cpu, policy.targets

    def projected(candidate: NodeType) -> tuple[float, float]:
        """(memory %, CPU %) on ``candidate``: the same items and the same work on its maxmemory and vCPU."""
        return used * here.maxmemory_gib / candidate.maxmemory_gib, busy * here.vcpu / candidate.vcpu

    def fits(candidate: NodeType) -> bool:
        memory, cpu = projected(candidate)
        return memory < targets.memory_percent and cpu < targets.cpu_percent

    smaller, why = smaller_node_type(cluster.node_type, policy, fits)
    reasons.append(why)
    if smaller is None:
        return _decision(inputs, none, current, reasons=reasons, s=out_signals)
    there = catalog()[smaller]
    memory, cpu = projected(there)
    reasons.append(
        f"scale down: every signal under target x {policy.scale_in_factor:g} for the window; node type "
        f"{cluster.node_type} -> {smaller}: the items ({s.memory:.1f}% of {here.maxmemory_gib:g} GiB) would "
        f"fill {memory:.1f}% of {there.maxmemory_gib:g} GiB (target {targets.memory_percent:g}%), CPU "
        f"{s.cpu:.1f}% -> {cpu:.1f}% (target {targets.cpu_percent:g}%)"
    )
    reasons.append(
        f"scale down cost: nodes replaced {batch}% at a time (scaleConfig), each taken to start empty: about "
        f"{batch}% of keys miss per batch until re-cached; no allowance exceeded in the window (traffic in "
        "bytes is not read)"
    )
    target = current.model_copy(update={"node_type": smaller})
    return _scaled_in(inputs, MemcachedAction.SCALE_DOWN, target, reasons=reasons, s=s)
