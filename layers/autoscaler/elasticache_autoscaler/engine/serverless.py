"""The rules for a Serverless cache: move its CacheUsageLimits maximums ahead of the load, within a budget.

Pure: ``(cache, metrics, policy, guards, now) -> ServerlessDecision``; no I/O, no clock.

ElastiCache Serverless scales itself; what the autoscaler manages is the cap the owner set on it. A cache at
its ``DataStorage`` maximum evicts TTL'd keys and then refuses writes; at its ``ECPUPerSecond`` maximum it
throttles (``ThrottledCmds``). So, per limit, from the cache's own metrics:

- raise a maximum once usage reaches ``raiseAtPercent`` of it (or, for ECPUs, anything was throttled), to
  peak x (1 + headroom), never above the policy's bound, and only as far as ``budgetUsdPerMonth`` allows
  for the ceiling (the cost of both maximums used all month; storage is fitted first: a full cache fails
  writes, a throttled command is retried by its client);
- lower a maximum once usage stayed under ``lowerBelowPercent`` of it for the whole stabilization window
  (missing data never lowers), to peak x (1 + headroom), never below the policy's floor nor the minimum;
- a limit without a maximum is left alone (nothing caps it, nothing to move).

Between the raise and the lowering, the minimums ``baseMinimums`` names: the policy's ``schedules``
(``engine.serverless_schedules``) hold a window's minimums from ``prewarmLeadSeconds`` before it starts
until it ends (``set_minimums``, pre-warm, ``drivenBy`` = ``schedule:<name>``), and with
``forecast.loadHistory`` a confident forecast holds its peak's from ``prewarmLeadSeconds`` ahead until the
peak has passed (``engine.serverless_forecast``, ``drivenBy`` = ``forecast``); the larger wins, then the
minimums go back to ``baseMinimums`` (the release, driven by the schedule whose minimums the cache held, or
by the forecast; with the forecast on, never below current usage). A raised minimum is billed used or not:
the reasons state the floor before and after, and a pre-warm whose ceiling or floor would exceed the budget
is blocked.

``set_minimums``: the explicit pre-warm (or its release): new minimums take up to an hour to apply.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from math import ceil

from elasticache_autoscaler.engine.guards import kind_standing_guard
from elasticache_autoscaler.engine.serverless_costs import (
    HOURS_PER_MONTH,
    PRICES,
    ceiling_per_hour,
    describe_cost,
    floor_per_hour,
)
from elasticache_autoscaler.engine.serverless_forecast import (
    ForecastFloor,
    forecast_minimums,
)
from elasticache_autoscaler.engine.serverless_schedules import releasing_schedule, scheduled_minimums
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.foresight import (
    DRIVEN_BY_FORECAST,
    SCHEDULE_PREFIX,
    ForecastNote,
    driven_by_schedule,
)
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_metrics import ServerlessMetrics
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits
from elasticache_autoscaler.models.snapshot import Guards

BYTES_PER_GB = 1_000_000_000
"""DataStorage is in GB; decimal GB counts more GB for the same bytes than GiB would: the safe side."""


@dataclass(frozen=True, slots=True)
class Usage:
    storage_gb: float | None
    ecpu_per_second: float | None
    throttled: float


def usage(metrics: ServerlessMetrics, periods: int) -> Usage:
    """Peaks over the last ``periods`` periods (None: no datapoint) and the throttled commands in them."""
    stored = metrics.bytes_used[-periods:]
    ecpu = metrics.ecpu[-periods:]
    return Usage(
        storage_gb=max(stored) / BYTES_PER_GB if stored else None,
        ecpu_per_second=max(ecpu) / metrics.period_seconds if ecpu else None,
        throttled=sum(metrics.throttled_cmds[-periods:]),
    )


def _periods(seconds: int, metrics: ServerlessMetrics) -> int:
    return max(1, ceil(seconds / metrics.period_seconds))


def _grown(peak: float, policy: ServerlessPolicy) -> int:
    return ceil(round(peak * (1 + policy.headroom_percent / 100), 6))


def _decision(
    cache: ServerlessCache,
    action: ServerlessAction,
    target: UsageLimits,
    *,
    reasons: list[str],
    policy: ServerlessPolicy,
    seen: Usage | None = None,
    blocked: Blocked | None = None,
) -> ServerlessDecision:
    before, after = ceiling_per_hour(cache.engine, cache.limits), ceiling_per_hour(cache.engine, target)
    floor_before, floor_after = (
        floor_per_hour(cache.engine, cache.limits),
        floor_per_hour(cache.engine, target),
    )
    if target != cache.limits:
        reasons.append(
            f"cost: ceiling {describe_cost(before)} -> {describe_cost(after)}; floor "
            f"{describe_cost(floor_before)} -> {describe_cost(floor_after)}"
        )
    signals = (
        {}
        if seen is None
        else {
            "dataStorageGb": seen.storage_gb,
            "ecpuPerSecond": seen.ecpu_per_second,
            "throttledCmds": seen.throttled,
        }
    )
    return ServerlessDecision(
        action=action,
        current=cache.limits,
        target=target,
        reasons=tuple(reasons),
        blocked_by=blocked,
        signals=signals,
        ceiling_per_hour_before=before,
        ceiling_per_hour_after=after,
        floor_per_hour_before=floor_before,
        floor_per_hour_after=floor_after,
        dry_run=policy.mode == "observe",
    )


def _standing(
    cache: ServerlessCache, policy: ServerlessPolicy, guards: Guards
) -> tuple[list[str], ServerlessDecision | None]:
    """The standing guards (paused, breaker, quiescence): the reasons so far, and the decision that
    changes nothing when one of them blocks (else None)."""
    guard = kind_standing_guard(guards, cache.not_quiescent_because(), policy.circuit_breaker_failures)
    reasons = [guard.reason]
    if guard.blocked_by is None:
        return reasons, None
    blocked = _decision(
        cache, ServerlessAction.NONE, cache.limits, reasons=reasons, policy=policy, blocked=guard.blocked_by
    )
    return reasons, blocked


def _raise_storage(
    cache: ServerlessCache, seen: Usage, policy: ServerlessPolicy, reasons: list[str]
) -> int | None:
    maximum = cache.limits.data_storage_max_gb
    if maximum is None or seen.storage_gb is None:
        reasons.append("data storage: no maximum or no datapoint: nothing to raise")
        return None
    share = 100 * seen.storage_gb / maximum
    if share < policy.raise_at_percent:
        reasons.append(
            f"data storage: {seen.storage_gb:.2f} of {maximum} GB ({share:.0f}%), under raiseAtPercent"
        )
        return None
    wanted = min(max(_grown(seen.storage_gb, policy), maximum + 1), policy.max_data_storage_gb)
    reasons.append(
        f"data storage: {seen.storage_gb:.2f} of {maximum} GB ({share:.0f}%) >= "
        f"{policy.raise_at_percent:g}%: maximum -> {wanted} GB (x {1 + policy.headroom_percent / 100:g}, "
        f"maxDataStorageGb {policy.max_data_storage_gb})"
    )
    return wanted


def _raise_ecpu(
    cache: ServerlessCache, seen: Usage, policy: ServerlessPolicy, reasons: list[str]
) -> int | None:
    maximum = cache.limits.ecpu_per_second_max
    if maximum is None or seen.ecpu_per_second is None:
        reasons.append("ECPU/s: no maximum or no datapoint: nothing to raise")
        return None
    share = 100 * seen.ecpu_per_second / maximum
    if share < policy.raise_at_percent and seen.throttled == 0:
        reasons.append(f"ECPU/s: {seen.ecpu_per_second:.0f} of {maximum} ({share:.0f}%), none throttled")
        return None
    # Throttled: the demand was above what the maximum let through, so the maximum is the floor of the peak.
    base = max(seen.ecpu_per_second, maximum) if seen.throttled else seen.ecpu_per_second
    wanted = min(max(_grown(base, policy), maximum + 1), policy.max_ecpu_per_second)
    reasons.append(
        f"ECPU/s: {seen.ecpu_per_second:.0f} of {maximum} ({share:.0f}%), {seen.throttled:g} throttled: "
        f"maximum -> {wanted} (x {1 + policy.headroom_percent / 100:g}, maxEcpuPerSecond "
        f"{policy.max_ecpu_per_second})"
    )
    return wanted


def _within_budget(
    cache: ServerlessCache, target: UsageLimits, policy: ServerlessPolicy, reasons: list[str]
) -> UsageLimits:
    """``target`` with its raised maximums cut back to what ``budgetUsdPerMonth`` allows (storage first)."""
    budget = policy.budget_usd_per_month
    current = cache.limits
    if budget is None or target.data_storage_max_gb is None or target.ecpu_per_second_max is None:
        return target
    price, per_hour = PRICES[cache.engine], budget / HOURS_PER_MONTH
    storage, ecpu = target.data_storage_max_gb, target.ecpu_per_second_max
    if storage > (current.data_storage_max_gb or 0):
        spare = per_hour - price.ecpu_per_hour(current.ecpu_per_second_max or 0)
        storage = max(min(storage, price.affordable_gb(spare)), current.data_storage_max_gb or 0)
    if ecpu > (current.ecpu_per_second_max or 0):
        spare = per_hour - price.storage_per_hour(storage)
        ecpu = max(min(ecpu, price.affordable_ecpu_per_second(spare)), current.ecpu_per_second_max or 0)
    fitted = target.model_copy(update={"data_storage_max_gb": storage, "ecpu_per_second_max": ecpu})
    if fitted != target:
        reasons.append(
            f"budget: ${budget:g}/month caps the maximums at {storage} GB and {ecpu} ECPU/s "
            f"(wanted {target.data_storage_max_gb} GB, {target.ecpu_per_second_max} ECPU/s)"
        )
    return fitted


def _lowered(
    cache: ServerlessCache, seen: Usage, policy: ServerlessPolicy, reasons: list[str]
) -> UsageLimits:
    limits = cache.limits
    update: dict[str, int] = {}
    storage_max, ecpu_max = limits.data_storage_max_gb, limits.ecpu_per_second_max
    below = policy.lower_below_percent
    storage_floor = max(policy.min_data_storage_gb, limits.data_storage_min_gb or 0)
    lower = _lower_to(seen.storage_gb, storage_max, storage_floor, policy)
    if lower is not None:
        update["data_storage_max_gb"] = lower
        reasons.append(
            f"data storage: peak {seen.storage_gb:.2f} GB < {below:g}% of {storage_max}: -> {lower} GB"
        )
    ecpu_floor = max(policy.min_ecpu_per_second, limits.ecpu_per_second_min or 0)
    lower = _lower_to(seen.ecpu_per_second, ecpu_max, ecpu_floor, policy)
    if lower is not None:
        update["ecpu_per_second_max"] = lower
        reasons.append(f"ECPU/s: peak {seen.ecpu_per_second:.0f} < {below:g}% of {ecpu_max}: -> {lower}")
    if not update:
        reasons.append(f"lower: no maximum used under {below:g}% for the whole window")
    return limits.model_copy(update=update)


def _lower_to(peak: float | None, maximum: int | None, floor: int, policy: ServerlessPolicy) -> int | None:
    """One maximum lowered, once its peak stayed under ``lowerBelowPercent`` of it: to peak x (1 + headroom),
    never below ``floor``; None when it stays (no maximum, no datapoint, used, or nothing lower)."""
    if maximum is None or peak is None or peak >= maximum * policy.lower_below_percent / 100:
        return None
    lower = max(_grown(peak, policy), floor)
    return lower if lower < maximum else None


def _at_least(
    scheduled: tuple[int | None, str | None], floor: ForecastFloor
) -> tuple[tuple[int | None, str | None], str | None]:
    """One managed minimum: the schedules' (value, schedule) raised to the forecast's floor, and the
    ``drivenBy`` of what asks for it (None: the base, or only current usage)."""
    value, name = scheduled
    if value is None:
        return scheduled, None
    if floor.value > value:
        return (floor.value, None), DRIVEN_BY_FORECAST if floor.by_forecast else None
    return scheduled, None if name is None else driven_by_schedule(name)


def _minimums(
    cache: ServerlessCache,
    policy: ServerlessPolicy,
    reasons: list[str],
    seen: Usage,
    *,
    history: LoadHistory | None,
    now: datetime,
) -> tuple[ServerlessDecision | None, ForecastNote | None]:
    """The minimums the schedules and the forecast hold now, when the cache has others: pre-warm or
    release; else None. With what the forecast saw, for the decision's record."""
    base = policy.base_minimums
    if base.data_storage_gb is None and base.ecpu_per_second is None:
        return None, None  # no minimum managed: the owner's stay
    scheduled = scheduled_minimums(policy, now)
    reasons.extend(hold.describe(now, policy.prewarm_lead_seconds) for hold in scheduled.holds)
    limits = cache.limits
    ahead = forecast_minimums(
        policy,
        limits,
        storage_gb=seen.storage_gb,
        ecpu_per_second=seen.ecpu_per_second,
        history=history,
        now=now,
    )
    reasons.extend(ahead.reasons)
    storage, storage_by = _at_least(scheduled.data_storage_gb, ahead.data_storage_gb)
    ecpu, ecpu_by = _at_least(scheduled.ecpu_per_second, ahead.ecpu_per_second)
    wanted = replace(scheduled, data_storage_gb=storage, ecpu_per_second=ecpu)
    target = wanted.applied_to(limits)
    if target == limits:
        reasons.append(f"minimums: as the schedules want them, and the forecast ({limits.describe()})")
        return None, ahead.note
    askers = sorted({by for by in (storage_by, ecpu_by) if by is not None})
    raising = floor_per_hour(cache.engine, target) > floor_per_hour(cache.engine, limits)
    blocked = _minimums_out_of_bounds(cache, target, policy) if raising else None
    driver: str | None
    if askers:
        driver = DRIVEN_BY_FORECAST if DRIVEN_BY_FORECAST in askers else askers[0]
        held_by = ", ".join(a.removeprefix(SCHEDULE_PREFIX) for a in askers)
        reasons.append(f"minimums: {limits.describe()} -> {target.describe()} (held by {held_by})")
    else:
        releasing = releasing_schedule(policy, limits)
        driver = (
            driven_by_schedule(releasing)
            if releasing is not None
            else (DRIVEN_BY_FORECAST if ahead.foresaw else None)
        )
        reasons.append(
            f"minimums: no schedule window nor forecast peak holds now: back to baseMinimums "
            f"({base.describe()}): {limits.describe()} -> {target.describe()}"
        )
    decision = _decision(
        cache,
        ServerlessAction.SET_MINIMUMS,
        target,
        reasons=reasons,
        policy=policy,
        seen=seen,
        blocked=blocked,
    )
    return decision.model_copy(update={"driven_by": driver}), ahead.note


