"""Scale-in: only with full data over the whole stabilization window, no eviction and no network
allowance exceeded in it, and the signals the change affects low for the whole window.

Each dimension is judged by the signals it affects (removing a replica does not change memory per shard):
- fewer replicas: read CPU and connections per node (and no network allowance exceeded);
- fewer shards: memory, write CPU, read CPU and connections per node;
- a smaller node type: all of them.
"Low" = below target x ``scaleInFactor`` at every minute of the window, on every shard. Then each of fewer
replicas (never below the Multi-AZ floor), fewer shards (cluster mode enabled) and a cheaper node type that
keeps projected utilisation under target and clears the gate below is a candidate; the one that leaves the
cheapest group wins (that order on a tie: ``_cheapest``). Projections use the maxima over the lookback
(``scaleInGate.lookbackSeconds``: the hottest shard, the busiest minute), raised to where a rising signal
is heading (see ``signals``) and never below the scale-out view, so a scale-in cannot trigger an immediate
scale-out: the scale-in target is never below the recommendation of any minute of the lookback (HPA's
scale-down stabilisation, on the recommendation, not only on the signal).

A planned scale-in then passes the gate of ``_worth_it`` (``scaleInGate``): the load that recurs at this
time of day (a scale-out decided 1 or 7 days ago soon after this hour, from the decision history) and the
savings before that next likely scale-out against the disruption a scale-in and its re-add cost.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from elasticache_autoscaler.catalog import NodeType
from elasticache_autoscaler.engine.costs import capacity_cost
from elasticache_autoscaler.engine.guards import seconds_since_scale_in, seconds_since_topology_change
from elasticache_autoscaler.engine.node_type_choice import choose_smaller, compute
from elasticache_autoscaler.engine.outcome import Plan, RuleOutcome
from elasticache_autoscaler.engine.schedules import covers
from elasticache_autoscaler.engine.signals import SCALE_IN_HORIZON_MINUTES, target_of
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
    # Strictly more than the window: a scale-in exactly 30 min after a change would still undo it "within
    # 30 minutes" (the reversal the simulator counts).
    if since is not None and since <= stabilization:
        return (
            f"scale-in: last topology change {since / 60:.0f} min ago, inside the "
            f"{stabilization / 60:.0f} min stabilization window"
        )
    # After a scale-in the whole lookback must be measured on today's topology: a burst seen on more nodes
    # than now reads lower per node than it would now. (Data from before a scale-out reads higher: the safe
    # side, so the stabilization window is enough there.)
    lookback = policy.scale_in_gate.lookback_seconds
    since_in = seconds_since_scale_in(sit.history, sit.now)
    if since_in is not None and since_in <= lookback:
        return (
            f"scale-in: last scale-in {since_in / 60:.0f} min ago, inside the {lookback / 60:.0f} min "
            "lookback, which must be measured on the topology it left"
        )
    if not window.complete:
        shown = "; ".join(window.missing[:3]) + ("; ..." if len(window.missing) > 3 else "")
        return f"scale-in: missing data over the {stabilization / 60:.0f} min window ({shown})"
    return None


def _peak(window: float | None, ahead: float | None) -> float | None:
    """The value a scale-in is judged on: the window's peak, never below the scale-out (trend) view."""
    if window is None:
        return ahead
    return window if ahead is None else max(window, ahead)


@dataclass(frozen=True, slots=True)
class Peaks:
    memory: float | None
    write_cpu: float | None
    read_cpu: float | None
    connections: float | None

    @classmethod
    def of(cls, sit: Situation) -> "Peaks":
        """The gate: every signal a change affects must be low at every minute of the window."""
        window, signals = sit.window, sit.signals
        return cls(
            memory=_peak(window.memory_max_percent, signals.memory_ahead_percent),
            write_cpu=_peak(window.write_cpu_max_percent, signals.write_cpu_ahead_percent),
            read_cpu=_peak(window.read_cpu_max_percent, signals.read_cpu_ahead_percent),
            connections=_peak(window.connections_max_per_node, signals.connections_ahead_per_node),
        )


Signal = Literal["memory", "write CPU", "read CPU", "connections"]
REPLICA_SIGNALS: tuple[Signal, ...] = ("read CPU", "connections")
SHARD_SIGNALS: tuple[Signal, ...] = ("memory", "write CPU", "read CPU", "connections")
NODE_SIGNALS: tuple[Signal, ...] = SHARD_SIGNALS


