"""Scale-in: only after every signal stayed low for the whole stabilization window, with full data.

Then, in order, the first that keeps projected utilisation under target: fewer replicas (never below the
Multi-AZ floor), fewer shards (cluster mode enabled), a cheaper node type. Projections use the window's
maxima (the hottest shard, the busiest minute), so a scale-in cannot trigger an immediate scale-out.
"""

from elasticache_autoscaler.catalog import NodeType
from elasticache_autoscaler.engine.guards import seconds_since_topology_change
from elasticache_autoscaler.engine.node_type_choice import choose_smaller
from elasticache_autoscaler.engine.outcome import Outcome, Plan
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.engine.sizing import scale_in_count
from elasticache_autoscaler.models.actions import Action


def _not_ready(sit: Situation) -> str | None:
    """Why scale-in is not considered at all, or None."""
    policy, window = sit.policy, sit.window
    if not policy.scale_in_enabled:
        return "scale-in: disabled by policy (scaleInEnabled false)"
    stabilization = policy.scale_in_stabilization_seconds
    since = seconds_since_topology_change(sit.history, sit.now)
    if since is not None and since < stabilization:
        return (
            f"scale-in: last topology change {since / 60:.0f} min ago, inside the "
            f"{stabilization / 60:.0f} min stabilization window"
        )
    if not window.complete:
        shown = "; ".join(window.missing[:3]) + ("; ..." if len(window.missing) > 3 else "")
        return f"scale-in: missing data over the {stabilization / 60:.0f} min window ({shown})"
    return None


def _still_busy(sit: Situation) -> list[str]:
    """Every signal that is not below its scale-in threshold over the window."""
    targets, window, factor = sit.policy.targets, sit.window, sit.policy.scale_in_factor
    checks = [
        ("memory", window.memory_max_percent, targets.memory_percent),
        ("write CPU", window.write_cpu_max_percent, targets.write_cpu_percent),
        ("read CPU", window.read_cpu_max_percent, targets.read_cpu_percent),
        ("connections", window.connections_max_per_node, targets.connections_per_node),
    ]
    busy = [
        f"{name} peak {value:.1f} not below {target * factor:.1f}"
        for name, value, target in checks
        if value is not None and value >= target * factor
    ]
    if window.evictions:
        busy.append(f"{window.evictions:.0f} evictions")
    if window.network_allowance_exceeded:
        busy.append(f"network allowance exceeded {window.network_allowance_exceeded:.0f} time(s)")
    return busy


def _under(value: float | None, target: float) -> bool:
    return value is None or value < target


def _fewer_replicas(sit: Situation) -> Outcome:
    current, window, targets = sit.current, sit.window, sit.policy.targets
    replicas = current.replicas_per_shard
    floor = sit.replica_floor
    if replicas <= floor:
        return Outcome((f"replicas: {replicas} per shard, at the {sit.replica_floor_reason()}",))

    def fits(count: int) -> bool:
        if count == 0:
            reads = (window.write_cpu_max_percent or 0.0) + (window.read_cpu_max_percent or 0.0)
            read_ok = reads < targets.write_cpu_percent
        else:
            read = window.read_cpu_max_percent
            read_ok = _under(None if read is None else read * replicas / count, targets.read_cpu_percent)
        connections = window.connections_max_per_node
        projected = None if connections is None else connections * (replicas + 1) / (count + 1)
        return read_ok and _under(projected, targets.connections_per_node)

    count = scale_in_count(replicas, lower=floor, max_step=sit.policy.max_step.replicas, fits=fits)
    if count is None:
        return Outcome(("replicas: removing one would push read CPU or connections over target",))
    return Outcome(
        (f"replicas: {replicas} -> {count} per shard keeps read CPU and connections under target",),
        Plan(Action.REMOVE_REPLICAS, current.model_copy(update={"replicas_per_shard": count})),
    )


def _fewer_shards(sit: Situation) -> Outcome:
    current, window, policy = sit.current, sit.window, sit.policy
    if not sit.topology.cluster_mode_enabled:
        return Outcome(("shards: cluster mode disabled, one shard",))
    shards = current.shards
    if shards <= policy.min_shards:
        return Outcome((f"shards: at min {policy.min_shards}",))
    targets = policy.targets

    def fits(count: int) -> bool:
        grow = shards / count
        return all(
            _under(None if value is None else value * grow, target)
            for value, target in (
                (window.memory_max_percent, targets.memory_percent),
                (window.write_cpu_max_percent, targets.write_cpu_percent),
                (window.read_cpu_max_percent, targets.read_cpu_percent),
            )
        )

    count = scale_in_count(shards, lower=policy.min_shards, max_step=policy.max_step.shards, fits=fits)
    if count is None:
        return Outcome(("shards: removing one would push memory or CPU of the rest over target",))
    remove = window.lowest_memory_shards[: shards - count]
    return Outcome(
        (
            f"shards: {shards} -> {count} (removing the emptiest: {', '.join(remove)}) keeps memory and CPU "
            "under target",
        ),
        Plan(Action.REMOVE_SHARDS, current.model_copy(update={"shards": count}), shards_to_remove=remove),
    )


def _smaller_node(sit: Situation) -> Outcome:
    current, window, targets = sit.current, sit.window, sit.policy.targets
    node = sit.node
    if node is None:
        return Outcome((f"node type: {current.node_type} is not in the node type catalog",))

    def fits(candidate: NodeType) -> bool:
        memory = (
            None
            if window.memory_max_percent is None
            else (window.memory_max_percent * node.maxmemory_gib / candidate.maxmemory_gib)
        )
        shrink = node.vcpu / candidate.vcpu
        return (
            _under(memory, targets.memory_percent)
            and _under(
                None if window.write_cpu_max_percent is None else window.write_cpu_max_percent * shrink,
                targets.write_cpu_percent,
            )
            and _under(
                None if window.read_cpu_max_percent is None else window.read_cpu_max_percent * shrink,
                targets.read_cpu_percent,
            )
        )

    choice = choose_smaller(node, sit.topology.allowed_scale_down, sit.policy, sit.topology.engine, fits)
    if choice.node is None:
        return Outcome((choice.reason,))
    return Outcome(
        (f"scale down {current.node_type} -> {choice.node.name} ({choice.reason})",),
        Plan(Action.SCALE_DOWN, current.model_copy(update={"node_type": choice.node.name})),
    )


def scale_in(sit: Situation) -> Outcome:
    not_ready = _not_ready(sit)
    if not_ready is not None:
        return Outcome((not_ready,))
    busy = _still_busy(sit)
    if busy:
        return Outcome((f"scale-in: not every signal is low ({'; '.join(busy)})",))
    reasons: tuple[str, ...] = (
        f"scale-in: every signal below target x {sit.policy.scale_in_factor} for the whole window",
    )
    for step in (_fewer_replicas, _fewer_shards, _smaller_node):
        outcome = step(sit).after(reasons)
        if outcome.plan is not None:
            return outcome
        reasons = outcome.reasons
    return Outcome(reasons)
