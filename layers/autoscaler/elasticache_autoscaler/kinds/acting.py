"""Act and Observe for the kinds other than replication groups: the same guards, in the same order, as
``workflow.act_step`` (a replication group's), on the kind's own reading of the cache.

Holding the lock, read the cache once, then: managed tag (no lock taken otherwise), renew the lock, a retry
whose cache is busy waits (GroupBusyError), paused / breaker / quiescence (``kind_standing_guard``),
cooldown over the decision log (this decision excluded, planned ones too), the cache still what the
decision saw (or already at the target). Then ONE call with the absolute target."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticache_autoscaler import concurrent_reads
from elasticache_autoscaler.adapters.change_call import ALREADY_THERE_RESULT
from elasticache_autoscaler.engine.guards import cooldown_guard, kind_standing_guard
from elasticache_autoscaler.errors import ActionFailedError, GroupBusyError
from elasticache_autoscaler.models.act import ActRequest, ActResult, SkipReason
from elasticache_autoscaler.models.any_kind import AnyCapacity, action_of
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.timestamps import iso
from elasticache_autoscaler.workflow import lock_step, outcomes
from elasticache_autoscaler.workflow.act_step import BLOCKED_TO_SKIP, HISTORY_DAYS, ActDeps

KindDecisionValue = MemcachedDecision | ServerlessDecision
KindPolicyValue = MemcachedPolicy | ServerlessPolicy


@dataclass(frozen=True)
class Reading:
    """A cache as Act reads it: capacity, why it is busy (None: quiescent) and its tags."""

    capacity: AnyCapacity
    busy: str | None
    tags: dict[str, str]


def refuse_unless_runnable(decision: KindDecisionValue) -> None:
    if not decision.changes_something:
        raise ActionFailedError(f"decision changes nothing or is blocked: {decision.action.value}")
    if decision.dry_run:
        raise ActionFailedError("decision is a dry run: recorded, never executed")


def act_on_kind(
    request: ActRequest,
    decision: KindDecisionValue,
    policy: KindPolicyValue,
    deps: ActDeps,
    now: datetime,
    *,
    read: Callable[[], Reading],
    call: Callable[[], str],
) -> ActResult:
    refuse_unless_runnable(decision)
    if request.check_only:
        raise ActionFailedError(f"checkOnly is the gate of a rotation, not of {decision.action.value}")
    seen = read()  # the one read of this step
    if seen.tags.get(deps.managed_tag_key) != "true":
        return skip(
            request, now, SkipReason.NOT_MANAGED, f"not tagged {deps.managed_tag_key}=true: not managed"
        )
    lease = max(deps.lease_seconds, policy.action_timeout_seconds)
    holder = lock_step.renew(deps.state, request.cluster, request.owner, now, lease)
    if holder is not None:
        return skip(request, now, SkipReason.LOCK_NOT_HELD, f"lock held by {holder}")
    retry = outcomes.is_started(deps.log.get(request.record))
    if retry and seen.busy is not None:
        raise GroupBusyError(f"{request.cluster}: {seen.busy}")  # maybe our own change: wait, re-read
    refusal = _guard_refusal(request, decision, policy, deps, seen=seen, now=now) or _changed(decision, seen)
    if refusal is not None:
        return skip(request, now, *refusal)
    if not retry:
        deps.log.advance(request.record, outcomes.started(now))
    if seen.capacity == decision.target:
        return ActResult(outcome="already_there", operation=ALREADY_THERE_RESULT, started_at=now)
    operation = call()
    outcome = "already_there" if operation == ALREADY_THERE_RESULT else "called"
    return ActResult(outcome=outcome, operation=operation, started_at=now)


def _guard_refusal(
    request: ActRequest,
    decision: KindDecisionValue,
    policy: KindPolicyValue,
    deps: ActDeps,
    *,
    seen: Reading,
    now: datetime,
) -> tuple[SkipReason, str] | None:
    # The guards (not the lock: renewed just before) and the decision log, read together.
    guards, recent = concurrent_reads.both(
        lambda: deps.state.guards(request.cluster, now, lock=False),
        lambda: deps.log.recent(request.cluster, now - timedelta(days=HISTORY_DAYS)),
    )
    if seen.tags.get(deps.paused_tag_key) == "true":
        guards = guards.model_copy(update={"paused": True})
    history = tuple(
        past
        for past in recent
        if iso(past.decided_at) != request.record.decided_at and past.status != outcomes.PLANNED
    )
    for check in (
        kind_standing_guard(guards, seen.busy, policy.circuit_breaker_failures),
        cooldown_guard(action_of(decision), history, policy, now),
    ):
        if check.blocked_by is not None:
            blocked = check.blocked_by
            return BLOCKED_TO_SKIP.get(blocked.code, SkipReason.NOT_QUIESCENT), blocked.detail
    return None


def _changed(decision: KindDecisionValue, seen: Reading) -> tuple[SkipReason, str] | None:
    if seen.capacity in (decision.current, decision.target):
        return None
    return (
        SkipReason.TOPOLOGY_CHANGED,
        f"the cache is {seen.capacity.describe()}, the decision saw {decision.current.describe()}",
    )


def skip(request: ActRequest, now: datetime, reason: SkipReason, detail: str) -> ActResult:
    text = f"{reason.value}: {detail} (checked at the moment of acting: no call made)"
    logger.info("act skipped", cluster=request.cluster, skip=reason.value, reason=text)
    return ActResult(
        outcome="skipped", operation="none", started_at=now, skipped=True, skip=reason, reason=text
    )
