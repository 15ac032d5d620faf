"""Record: move a decision to its outcome, or record a failure (creating a record when none exists yet)."""

from datetime import datetime, timedelta

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort, StaleStatusError
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.record import DecisionRecord, Outcome, RecordKey
from elasticache_autoscaler.models.workflow import FailureRequest, OutcomeRequest
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.timestamps import decision_time, iso

MAX_ERROR_TEXT = 1000


def record_outcome(request: OutcomeRequest, log: DecisionLogPort, now: datetime) -> RecordKey:
    started = request.started_at
    outcome = Outcome(
        status=request.status,
        reason=request.reason,
        started_at=iso(started) if started else None,
        finished_at=iso(now),
        duration_seconds=round((now - started).total_seconds(), 3) if started else None,
    )
    _advance(log, request.record, outcome)
    return request.record


def record_failure(
    request: FailureRequest, log: DecisionLogPort, state: StatePort, now: datetime, retention_days: int
) -> RecordKey | None:
    """Mark the execution's decision failed, or write a failed record if it failed before deciding; then
    release the lock if this execution holds it. The error text is the exception's message: no secrets."""
    error = request.state.error
    text = f"{error.error}: {error.cause}"[:MAX_ERROR_TEXT] if error else "failed"
    cluster = request.input.cluster
    if cluster is None:
        logger.warning("failure before the cluster was known: nothing to record", error=text)
        return None
    if request.state.decided is not None:
        key = request.state.decided.record
        _advance(log, key, Outcome(status="failed", finished_at=iso(now), error=text))
    else:
        key = RecordKey(
            cluster=cluster, decided_at=decision_time(request.execution.started_at, request.execution.arn)
        )
        if log.get(key) is None:
            trigger = request.state.observed.request.trigger if request.state.observed else "console"
            log.put(
                DecisionRecord(
                    cluster=cluster,
                    decided_at=key.decided_at,
                    action=Action.NONE,
                    current=None,
                    target=None,
                    reasons=(f"the workflow failed before deciding: {text}",),
                    mode="observe",
                    status="failed",
                    trigger=trigger,
                    execution_arn=request.execution.arn,
                    expires_at=int((now + timedelta(days=retention_days)).timestamp()),
                )
            )
    if state.release_lock(cluster, request.execution.arn):
        logger.info("lock released after failure", cluster=cluster)
    return key


def _advance(log: DecisionLogPort, key: RecordKey, outcome: Outcome) -> None:
    try:
        log.advance(key, outcome)
    except StaleStatusError:
        logger.info(
            "record already past this status: a retry", cluster=key.cluster, decided_at=key.decided_at
        )
