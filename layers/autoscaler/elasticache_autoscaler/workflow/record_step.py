"""Record: move a decision to its outcome, or record a failure (creating a record when none exists yet).
Every outcome and every failure is also a notification; failed actions count toward the circuit breaker.
Outcomes are named by the workflow and mapped to status and reason by ``workflow.outcomes``."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort, StaleStatusError
from elasticache_autoscaler.adapters.notifier import NotifierPort
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_decision import kind_of
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.capacity_timeline import CapacityChange
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.record import Outcome, RecordKey
from elasticache_autoscaler.models.record_request import FailureRequest, OutcomeRequest
from elasticache_autoscaler.observability import count_breaker_opened, count_outcome, logger
from elasticache_autoscaler.timestamps import decision_time, iso
from elasticache_autoscaler.workflow import outcomes

MAX_ERROR_TEXT = 1000


@dataclass(frozen=True)
class RecordDeps:
    log: DecisionLogPort
    state: StatePort
    notifier: NotifierPort
    retention_days: int


def record_outcome(request: OutcomeRequest, deps: RecordDeps, now: datetime) -> RecordKey:
    started = request.started_at
    settled = outcomes.settle(request.outcome, request.detail)
    status, reason = settled.status, settled.reason
    outcome = Outcome(
        status=status,
        reason=reason,
        started_at=iso(started) if started else None,
        finished_at=iso(now),
        duration_seconds=round((now - started).total_seconds(), 3) if started else None,
    )
    _advance(deps.log, request.record, outcome)
    if status == outcomes.SUCCEEDED:
        deps.state.count_success(request.record.cluster)
        _keep_capacity_change(request.record, deps, now)
    action = request.action or "decision"
    count_outcome(request.record.cluster, action, status)
    deps.notifier.notify(
        f"{action} {status} on {request.record.cluster}",
        {
            "cluster": request.record.cluster,
            "action": action,
            "decidedAt": request.record.decided_at,
            **outcome.to_wire(),
        },
    )
    return request.record


def record_failure(request: FailureRequest, deps: RecordDeps, now: datetime) -> RecordKey | None:
    """Mark the execution's decision failed, or write a failed record if it failed before deciding; count a
    failed action toward the circuit breaker unless the change was made (``FailedState.change_happened``);
    notify. The lock is not released here: the workflow's ``ReleaseLockAfterFailure`` state does it
    (workflow.lock_step owns the lock).
    The error text is the exception's message: never a secret."""
    error = request.state.error
    text = f"{error.error}: {error.cause}"[:MAX_ERROR_TEXT] if error else "failed"
    cluster = request.input.cluster
    if cluster is None:
        logger.warning("failure before the cluster was known: nothing to record", error=text)
        return None
    decided = request.state.decided
    if decided is not None:
        key = decided.record
        _advance(deps.log, key, outcomes.failed(now, text))
    else:
        key = _record_early_failure(request, cluster, text, deps, now)
    action = decided.decision.action if decided is not None and decided.decision else Action.NONE.value
    count_outcome(cluster, action, outcomes.FAILED)
    details: dict[str, object] = {
        "cluster": cluster,
        "action": action,
        "status": outcomes.FAILED,
        "decidedAt": key.decided_at,
        "error": text,
    }
    if decided is not None and decided.live and not request.state.change_happened:
        # Only a change that did not happen counts toward the breaker (an abandoned one did not).
        observed = request.state.observed
        breaker_at = observed.policy.circuit_breaker_failures if observed and observed.policy else 3
        guards = deps.state.count_failure(cluster, breaker_at)
        details["consecutiveFailures"] = guards.consecutive_failures
        details["circuitOpen"] = guards.circuit_open
        if guards.circuit_open and guards.consecutive_failures == breaker_at:  # this failure opened it
            count_breaker_opened(cluster)
    deps.notifier.notify(f"autoscaler failed on {cluster}", details)
    return key


def _record_early_failure(
    request: FailureRequest, cluster: str, text: str, deps: RecordDeps, now: datetime
) -> RecordKey:
    key = RecordKey(
        cluster=cluster, decided_at=decision_time(request.execution.started_at, request.execution.arn)
    )
    if deps.log.get(key) is None:
        trigger = request.state.observed.request.trigger if request.state.observed else "console"
        deps.log.put(
            DecisionRecord(
                cluster=cluster,
                decided_at=key.decided_at,
                action=Action.NONE,
                current=None,
                target=None,
                reasons=(f"the workflow failed before deciding: {text}",),
                mode="observe",
                status=outcomes.FAILED,
                trigger=trigger,
                execution_arn=request.execution.arn,
                expires_at=int((now + timedelta(days=deps.retention_days)).timestamp()),
            )
        )
    return key


def _keep_capacity_change(key: RecordKey, deps: RecordDeps, now: datetime) -> None:
    """A replication group's change that succeeded joins its capacity timeline (the forecast reads past load
    against the capacity that served it: ``engine.rescale``); a rotation or another kind's change does not."""
    record = deps.log.get(key)
    if record is None:
        return
    current, target = record.get("current"), record.get("target")
    if not all(isinstance(c, dict) and kind_of(c) == CacheKind.REPLICATION_GROUP for c in (current, target)):
        return
    before, after = Capacity.model_validate(current), Capacity.model_validate(target)
    if before != after:
        # Imported here, not at the top: ``engine.forecast`` loads the whole engine package (its __init__),
        # which no other outcome, no failure and no other kind's change needs (issue 15, cold starts).
        from elasticache_autoscaler.engine.forecast import HISTORY_DAYS  # noqa: PLC0415

        change = CapacityChange(at=now, before=before, after=after)
        deps.state.record_capacity_change(key.cluster, change, keep_since=now - timedelta(days=HISTORY_DAYS))


def _advance(log: DecisionLogPort, key: RecordKey, outcome: Outcome) -> None:
    try:
        log.advance(key, outcome)
    except StaleStatusError:
        logger.info(
            "record already past this status: a retry", cluster=key.cluster, decided_at=key.decided_at
        )
