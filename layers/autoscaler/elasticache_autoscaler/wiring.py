"""Real adapters for the Lambda functions, built once per process from the validated settings."""

from contextlib import AbstractContextManager
from functools import cache

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.call_count import CallCounter
from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
from elasticache_autoscaler.adapters.cloudwatch_alarms import CloudWatchAlarms
from elasticache_autoscaler.adapters.decision_events import DecisionEvents
from elasticache_autoscaler.adapters.decision_log import DecisionLog
from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.adapters.notifier import Notifier
from elasticache_autoscaler.adapters.observation_store import S3ObservationStore
from elasticache_autoscaler.adapters.policy_store import PolicyStore
from elasticache_autoscaler.adapters.state_table import StateTable
from elasticache_autoscaler.adapters.tagging import ResourceTagging
from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarter
from elasticache_autoscaler.settings import ObservationSettings, ReconcileSettings, Settings, TriggerSettings
from elasticache_autoscaler.workflow.act_step import ActDeps
from elasticache_autoscaler.workflow.decide_step import DecideDeps
from elasticache_autoscaler.workflow.follow_up import FollowUpDeps
from elasticache_autoscaler.workflow.observe import ObserveDeps
from elasticache_autoscaler.workflow.reconcile import ReconcileDeps
from elasticache_autoscaler.workflow.record_step import RecordDeps


@cache
def settings() -> Settings:
    return Settings.from_environment()


@cache
def elasticache() -> ElastiCache:
    return ElastiCache()


@cache
def decision_log() -> DecisionLog:
    return DecisionLog(settings().decision_table)


@cache
def state_table() -> StateTable:
    return StateTable(settings().state_table)


@cache
def starter() -> WorkflowStarter:
    return WorkflowStarter(TriggerSettings.from_environment().state_machine_arn)


@cache
def managed_groups() -> ResourceTagging:
    return ResourceTagging()


def tick_call_counter() -> AbstractContextManager[CallCounter]:
    """Counts the requests of the clients a schedule tick uses (Tagging API, Step Functions)."""
    return CallCounter().watching(aws.tagging(), aws.stepfunctions())


@cache
def observation_store() -> S3ObservationStore:
    return S3ObservationStore(ObservationSettings.from_environment().observation_bucket)


@cache
def observe_deps() -> ObserveDeps:
    return ObserveDeps(
        elasticache=elasticache(),
        metrics=CloudWatch(),
        policies=PolicyStore(settings().policy_prefix),
        state=state_table(),
        log=decision_log(),
        managed_tag_key=settings().managed_tag_key,
        paused_tag_key=settings().paused_tag_key,
        store=observation_store(),
    )


@cache
def decide_deps() -> DecideDeps:
    return DecideDeps(
        store=observation_store(),
        log=decision_log(),
        retention_days=settings().decision_retention_days,
        events=DecisionEvents(),
    )


@cache
def notifier() -> Notifier:
    return Notifier(settings().notification_topic_arn)


@cache
def record_deps() -> RecordDeps:
    return RecordDeps(
        log=decision_log(),
        state=state_table(),
        notifier=notifier(),
        retention_days=settings().decision_retention_days,
    )


@cache
def act_deps() -> ActDeps:
    return ActDeps(
        elasticache=elasticache(),
        log=decision_log(),
        state=state_table(),
        managed_tag_key=settings().managed_tag_key,
        paused_tag_key=settings().paused_tag_key,
        lease_seconds=settings().lock_lease_seconds,
    )


@cache
def reconcile_deps() -> ReconcileDeps:
    reconcile_settings = ReconcileSettings.from_environment()
    return ReconcileDeps(
        managed_groups=managed_groups(),
        elasticache=elasticache(),
        alarms=CloudWatchAlarms(),
        # Read afresh on every run: a policy change reaches the alarms at the next reconcile, not a minute on.
        policies=PolicyStore(reconcile_settings.policy_prefix, max_age=0),
        prefix=reconcile_settings.alarm_prefix,
        owner=reconcile_settings.alarm_owner,
        managed_tag_key=reconcile_settings.managed_tag_key,
    )


@cache
def follow_up_deps() -> FollowUpDeps:
    return FollowUpDeps(reconcile=reconcile_deps(), starter=starter())