def _still_busy(sit: Situation, signals: tuple[Signal, ...]) -> list[str]:
    """Those of ``signals`` that are not below their scale-in threshold over the window."""
    factor, peaks = sit.policy.scale_in_factor, Peaks.of(sit)
    values: dict[Signal, float | None] = {
        "memory": peaks.memory,
        "write CPU": peaks.write_cpu,
        "read CPU": peaks.read_cpu,
        "connections": peaks.connections,
    }
    busy = [
        f"{name} peak {value:.1f} not below {target * factor:.1f}"
        for name in signals
        for value, target in ((values[name], target_of(sit.policy, name)),)
        if value is not None and value >= target * factor
    ]
    rising = sit.window.rising
    horizon = SCALE_IN_HORIZON_MINUTES
    busy += [
        f"{name} rising (+{rising[name]:.1f} expected in {horizon:.0f} min)"
        for name in signals
        if name in rising
    ]
    return busy


def _unsafe(sit: Situation) -> list[str]:
    """What stops every scale-in: evictions or an exceeded network allowance inside the window."""
    window = sit.window
    unsafe = []
    if window.evictions:
        unsafe.append(f"{window.evictions:.0f} evictions")
    if window.network_allowance_exceeded:
        unsafe.append(f"network allowance exceeded {window.network_allowance_exceeded:.0f} time(s)")
    return unsafe


def _busy_reason(what: str, busy: list[str]) -> RuleOutcome:
    return RuleOutcome((f"{what}: not every signal it affects is low ({'; '.join(busy)})",))


def _under(value: float | None, target: float) -> bool:
    return value is None or value < target


# A scale-in plans a node's traffic to at most this share of its type's baseline bandwidth (above the baseline
# ElastiCache shapes packets: NetworkBandwidthIn/OutAllowanceExceeded).
NETWORK_HEADROOM = 0.8


def _network_fits(gbps: float | None, grow: float, baseline_gbps: float) -> bool:
    """Whether a node whose traffic is ``gbps`` today stays within the headroom after growing ``grow``x."""
    return gbps is None or gbps * grow <= NETWORK_HEADROOM * baseline_gbps


def _fewer_replicas(sit: Situation) -> RuleOutcome:
    current, targets = sit.current, sit.policy.targets
    replicas = current.replicas_per_shard
    floor = sit.replica_floor
    if replicas <= floor:
        return RuleOutcome((f"replicas: {replicas} per shard, at the {sit.replica_floor_reason()}",))
    busy = _still_busy(sit, REPLICA_SIGNALS)
    if busy:
        return _busy_reason("replicas", busy)
    peaks, window = Peaks.of(sit), sit.window
    baseline = sit.node.network_baseline_gbps if sit.node else float("inf")

    def fits(count: int) -> bool:
        if count == 0:
            reads = (peaks.write_cpu or 0.0) + (peaks.read_cpu or 0.0)
            read_ok = reads < targets.write_cpu_percent
        else:
            read = peaks.read_cpu
            read_ok = _under(None if read is None else read * replicas / count, targets.read_cpu_percent)
        connections = peaks.connections
        projected = None if connections is None else connections * (replicas + 1) / (count + 1)
        # the reads of the removed replicas move to the others (or, with none left, to the primary)
        network = window.network_replica_gbps
        network_ok = _network_fits(network, replicas / count if count else replicas, baseline)
        return read_ok and _under(projected, targets.connections_per_node) and network_ok

    count = scale_in_count(replicas, lower=floor, max_step=sit.policy.max_step.replicas, fits=fits)
    if count is None:
        return RuleOutcome(
            ("replicas: removing one would push read CPU, connections or network over target",)
        )
    return RuleOutcome(
        (f"replicas: {replicas} -> {count} per shard keeps read CPU, connections and network under target",),
        Plan(Action.REMOVE_REPLICAS, current.model_copy(update={"replicas_per_shard": count})),
    )


