"""After a scaling execution succeeded: its group's alarms reconciled, and a follow-up while still in alarm.

EventBridge delivers "Step Functions Execution Status Change" (SUCCEEDED) of the scaling workflow here, at
least once. The group's members may have changed: its alarms are reconciled (``workflow.reconcile``) right
away. Then, as Application Auto Scaling does, a scale-out whose alarm is still in ALARM is followed up: an
alarm that stays in ALARM sends no new event, so nothing else would evaluate the group again before the
next schedule tick. The follow-up is a new execution (trigger ``alarm``) named after the one it follows
(a duplicate delivery starts nothing new), carrying ``followUp`` + 1; none past ``MAX_FOLLOW_UPS``.
The engine decides again from scratch: its cooldown and the group's state still apply.
"""

import hashlib
import json
from dataclasses import dataclass

from pydantic import Field, ValidationError

from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarterPort
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.reconcile_event import ExecutionSucceededEvent
from elasticache_autoscaler.models.request import CLUSTER_ID, MAX_FOLLOW_UPS, WorkflowRequest
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.workflow.reconcile import Reconciled, ReconcileDeps, reconcile


class _Lenient(WireModel):
    model_config = WireModel.model_config | {"extra": "ignore"}


class _Input(_Lenient):
    cluster: str = Field(pattern=CLUSTER_ID)
    kind: CacheKind | None = None
    follow_up: int = 0


class _Decision(_Lenient):
    action: Action


class _Decided(_Lenient):
    decision: _Decision


class _Output(_Lenient):
    decided: _Decided | None = None
    acted: dict[str, object] | None = None


class AfterExecution(WireModel):
    cluster: str | None
    reconciled: Reconciled | None = None
    follow_up: str | None = None
    why: str


@dataclass(frozen=True)
class FollowUpDeps:
    reconcile: ReconcileDeps
    starter: WorkflowStarterPort


def _parsed[M: WireModel](model: type[M], text: str | None) -> M | None:
    try:
        return model.model_validate(json.loads(text or "{}"))
    except (ValidationError, json.JSONDecodeError):
        return None


def follow_up_name(cluster: str, execution_arn: str) -> str:
    digest = hashlib.sha256(execution_arn.encode()).hexdigest()[:16]
    return f"followup-{cluster}-{digest}"


def after_execution(event: ExecutionSucceededEvent, deps: FollowUpDeps) -> AfterExecution:
    execution = event.detail
    started = _parsed(_Input, execution.input)
    if started is None:
        return AfterExecution(cluster=None, why="execution input names no cluster")
    cluster = started.cluster
    reconciled = reconcile(deps.reconcile, cluster)
    output = _parsed(_Output, execution.output)
    scaled_out = (
        output is not None
        and output.decided is not None
        and output.acted is not None
        and output.decided.decision.action.is_scale_out
    )
    if not scaled_out:
        return AfterExecution(cluster=cluster, reconciled=reconciled, why="no scale-out to follow up")
    if not reconciled.in_alarm:
        return AfterExecution(cluster=cluster, reconciled=reconciled, why="no alarm of the group in ALARM")
    if started.follow_up >= MAX_FOLLOW_UPS:
        logger.warning("still in alarm after the last follow-up", cluster=cluster, alarms=reconciled.in_alarm)
        return AfterExecution(
            cluster=cluster,
            reconciled=reconciled,
            why=f"{MAX_FOLLOW_UPS} follow-ups made: the schedule goes on",
        )
    name = follow_up_name(cluster, execution.execution_arn)
    request = WorkflowRequest(
        cluster=cluster,
        kind=started.kind,
        dry_run=False,
        trigger="alarm",
        reason=f"still in alarm after a scale-out: {', '.join(reconciled.in_alarm)}"[:500],
        follow_up=started.follow_up + 1,
    )
    started_now = deps.starter.start(name, request)
    logger.info("follow-up", cluster=cluster, execution_name=name, started=started_now)
    return AfterExecution(
        cluster=cluster,
        reconciled=reconciled,
        follow_up=name,
        why="follow-up started" if started_now else "follow-up already started",
    )
