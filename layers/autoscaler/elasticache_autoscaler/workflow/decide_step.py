"""Decide: read the full observation back from the store, run the pure engine on it and write the decision
record, whatever it says. Its output (``$.decided``) carries the decision, never the observation.
Each decision is also counted (metric ``Decisions`` by cluster, action, status) and published as one
EventBridge "Decision Recorded" event for integrations: a failed publish is logged, never a failed step
(the record, the source of truth, is written)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from elasticache_autoscaler.adapters.decision_events import DecisionEventsPort
from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.observation_store import ObservationMismatchError, ObservationStorePort
from elasticache_autoscaler.engine import OperatorRequest, decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_kind import AnyPolicy, DecisionOfAnyKind, action_of
from elasticache_autoscaler.models.decision import BlockedBy, Decision
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.foresight import DRIVEN_BY_FORECAST
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import Mode, RecordKey
from elasticache_autoscaler.models.snapshot import Snapshot
from elasticache_autoscaler.models.workflow import Decided, Observation, ObservationDetail
from elasticache_autoscaler.observability import count_decision, logger
from elasticache_autoscaler.timestamps import decision_time
from elasticache_autoscaler.workflow import outcomes


def _operator_request(observation: Observation) -> OperatorRequest:
    request = observation.request
    return OperatorRequest(
        action=request.action.action or Action.NONE, target=request.target, dry_run=request.dry_run
    )


@dataclass(frozen=True)
class DecideDeps:
    store: ObservationStorePort
    log: DecisionLogPort
    retention_days: int
    events: DecisionEventsPort | None = None


def load_detail(observation: Observation, store: ObservationStorePort) -> ObservationDetail:
    """The full observation Observe stored for this execution and cluster (checked, not trusted)."""
    detail = store.get(observation.stored)
    if detail.execution_arn != observation.execution.arn or detail.cluster != observation.request.cluster:
        raise ObservationMismatchError(
            f"s3://{observation.stored.bucket}/{observation.stored.key} belongs to {detail.cluster!r} "
            f"of {detail.execution_arn}, not to this execution"
        )
    return detail


def decide_step(observation: Observation, deps: DecideDeps, now: datetime) -> Decided:
    detail = load_detail(observation, deps.store)
    return decide_and_record(observation, detail, deps.log, now, deps.retention_days, events=deps.events)


def make_decision(
    observation: Observation, detail: ObservationDetail, now: datetime
) -> tuple[DecisionOfAnyKind, Mode]:
    """The engine's decision (the rules of the cache's kind) and the effective mode: act only when the
    policy says act and the request is not a dry run. A policy that does not validate is a decision that
    changes nothing."""
    from elasticache_autoscaler.kinds.registry import rules_for  # noqa: PLC0415 - kinds import this module

    decision = rules_for(detail.snapshot.kind).decide(observation, detail, now)
    return decision, "observe" if decision.dry_run else "act"


def decide_group(observation: Observation, detail: ObservationDetail, now: datetime) -> Decision:
    """A replication group's decision (the engine's ``decide``)."""
    snapshot, policy = detail.snapshot, observation.policy
    if not isinstance(snapshot, Snapshot) or not isinstance(policy, Policy | None):
        raise TypeError("not a replication group's observation")
    if policy is None:
        current = snapshot.topology.capacity
        decision = Decision(
            action=Action.NONE,
            current=current,
            target=current,
            reasons=(f"policy is invalid: {observation.policy_error}",),
            blocked_by=BlockedBy.INVALID_POLICY.because(observation.policy_error or "invalid"),
        )
        return decision
    return decide(snapshot, policy, detail.history, now, _operator_request(observation))


def _dry_run_because(decision: DecisionOfAnyKind, policy: AnyPolicy | None) -> str:
    """Why a dry run changed nothing: a forecast's trial in ``forecast`` mode, or observe."""
    trial = policy is not None and policy.mode == "forecast" and decision.driven_by == DRIVEN_BY_FORECAST
    return "forecast mode" if trial else "observe mode"


def decide_and_record(
    observation: Observation,
    detail: ObservationDetail,
    log: DecisionLogPort,
    now: datetime,
    retention_days: int,
    *,
    events: DecisionEventsPort | None = None,
) -> Decided:
    decision, mode = make_decision(observation, detail, now)
    status, reasons = outcomes.decided(
        decision,
        mode == "observe",
        observation.policy is None,
        dry_run_because=_dry_run_because(decision, observation.policy),
    )
    key = RecordKey(
        cluster=observation.request.cluster,
        decided_at=decision_time(observation.execution.started_at, observation.execution.arn),
    )
    record = DecisionRecord(
        cluster=key.cluster,
        decided_at=key.decided_at,
        action=action_of(decision),
        current=decision.current,
        target=decision.target,
        reasons=reasons,
        mode=mode,
        status=status,
        trigger=observation.request.trigger,
        execution_arn=observation.execution.arn,
        expires_at=int((now + timedelta(days=retention_days)).timestamp()),
        blocked_by=None if decision.blocked_by is None else str(decision.blocked_by),
        signals=decision.signals,
        cost_per_hour_before=decision.cost_per_hour_before,
        cost_per_hour_after=decision.cost_per_hour_after,
        requested_action=observation.request.action.value,
        operator_reason=observation.request.reason,
        driven_by=decision.driven_by,
        forecast=decision.forecast,
    )
    log.put(record)
    count_decision(key.cluster, decision.action.value, status)
    if events is not None:
        try:
            events.decision_recorded(record)
        except Exception as error:  # an integration's event never fails the decision
            logger.warning("decision event not published", cluster=key.cluster, error=str(error)[:500])
    return Decided(
        record=key,
        decision=decision,
        mode=mode,
        status=status,
        live=status == outcomes.PLANNED,
        needs_approval=status == outcomes.PLANNED and decision.approval_required,
    )