def _fewer_shards(sit: Situation) -> RuleOutcome:
    current, window, policy = sit.current, sit.window, sit.policy
    if not sit.topology.cluster_mode_enabled:
        return RuleOutcome(("shards: cluster mode disabled, one shard",))
    shards = current.shards
    if shards <= sit.shard_floor:
        return RuleOutcome((f"shards: {sit.shard_floor_reason()}",))
    busy = _still_busy(sit, SHARD_SIGNALS)
    if busy:
        return _busy_reason("shards", busy)
    targets, peaks = policy.targets, Peaks.of(sit)

    baseline = sit.node.network_baseline_gbps if sit.node else float("inf")

    def fits(count: int) -> bool:
        grow = shards / count
        return all(
            _under(None if value is None else value * grow, target)
            for value, target in (
                (peaks.memory, targets.memory_percent),
                (peaks.write_cpu, targets.write_cpu_percent),
                (peaks.read_cpu, targets.read_cpu_percent),
                (peaks.connections, float(targets.connections_per_node)),
            )
        ) and all(
            _network_fits(gbps, grow, baseline)
            for gbps in (window.network_primary_gbps, window.network_replica_gbps)
        )

    count = scale_in_count(shards, lower=sit.shard_floor, max_step=policy.max_step.shards, fits=fits)
    if count is None:
        return RuleOutcome(
            ("shards: removing one would push memory, CPU, connections or network of the rest over target",)
        )
    remove = window.lowest_memory_shards[: shards - count]
    return RuleOutcome(
        (
            f"shards: {shards} -> {count} (removing the emptiest: {', '.join(remove)}) keeps memory and CPU "
            "under target",
        ),
        Plan(Action.REMOVE_SHARDS, current.model_copy(update={"shards": count}), shards_to_remove=remove),
    )


def _smaller_node(sit: Situation) -> RuleOutcome:
    current, targets = sit.current, sit.policy.targets
    node = sit.node
    if node is None:
        return RuleOutcome((f"node type: {current.node_type} is not in the node type catalog",))
    busy = _still_busy(sit, NODE_SIGNALS)
    if busy:
        return _busy_reason("node type", busy)
    peaks = Peaks.of(sit)

    held = sit.floor.node_type

    def fits(candidate: NodeType) -> bool:
        if held is not None and not covers(candidate, held[0]):
            return False
        memory = (
            None if peaks.memory is None else (peaks.memory * node.maxmemory_gib / candidate.maxmemory_gib)
        )
        shrink = compute(node) / compute(candidate)
        return (
            _under(memory, targets.memory_percent)
            and _under(
                None if peaks.write_cpu is None else peaks.write_cpu * shrink, targets.write_cpu_percent
            )
            and _under(None if peaks.read_cpu is None else peaks.read_cpu * shrink, targets.read_cpu_percent)
            and _network_allows(candidate)
        )

    def _network_allows(candidate: NodeType) -> bool:
        primary, replica = sit.window.network_primary_gbps, sit.window.network_replica_gbps
        if primary is None:  # no traffic data: never less bandwidth than today's
            return candidate.network_baseline_gbps >= node.network_baseline_gbps
        return all(_network_fits(gbps, 1.0, candidate.network_baseline_gbps) for gbps in (primary, replica))

    choice = choose_smaller(node, sit.topology.allowed_scale_down, sit.policy, sit.topology.engine, fits)
    if choice.node is None:
        if held is not None:
            return RuleOutcome((f"{choice.reason} (schedule {held[1]} holds at least {held[0].name})",))
        return RuleOutcome((choice.reason,))
    return RuleOutcome(
        (f"scale down {current.node_type} -> {choice.node.name} ({choice.reason})",),
        Plan(Action.SCALE_DOWN, current.model_copy(update={"node_type": choice.node.name})),
    )


# Minutes from a scale-in's call until its re-add would serve again: the removal plus the re-add
# (data/elasticache_scaling_durations.csv: replicas 5 + 10; a reshard ~6 + data moved, taken as 15 each way;
# a node type change 20 each way).
REMOVE_AND_READD_MINUTES = {Action.REMOVE_REPLICAS: 15, Action.REMOVE_SHARDS: 30, Action.SCALE_DOWN: 40}
REVERSAL_MINUTES = 30


