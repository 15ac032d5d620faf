"""Settle what an execution left behind when it ended without reaching its own Record/Release states.

An ABORTED (StopExecution) or TIMED_OUT execution never reaches a Catch, and a FAILED one may have failed in
its failure path: its decision record can stay ``planned``/``in_progress`` and its lock held for the lease.
EventBridge delivers "Step Functions Execution Status Change" for the scaling state machine here (at least
once: everything below is idempotent):

* the record moves forward only: ``in_progress`` -> ``failed`` (a change may have been made: it does not
  count toward the circuit breaker, nobody knows that it failed), ``planned`` -> ``skipped`` (nothing was
  done); a record already settled is left as it is;
* the lock, if this execution still holds it, is released only when the group is quiescent; a group still
  modifying keeps it (no other execution may start a change over a running one) until the lease expires
  or an operator runs ``elasticache-autoscaler guards --release-lock`` once the group is quiescent.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field, ValidationError

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort, StaleStatusError
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.record import Outcome, RecordKey
from elasticache_autoscaler.models.request import CLUSTER_ID
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.timestamps import decision_time, iso
from elasticache_autoscaler.workflow import lock_step, outcomes

ENDED = frozenset({"ABORTED", "TIMED_OUT", "FAILED"})


class ExecutionEnded(WireModel):
    """The ``detail`` of a "Step Functions Execution Status Change" event (the fields used here)."""

    model_config = WireModel.model_config | {"extra": "ignore"}

    execution_arn: str
    state_machine_arn: str
    status: str
    start_date: int = Field(description="epoch milliseconds")
    input: str | None = None
    error: str | None = None
    cause: str | None = None


class _Input(WireModel):
    model_config = WireModel.model_config | {"extra": "ignore"}

    cluster: str = Field(pattern=CLUSTER_ID)


@dataclass(frozen=True)
class EndDeps:
    log: DecisionLogPort
    state: StatePort
    elasticache: ElastiCacheGateway


@dataclass(frozen=True)
class Settlement:
    cluster: str | None
    record: Literal["settled", "already settled", "none"] = "none"
    lock: lock_step.AfterExecution = "not held"
    detail: str = ""

    def to_wire(self) -> dict[str, object]:
        return {"cluster": self.cluster, "record": self.record, "lock": self.lock, "detail": self.detail}


def cluster_of(event: ExecutionEnded) -> str | None:
    if not event.input:
        return None
    try:
        return _Input.model_validate(json.loads(event.input)).cluster
    except (ValueError, ValidationError):
        return None


def settle_execution(event: ExecutionEnded, deps: EndDeps, now: datetime) -> Settlement:
    cluster = cluster_of(event)
    if event.status not in ENDED or cluster is None:
        logger.info("nothing to settle", status=event.status, execution=event.execution_arn)
        return Settlement(cluster=cluster, detail=f"status {event.status}")
    started = datetime.fromtimestamp(event.start_date / 1000, UTC)
    key = RecordKey(cluster=cluster, decided_at=decision_time(started, event.execution_arn))
    record_state = _settle_record(deps.log, key, event, now)
    lock_state, detail = lock_step.release_after_execution(
        deps.state, deps.elasticache, cluster, event.execution_arn, now
    )
    logger.info("execution settled", cluster=cluster, record=record_state, lock=lock_state, detail=detail)
    return Settlement(cluster=cluster, record=record_state, lock=lock_state, detail=detail)


def _settle_record(
    log: DecisionLogPort, key: RecordKey, event: ExecutionEnded, now: datetime
) -> Literal["settled", "already settled", "none"]:
    record = log.get(key)
    if record is None or record.get("executionArn") not in (None, event.execution_arn):
        return "none"
    ended = outcomes.ended_without_outcome(record.get("status"), event.status, event.cause or event.error)
    if ended is None:
        return "already settled"
    try:
        log.advance(key, Outcome(status=ended.status, reason=ended.reason, finished_at=iso(now)))
    except StaleStatusError:
        return "already settled"
    return "settled"
