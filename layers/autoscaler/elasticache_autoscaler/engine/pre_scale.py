"""Scale out ahead of load that has not come yet: a scheduled window (``schedules``) or a forecast peak.

Both only ever scale OUT. A schedule's window holds its minimum while active and is scaled out to ahead of
its start by the time the scale-out takes (``engine.durations``); one part per decision, in the order node
type, shards, replicas (an action changes one thing). A forecast re-runs the scale-out rules on the
forecast peak of each signal that starts within the lead time of the action they would take: when a peak
would need more capacity by the time that action could deliver it, the action is taken now.
"""

from dataclasses import replace

from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.engine.durations import dataset_gib, scale_out_minutes
from elasticache_autoscaler.engine.foresight import HORIZON_MINUTES, Foresight
from elasticache_autoscaler.engine.outcome import Plan, RuleOutcome
from elasticache_autoscaler.engine.scale_out import first_feasible
from elasticache_autoscaler.engine.schedules import Hold, covers
from elasticache_autoscaler.engine.signals import target_of
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.foresight import DRIVEN_BY_FORECAST, driven_by_schedule


def _node_part(sit: Situation, due: list[Hold]) -> RuleOutcome | None:
    """A larger node type, to the largest a due schedule holds that the group's type does not cover."""
    wanted = [
        (node, hold.schedule.name)
        for hold in due
        if hold.schedule.min_node_type and (node := catalog().get(hold.schedule.min_node_type)) is not None
    ]
    lacking = [(node, name) for node, name in wanted if not covers(sit.node, node)]
    if not lacking:
        return None
    node, name = max(lacking, key=lambda pair: (pair[0].memory_gib, pair[0].vcpu, pair[0].name))
    current = sit.current
    why = f"schedule {name} holds at least {node.name}"
    listed = sit.topology.allowed_scale_up
    if listed and node.name not in listed:
        detail = f"ElastiCache does not offer {node.name} as a scale-up of {current.node_type}"
        return RuleOutcome(
            (f"{why}: {detail}",),
            Plan(Action.SCALE_UP, current),
            BlockedBy.AT_BOUNDS.because(detail),
            driven_by_schedule(name),
        )
    return RuleOutcome(
        (f"{why} -> scale up {current.node_type} -> {node.name}",),
        Plan(Action.SCALE_UP, current.model_copy(update={"node_type": node.name})),
        driven_by=driven_by_schedule(name),
    )


def _shard_part(sit: Situation, due: list[Hold]) -> RuleOutcome | None:
    current = sit.current
    asked = [(h.schedule.min_shards, h.schedule.name) for h in due if h.schedule.min_shards is not None]
    if not sit.topology.cluster_mode_enabled or not asked:
        return None
    shards, name = max(asked)
    if shards <= current.shards:
        return None
    target = min(shards, sit.policy.max_shards)
    return RuleOutcome(
        (f"schedule {name} holds at least {shards} shards -> add shards {current.shards} -> {target}",),
        Plan(Action.ADD_SHARDS, current.model_copy(update={"shards": target})),
        driven_by=driven_by_schedule(name),
    )


def _replica_part(sit: Situation, due: list[Hold]) -> RuleOutcome | None:
    current = sit.current
    asked = [
        (h.schedule.min_replicas_per_shard, h.schedule.name)
        for h in due
        if h.schedule.min_replicas_per_shard is not None
    ]
    if not asked or max(asked)[0] <= current.replicas_per_shard:
        return None
    replicas, name = max(asked)
    target = min(replicas, sit.max_replicas)
    return RuleOutcome(
        (
            f"schedule {name} holds at least {replicas} replica(s) per shard -> add replicas "
            f"{current.replicas_per_shard} -> {target} per shard",
        ),
        Plan(Action.ADD_REPLICAS, current.model_copy(update={"replicas_per_shard": target})),
        driven_by=driven_by_schedule(name),
    )