def next_scale_out_minutes(sit: Situation) -> tuple[float, int] | None:
    """Minutes until the next likely scale-out and how many days ago it recurs from, or None: the earliest
    scale-out decided within the savings horizon after this time of day, ``recurrenceDays`` ago (history)."""
    gate = sit.policy.scale_in_gate
    horizon = timedelta(seconds=gate.savings_horizon_seconds)
    best: tuple[float, int] | None = None
    for days in gate.recurrence_days:
        then = sit.now - timedelta(days=days)
        for past in sit.history:
            if not (past.action.is_scale_out and past.may_have_changed_cluster):
                continue
            if then <= past.decided_at < min(then + horizon, sit.now):
                minutes = (past.decided_at - then).total_seconds() / 60
                if best is None or minutes < best[0]:
                    best = (minutes, days)
    return best


def _worth_it(sit: Situation, outcome: RuleOutcome) -> RuleOutcome:
    """The savings-versus-disruption gate on a planned scale-in (``scaleInGate``, docs/decisions.md)."""
    plan = outcome.plan
    if plan is None:
        return outcome
    gate, engine = sit.policy.scale_in_gate, sit.topology.engine
    lead = REMOVE_AND_READD_MINUTES.get(plan.action, 40)
    recurs = next_scale_out_minutes(sit)
    horizon = gate.savings_horizon_seconds / 60
    if recurs is not None and recurs[0] <= lead + REVERSAL_MINUTES:
        minutes, days = recurs
        return RuleOutcome(
            (
                *outcome.reasons,
                f"scale-in gate: the load recurs: {days} day(s) ago a scale-out came {minutes:.0f} min after "
                f"this time of day, within the {lead} min a removal and its re-add take + "
                f"{REVERSAL_MINUTES} min",
            )
        )
    before, after = capacity_cost(engine, sit.current), capacity_cost(engine, plan.target)
    if before is None or after is None:
        return outcome  # no price: the bounds and projections alone decide, as before
    until = horizon if recurs is None else recurs[0]
    saving = (before - after) * max(until - lead, 0.0) / 60
    seen = "nothing recurs"
    if recurs is not None:
        seen = f"{recurs[1]} day(s) ago a scale-out came {until:.0f} min later"
    summary = (
        f"saves {saving:.2f} $ over {until:.0f} min ({seen}; {before - after:.3f} $/h, the first {lead} min "
        f"not counted) against a disruption cost of {gate.disruption_cost_usd:.2f} $"
    )
    if saving <= gate.disruption_cost_usd:
        return RuleOutcome((*outcome.reasons, f"scale-in gate: not worth it: {summary}"))
    return RuleOutcome(
        (*outcome.reasons, f"scale-in gate: worth it: {summary}"), outcome.plan, outcome.refusal
    )


def _cheapest(sit: Situation, plans: list[Plan]) -> tuple[Plan | None, str]:
    """Of the scale-ins that clear every check, the one that leaves the cheapest group, and why; on a tie
    or an unknown price the first in order (replicas, shards, node type). A node type is the whole group's:
    after a hot shard's episode a smaller type saves more per hour than a shard, and removing shards can
    save more than removing replicas; the next scale-in is a lookback away, so the first one counts."""
    if len(plans) < 2:
        return (plans[0] if plans else None), ""
    engine = sit.topology.engine
    costs = [capacity_cost(engine, plan.target) for plan in plans]
    if any(cost is None for cost in costs):
        return plans[0], ""
    priced = [(cost or 0.0, index) for index, cost in enumerate(costs)]
    best = plans[min(priced)[1]]
    left = ", ".join(
        f"{plan.action.value} {cost:.3f} $/h" for plan, (cost, _) in zip(plans, priced, strict=True)
    )
    return best, f"scale-in: the cheapest group left wins: {best.action.value} ({left})"


def scale_in(sit: Situation) -> RuleOutcome:
    not_ready = _not_ready(sit)
    if not_ready is not None:
        return RuleOutcome((not_ready,))
    unsafe = _unsafe(sit)
    if unsafe:
        return RuleOutcome((f"scale-in: not safe ({'; '.join(unsafe)})",))
    reasons: tuple[str, ...] = (
        f"scale-in: full data, no eviction nor network allowance exceeded over the window; each change "
        f"needs the signals it affects below target x {sit.policy.scale_in_factor}",
    )
    plans: list[Plan] = []
    for step in (_fewer_replicas, _fewer_shards, _smaller_node):
        outcome = _worth_it(sit, step(sit))
        reasons += outcome.reasons
        if outcome.plan is not None:
            plans.append(outcome.plan)
    chosen, why = _cheapest(sit, plans)
    return RuleOutcome((*reasons, why) if why else reasons, chosen)
