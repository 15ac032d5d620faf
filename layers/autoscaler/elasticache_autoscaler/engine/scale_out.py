"""Scale-out rules, in order: memory/evictions, write CPU, read CPU/connections, network allowance.

Every rule is evaluated so that each leaves its reason; the first one with a feasible change wins. A rule
under pressure that cannot change anything within the policy (at bounds) only wins when none can.
"""

from collections.abc import Callable

from elasticache_autoscaler.engine.hot_key import reshard_did_not_spread
from elasticache_autoscaler.engine.node_type_choice import Need, Resource, choose_larger, compute
from elasticache_autoscaler.engine.outcome import Plan, RuleOutcome
from elasticache_autoscaler.engine.signals import MEMORY_LEAD_MINUTES, SCALE_OUT_LEAD_MINUTES
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.engine.sizing import scale_out_count
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy

CONNECTION_LIMIT_PER_NODE = 65_000
# Cluster mode enabled: read pressure that would need more replicas per shard than this adds shards instead.
REPLICA_FANOUT_LIMIT = 3


def _threshold(sit: Situation, target: float) -> float:
    return target * (1 + sit.policy.tolerance)


def under_cpu_floor(sit: Situation, ahead: float, climb: float | None) -> str | None:
    """Why engine CPU above its threshold is not yet a reason to scale out, or None (it is).

    It is not while both its trend-aware view (``ahead``) and where its steady slope leads within the lead
    time (``climb``) stay at or under ``Targets.cpuScaleOutFloorPercent``: the engine thread has headroom
    to the 90 % where it saturates, and a change decided now would serve after a short burst is over or
    hold a hot shard's whole group on larger nodes (docs/decisions.md, "The CPU scale-out floor")."""
    floor = sit.policy.targets.cpu_scale_out_floor_percent
    highest = ahead if climb is None else max(ahead, climb)
    if highest > floor:
        return None
    return (
        f"under the CPU scale-out floor {floor:.1f}% (and not climbing above it within "
        f"{SCALE_OUT_LEAD_MINUTES:.0f} min: {highest:.1f}%): no scale-out"
    )


def _over_floor(sit: Situation) -> str:
    floor = sit.policy.targets.cpu_scale_out_floor_percent
    return f"at or climbing over the CPU scale-out floor {floor:.1f}%" if floor > 0 else ""


def _ratio(value: float | None, target: float) -> float | None:
    return None if value is None else value / target


def _trend(now: float | None, ahead: float | None, lead: float = SCALE_OUT_LEAD_MINUTES) -> str:
    """`` (rising: 71.0 in 10 min)`` when the trend-aware view is above the recent one, else nothing."""
    if now is None or ahead is None or ahead <= now + 0.05:
        return ""
    return f" (rising: {ahead:.1f} expected in {lead:.0f} min)"


def _need(sit: Situation, grow: Resource) -> Need:
    """Projected need: enough of each resource to bring its signal back to target (today's if unknown)."""
    assert sit.node is not None
    targets, signals = sit.policy.targets, sit.signals
    memory = _ratio(signals.memory_ahead_percent, targets.memory_percent)
    cpu_ratios = [
        ratio
        for ratio in (
            _ratio(signals.write_cpu_ahead_percent, targets.write_cpu_percent),
            _ratio(signals.read_cpu_ahead_percent, targets.read_cpu_percent),
        )
        if ratio is not None
    ]
    return Need(
        maxmemory_gib=sit.node.maxmemory_gib * (1.0 if memory is None else memory),
        compute=compute(sit.node) * max(cpu_ratios, default=1.0),
        network_gbps=sit.node.network_baseline_gbps,
        grow=grow,
    )


def larger_node(sit: Situation, grow: Resource, why: str) -> RuleOutcome:
    current = sit.current
    if sit.node is None:
        detail = f"node type {current.node_type} is not in the node type catalog"
        return RuleOutcome(
            (f"{why}: {detail}",), Plan(Action.SCALE_UP, current), BlockedBy.AT_BOUNDS.because(detail)
        )
    choice = choose_larger(
        sit.node, sit.topology.allowed_scale_up, sit.policy, sit.topology.engine, _need(sit, grow)
    )
    if choice.node is None:
        return RuleOutcome(
            (f"{why}: {choice.reason}",),
            Plan(Action.SCALE_UP, current),
            BlockedBy.AT_BOUNDS.because(choice.reason),
        )
    target = current.model_copy(update={"node_type": choice.node.name})
    return RuleOutcome(
        (f"{why} -> scale up {current.node_type} -> {choice.node.name} ({choice.reason})",),
        Plan(Action.SCALE_UP, target),
    )