def decide_serverless(
    cache: ServerlessCache,
    metrics: ServerlessMetrics,
    policy: ServerlessPolicy,
    *,
    guards: Guards,
    now: datetime,
    history: LoadHistory | None = None,
) -> ServerlessDecision:
    reasons, standing = _standing(cache, policy, guards)
    if standing is not None:
        return standing
    seen = usage(metrics, _periods(policy.scale_out_evaluation_seconds, metrics))
    storage = _raise_storage(cache, seen, policy, reasons)
    ecpu = _raise_ecpu(cache, seen, policy, reasons)
    if storage is not None or ecpu is not None:
        wanted = cache.limits.model_copy(
            update={
                "data_storage_max_gb": storage or cache.limits.data_storage_max_gb,
                "ecpu_per_second_max": ecpu or cache.limits.ecpu_per_second_max,
            }
        )
        target = _within_budget(cache, wanted, policy, reasons)
        blocked = None
        if target == cache.limits:
            blocked = BlockedBy.AT_BOUNDS.because(reasons[-1])
        return _decision(
            cache,
            ServerlessAction.RAISE_LIMITS,
            target,
            reasons=reasons,
            policy=policy,
            seen=seen,
            blocked=blocked,
        )
    minimums, note = _minimums(cache, policy, reasons, seen, history=history, now=now)
    return (minimums or _lowering(cache, metrics, policy, reasons, seen)).model_copy(
        update={"forecast": note}
    )