def scheduled(sit: Situation) -> RuleOutcome:
    """The first part of the due schedules' minimum the group lacks (node type, shards, replicas), as a
    scale-out straight to it; a part ElastiCache does not offer only wins when no other part can be done."""
    due = [hold for hold in sit.floor.holds if hold.due(sit.now)]
    reasons = tuple(hold.describe(sit.now) for hold in sit.floor.holds)
    if not due:
        return RuleOutcome(reasons)
    parts = [part for part in (_node_part(sit, due), _shard_part(sit, due), _replica_part(sit, due)) if part]
    chosen = next((part for part in parts if part.refusal is None), parts[0] if parts else None)
    if chosen is None:
        return RuleOutcome((*reasons, "schedules: the group already holds every due minimum"))
    return chosen.after(reasons)


def _raised(now: float | None, peak: tuple[float, int] | None) -> float | None:
    if peak is None:
        return now
    return peak[0] if now is None else max(now, peak[0])


def _with_peaks(sit: Situation, peaks: dict[str, tuple[float, int]]) -> Situation:
    """``sit`` with each forecast signal's scale-out view raised to its forecast peak (never lowered)."""
    signals = sit.signals
    return replace(
        sit,
        signals=replace(
            signals,
            memory_ahead_percent=_raised(signals.memory_ahead_percent, peaks.get("memory")),
            write_cpu_ahead_percent=_raised(signals.write_cpu_ahead_percent, peaks.get("write CPU")),
            read_cpu_ahead_percent=_raised(signals.read_cpu_ahead_percent, peaks.get("read CPU")),
            connections_ahead_per_node=_raised(signals.connections_ahead_per_node, peaks.get("connections")),
        ),
    )


def threshold(sit: Situation, signal: str) -> float:
    """Where a signal asks for a scale-out: its target x (1 + tolerance), and for engine CPU at least the
    CPU scale-out floor, as the scale-out rules read it (``scale_out.under_cpu_floor``)."""
    limit = target_of(sit.policy, signal) * (1 + sit.policy.tolerance)
    if signal in ("write CPU", "read CPU"):
        return max(limit, sit.policy.targets.cpu_scale_out_floor_percent)
    return limit


def _peaks_text(sit: Situation, peaks: dict[str, tuple[float, int]], ahead: Foresight) -> str:
    return "; ".join(
        f"{signal} {value:.1f} in {minutes} min (threshold {threshold(sit, signal):.1f}, "
        f"{ahead.forecasts[signal].model}, backtest error ratio {ahead.forecasts[signal].error_ratio:.2f})"
        for signal, (value, minutes) in sorted(peaks.items())
    )


def foreseen(sit: Situation) -> RuleOutcome:
    """A scale-out ahead of a forecast peak, when the action it needs would not serve in time otherwise."""
    ahead = sit.foresight
    if ahead is None and not sit.policy.forecast.load_history:
        return RuleOutcome(("forecast: off (policy forecast.loadHistory is false: no load history read)",))
    if ahead is None:
        return RuleOutcome(("forecast: no load history observed",))
    declined = tuple(f"forecast declined: {signal}: {reason}" for signal, reason in ahead.declined.items())
    if not ahead.forecasts:
        return RuleOutcome(declined or ("forecast: no signal in the load history",))
    horizon = ahead.peaks(HORIZON_MINUTES)
    wanted = first_feasible(_with_peaks(sit, horizon))
    if wanted is None or wanted.plan is None:
        return RuleOutcome(
            (
                *declined,
                f"forecast: no scale-out needed within {HORIZON_MINUTES} min "
                f"({_peaks_text(sit, horizon, ahead)})",
            )
        )
    lead = scale_out_minutes(
        sit.current, wanted.plan.target, dataset_gib(sit.current, sit.signals.memory_max_percent)
    )
    within = ahead.peaks(lead)
    now = first_feasible(_with_peaks(sit, within))
    if now is None or now.plan is None:
        return RuleOutcome(
            (
                *declined,
                f"forecast: {wanted.plan.action.value} will be needed ({_peaks_text(sit, horizon, ahead)}), "
                f"not before the {lead} min it takes: not yet",
            )
        )
    return RuleOutcome(
        (
            *declined,
            f"forecast: pre-scale now, {lead} min ahead of the forecast peak "
            f"({_peaks_text(sit, within, ahead)}): {now.reasons[-1]}",
        ),
        now.plan,
        driven_by=DRIVEN_BY_FORECAST,
    )
