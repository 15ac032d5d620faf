"""An operator's ``set_limits`` for a Serverless cache: absolute CacheUsageLimits, checked against the
policy's bounds and budget and the same guards as the rules' own decisions. Named by what it does: a
raised maximum is ``raise_limits``, maximums only lowered ``lower_limits``, minimums only ``set_minimums``.
Outside the policy: ``out_of_policy``, target = current, never executed."""

from datetime import datetime

from elasticache_autoscaler.engine.guards import cooldown_guard, kind_standing_guard
from elasticache_autoscaler.engine.serverless import limits_decision
from elasticache_autoscaler.engine.serverless_costs import HOURS_PER_MONTH, ceiling_per_hour, describe_cost
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits
from elasticache_autoscaler.models.snapshot import Guards


def _named(current: UsageLimits, target: UsageLimits) -> ServerlessAction:
    maxes = (
        (current.data_storage_max_gb, target.data_storage_max_gb),
        (current.ecpu_per_second_max, target.ecpu_per_second_max),
    )
    if target == current:
        return ServerlessAction.NONE
    if any(before != after for before, after in maxes):
        raised = any(
            after is None or (before is not None and after > before)
            for before, after in maxes
            if before != after
        )
        return ServerlessAction.RAISE_LIMITS if raised else ServerlessAction.LOWER_LIMITS
    return ServerlessAction.SET_MINIMUMS


def _out_of_policy(cache: ServerlessCache, target: UsageLimits, policy: ServerlessPolicy) -> Blocked | None:
    storage, ecpu = target.data_storage_max_gb, target.ecpu_per_second_max
    problems = []
    if storage is not None and not policy.min_data_storage_gb <= storage <= policy.max_data_storage_gb:
        problems.append(
            f"dataStorageMaxGb {storage} outside {policy.min_data_storage_gb}..{policy.max_data_storage_gb}"
        )
    if ecpu is not None and not policy.min_ecpu_per_second <= ecpu <= policy.max_ecpu_per_second:
        problems.append(
            f"ecpuPerSecondMax {ecpu} outside {policy.min_ecpu_per_second}..{policy.max_ecpu_per_second}"
        )
    for name, low, high in (
        ("dataStorage", target.data_storage_min_gb, storage),
        ("ecpuPerSecond", target.ecpu_per_second_min, ecpu),
    ):
        if low is not None and high is not None and low > high:
            problems.append(f"{name} minimum {low} above its maximum {high}")
    ceiling = ceiling_per_hour(cache.engine, target)
    budget = policy.budget_usd_per_month
    if budget is not None and ceiling is not None and ceiling * HOURS_PER_MONTH > budget:
        problems.append(f"ceiling {describe_cost(ceiling)} exceeds the budget ${budget:g}/month")
    return BlockedBy.OUT_OF_POLICY.because("; ".join(problems)) if problems else None


def serverless_request(
    cache: ServerlessCache,
    policy: ServerlessPolicy,
    limits: dict[str, int],
    *,
    guards: Guards,
    history: History,
    now: datetime,
) -> ServerlessDecision:
    """The decision for ``set_limits``: ``limits`` (snake_case UsageLimits fields) over the current ones."""
    target = cache.limits.model_copy(update=limits)
    action = _named(cache.limits, target)
    guard = kind_standing_guard(guards, cache.not_quiescent_because(), policy.circuit_breaker_failures)
    cooldown = cooldown_guard(Action(action.value), history, policy, now)
    reasons = [
        guard.reason,
        f"operator asked for set_limits: {cache.limits.describe()} -> {target.describe()}",
        cooldown.reason,
    ]
    if action is ServerlessAction.NONE:
        reasons.append("the cache already has these limits: nothing to do")
    blocked = guard.blocked_by or _out_of_policy(cache, target, policy) or cooldown.blocked_by
    decision = limits_decision(
        cache,
        action,
        target if blocked is None else cache.limits,
        reasons=reasons,
        policy=policy,
        blocked=blocked,
    )
    return decision.model_copy(update={"requested_by_operator": True})