def add_shards(sit: Situation, ratio: float, why: str) -> RuleOutcome:
    current, policy = sit.current, sit.policy
    if current.shards >= policy.max_shards:
        detail = f"shards: at max {policy.max_shards}"
        return RuleOutcome((detail,), Plan(Action.ADD_SHARDS, current), BlockedBy.AT_BOUNDS.because(detail))
    shards = scale_out_count(current.shards, ratio, max_step=policy.max_step.shards, upper=policy.max_shards)
    return RuleOutcome(
        (
            f"{why} -> add shards {current.shards} -> {shards} (ceil({current.shards} x {ratio:.2f}), "
            f"maxStep.shards {policy.max_step.shards}, maxShards {policy.max_shards})",
        ),
        Plan(Action.ADD_SHARDS, current.model_copy(update={"shards": shards})),
    )


def _shards_then_node(sit: Situation, ratio: float, grow: Resource, why: str) -> RuleOutcome:
    if not sit.topology.cluster_mode_enabled:
        return larger_node(sit, grow, why)
    shards = add_shards(sit, ratio, why)
    if shards.refusal is None:
        return shards
    return larger_node(sit, grow, why).after(shards.reasons)


def _memory(sit: Situation) -> RuleOutcome:
    signals, target = sit.signals, sit.policy.targets.memory_percent
    limit = _threshold(sit, target)
    memory, evictions = signals.memory_ahead_percent, signals.evictions
    if memory is None:
        seen = "memory: no data"
    else:
        seen = (
            f"memory: max {signals.memory_max_percent or 0:.1f}% on shard {signals.hottest_memory_shard} "
            f"(average {signals.memory_avg_percent or 0:.1f}%)"
            f"{_trend(signals.memory_max_percent, memory, MEMORY_LEAD_MINUTES)}"
        )
    high = memory is not None and memory > limit
    evicting = evictions is not None and evictions > 0
    if not high and not evicting:
        return RuleOutcome((f"{seen}, not above {limit:.1f}%; evictions {evictions or 0:.0f}",))
    why = f"{seen} above {limit:.1f}%" if high else f"{seen}; {evictions or 0:.0f} evictions"
    ratio = max(1.0, (memory or 0.0) / target)
    return _shards_then_node(sit, ratio, "memory", why)


def _write_cpu(sit: Situation) -> RuleOutcome:
    signals, target = sit.signals, sit.policy.targets.write_cpu_percent
    limit = _threshold(sit, target)
    cpu = signals.write_cpu_ahead_percent
    if cpu is None:
        return RuleOutcome(("write CPU (primary EngineCPUUtilization): no data",))
    seen = (
        f"write CPU: max {signals.write_cpu_max_percent or 0:.1f}% "
        f"(average {signals.write_cpu_avg_percent or 0:.1f}%){_trend(signals.write_cpu_max_percent, cpu)}"
    )
    if cpu <= limit:
        return RuleOutcome((f"{seen}, not above {limit:.1f}%",))
    held = under_cpu_floor(sit, cpu, signals.write_cpu_climb_percent)
    if held is not None:
        return RuleOutcome((f"{seen} above {limit:.1f}% but {held}",))
    why = f"{seen} above {limit:.1f}%" + (f" and {_over_floor(sit)}" if _over_floor(sit) else "")
    hot_key = reshard_did_not_spread(sit)
    if hot_key is None:
        return _shards_then_node(sit, cpu / target, "engine CPU", why)
    # A hot key: a larger node relieves it, more shards would not; shards only when no larger node is allowed.
    node = larger_node(sit, "engine CPU", f"{why}; {hot_key}")
    if node.refusal is None:
        return node
    return add_shards(sit, cpu / target, why).after(node.reasons)


def _replica_count(sit: Situation, read_ratio: float | None, connection_ratio: float | None) -> int:
    replicas = sit.current.replicas_per_shard
    wanted = replicas + 1
    if read_ratio is not None and replicas > 0:
        wanted = max(wanted, scale_out_count(replicas, read_ratio, max_step=5, upper=5))
    if connection_ratio is not None:
        nodes = replicas + 1
        wanted = max(wanted, scale_out_count(nodes, connection_ratio, max_step=5, upper=6) - 1)
    return min(wanted, replicas + sit.policy.max_step.replicas, sit.max_replicas)