def _lowering(
    cache: ServerlessCache,
    metrics: ServerlessMetrics,
    policy: ServerlessPolicy,
    reasons: list[str],
    seen: Usage,
) -> ServerlessDecision:
    window = _periods(policy.scale_in_stabilization_seconds, metrics)
    if min(len(metrics.bytes_used), len(metrics.ecpu)) < window or seen.throttled:
        reasons.append(
            "lower: missing data in the stabilization window (never a reason to lower), or throttled"
        )
        return _decision(
            cache, ServerlessAction.NONE, cache.limits, reasons=reasons, policy=policy, seen=seen
        )
    settled = usage(metrics, window)
    target = _lowered(cache, settled, policy, reasons)
    action = ServerlessAction.LOWER_LIMITS if target != cache.limits else ServerlessAction.NONE
    return _decision(cache, action, target, reasons=reasons, policy=policy, seen=settled)


def set_minimums(
    cache: ServerlessCache,
    policy: ServerlessPolicy,
    *,
    ecpu_per_second: int | None,
    data_storage_gb: int | None,
    needed_at: datetime,
    now: datetime,
    guards: Guards,
) -> ServerlessDecision:
    """Pre-warm (raise the minimums) ahead of an expected peak at ``needed_at``, or release (lower them).

    None leaves that minimum as it is. A maximum below its new minimum is raised to it (within the policy's
    bounds). A raised minimum takes up to an hour to apply and is billed from then on, used or not: a
    pre-warm closer to the peak than ``prewarmLeadSeconds`` still goes ahead (better late than never) and
    says so; one whose ceiling would exceed the budget is blocked."""
    reasons, standing = _standing(cache, policy, guards)
    if standing is not None:
        return standing
    limits = cache.limits
    target = limits.with_minimums(data_storage_gb=data_storage_gb, ecpu_per_second=ecpu_per_second)
    reasons.append(f"minimums: {limits.describe()} -> {target.describe()}")
    blocked = _minimums_out_of_bounds(cache, target, policy)
    lead = (needed_at - now).total_seconds()
    raising = floor_per_hour(cache.engine, target) > floor_per_hour(cache.engine, limits)
    if raising and lead < policy.prewarm_lead_seconds:
        reasons.append(
            f"pre-warm: needed in {lead / 60:.0f} min, AWS applies a new minimum within 60 min "
            f"(prewarmLeadSeconds {policy.prewarm_lead_seconds}): it may not be in place in time"
        )
    elif raising:
        reasons.append(f"pre-warm: needed in {lead / 60:.0f} min, within AWS's up-to-an-hour to apply")
    action = ServerlessAction.SET_MINIMUMS if target != limits else ServerlessAction.NONE
    return _decision(cache, action, target, reasons=reasons, policy=policy, blocked=blocked)


def _minimums_out_of_bounds(
    cache: ServerlessCache, target: UsageLimits, policy: ServerlessPolicy
) -> Blocked | None:
    if (target.ecpu_per_second_max or 0) > policy.max_ecpu_per_second:
        return BlockedBy.AT_BOUNDS.because(f"ECPU/s above maxEcpuPerSecond {policy.max_ecpu_per_second}")
    if (target.data_storage_max_gb or 0) > policy.max_data_storage_gb:
        return BlockedBy.AT_BOUNDS.because(
            f"data storage above maxDataStorageGb {policy.max_data_storage_gb}"
        )
    budget = policy.budget_usd_per_month
    ceiling = ceiling_per_hour(cache.engine, target)
    floor = floor_per_hour(cache.engine, target)
    spend = floor if ceiling is None else ceiling
    if budget is not None and spend * HOURS_PER_MONTH > budget:
        return BlockedBy.AT_BOUNDS.because(f"{describe_cost(spend)} exceeds the budget ${budget:g}/month")
    return None


def limits_decision(
    cache: ServerlessCache,
    action: ServerlessAction,
    target: UsageLimits,
    *,
    reasons: list[str],
    policy: ServerlessPolicy,
    blocked: Blocked | None = None,
) -> ServerlessDecision:
    """A decision to move ``cache`` to ``target``, its costs stated (for an operator's request)."""
    return _decision(cache, action, target, reasons=reasons, policy=policy, blocked=blocked)