def _read_cpu_or_connections(sit: Situation) -> RuleOutcome:
    signals, targets = sit.signals, sit.policy.targets
    read_limit = _threshold(sit, targets.read_cpu_percent)
    connection_limit = _threshold(sit, targets.connections_per_node)
    read, connections = signals.read_cpu_ahead_percent, signals.connections_ahead_per_node
    read_high = read is not None and read > read_limit
    held = None
    if read is not None and read_high:
        held = under_cpu_floor(sit, read, signals.read_cpu_climb_percent)
    read_high = read_high and held is None
    connections_high = connections is not None and connections > connection_limit
    read_seen = (
        "no data"
        if read is None
        else f"max {signals.read_cpu_max_percent or 0:.1f}%{_trend(signals.read_cpu_max_percent, read)}"
    )
    connections_seen = (
        "no data"
        if connections is None
        else f"max {signals.connections_max_per_node or 0:.0f} per node"
        f"{_trend(signals.connections_max_per_node, connections)}"
    )
    seen = (
        f"read CPU: {read_seen} (threshold {read_limit:.1f}%); "
        f"connections: {connections_seen} "
        f"(threshold {connection_limit:.0f}, hard limit {CONNECTION_LIMIT_PER_NODE})"
    )
    if held is not None:
        seen = f"{seen}; read CPU {held}"
    elif read_high:
        seen = f"{seen}; read CPU {_over_floor(sit)}" if _over_floor(sit) else seen
    if not read_high and not connections_high:
        return RuleOutcome((f"{seen}: no read pressure",))
    current = sit.current
    read_ratio = _ratio(read, targets.read_cpu_percent) if read_high else None
    if current.replicas_per_shard < sit.max_replicas:
        replicas = _replica_count(
            sit,
            read_ratio,
            _ratio(connections, targets.connections_per_node) if connections_high else None,
        )
        if (
            read_ratio is not None
            and replicas > REPLICA_FANOUT_LIMIT
            and sit.topology.cluster_mode_enabled
            and current.shards < sit.policy.max_shards
        ):
            # Every replica replays every write (CPU) and the primary sends every write to each one
            # (network): past a few replicas, more shards relieve reads, writes and the primary's
            # replication traffic together, where one more replica would add to the last two.
            fanout = (
                f"{seen}; {replicas} replicas per shard would exceed the fan-out limit "
                f"{REPLICA_FANOUT_LIMIT} (each replica replays every write)"
            )
            return add_shards(sit, read_ratio, fanout)
        return RuleOutcome(
            (
                f"{seen} -> add replicas {current.replicas_per_shard} -> {replicas} per shard "
                f"(maxStep.replicas {sit.policy.max_step.replicas}, max {sit.max_replicas})",
            ),
            Plan(Action.ADD_REPLICAS, current.model_copy(update={"replicas_per_shard": replicas})),
        )
    at_max = f"replicas: at max {sit.max_replicas} per shard"
    if read_high:
        return larger_node(sit, "engine CPU", f"{seen}; {at_max}")
    detail = f"{at_max}, and a larger node does not raise the per-node connection limit"
    return RuleOutcome(
        (f"{seen}; {detail}",), Plan(Action.ADD_REPLICAS, current), BlockedBy.AT_BOUNDS.because(detail)
    )


def _network(sit: Situation) -> RuleOutcome:
    exceeded = sit.signals.network_allowance_exceeded
    if exceeded is None:
        return RuleOutcome(("network allowance: no data",))
    if exceeded <= 0:
        return RuleOutcome(("network allowance: never exceeded",))
    return larger_node(sit, "network", f"network allowance exceeded {exceeded:.0f} time(s)")


RULES: tuple[Callable[[Situation], RuleOutcome], ...] = (
    _memory,
    _write_cpu,
    _read_cpu_or_connections,
    _network,
)


def first_feasible(sit: Situation) -> RuleOutcome | None:
    """The first rule with a change it can make, with that rule's reasons only (the forecast's pass)."""
    for rule in RULES:
        outcome = rule(sit)
        if outcome.plan is not None and outcome.refusal is None:
            return outcome
    return None


def scale_out(sit: Situation) -> RuleOutcome:
    """The first feasible scale-out, else the first one stuck at bounds, else no plan (no pressure)."""
    reasons: tuple[str, ...] = ()
    feasible: RuleOutcome | None = None
    stuck: RuleOutcome | None = None
    for rule in RULES:
        outcome = rule(sit)
        reasons += outcome.reasons
        if outcome.plan is None:
            continue
        if outcome.refusal is None and feasible is None:
            feasible = outcome
        elif outcome.refusal is not None and stuck is None:
            stuck = outcome
    chosen = feasible or stuck
    if chosen is None:
        return RuleOutcome(reasons)
    return RuleOutcome(reasons, chosen.plan, chosen.refusal)
