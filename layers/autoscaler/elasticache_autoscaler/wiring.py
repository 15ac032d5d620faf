"""Real adapters for the Lambda functions, built once per process from each function's validated settings.

Every function imports this module, so it imports no adapter at the top: each factory imports what it builds,
and a function loads only the adapters (and workflow modules) it uses - not every function's (issue 15, cold
starts).
"""

# ruff: noqa: PLC0415 - the imports inside the factories are the point (see above)

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, cast

from elasticache_autoscaler.settings import (
    ActSettings,
    DecideSettings,
    ExecutionEndSettings,
    ObserveSettings,
    ReconcileSettings,
    RecordSettings,
    from_environment,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextlib import AbstractContextManager

    from elasticache_autoscaler.adapters.call_count import CallCounter
    from elasticache_autoscaler.adapters.decision_log import DecisionLog
    from elasticache_autoscaler.adapters.elasticache import ElastiCache
    from elasticache_autoscaler.adapters.notifier import Notifier
    from elasticache_autoscaler.adapters.observation_store import S3ObservationStore
    from elasticache_autoscaler.adapters.state_table import StateTable
    from elasticache_autoscaler.adapters.tagging import ResourceTagging
    from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarter
    from elasticache_autoscaler.kinds.base import AlarmedKind
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.decide_step import DecideDeps
    from elasticache_autoscaler.workflow.execution_end import EndDeps
    from elasticache_autoscaler.workflow.follow_up import FollowUpDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps
    from elasticache_autoscaler.workflow.reconcile import ReconcileDeps
    from elasticache_autoscaler.workflow.record_step import RecordDeps


def settings[S: Mapping[str, object]](model: type[S]) -> S:
    """The function's settings (one of elasticache_autoscaler.settings'), validated once per process."""
    return cast("S", validated_settings(model))


@cache
def validated_settings(model: type[Any]) -> Any:
    return from_environment(model)


# ---- adapters more than one function uses -----------------------------------------------------------------
@cache
def elasticache() -> ElastiCache:
    from elasticache_autoscaler.adapters.elasticache import ElastiCache

    return ElastiCache()


@cache
def decision_log(table: str) -> DecisionLog:
    from elasticache_autoscaler.adapters.decision_log import DecisionLog

    return DecisionLog(table)


@cache
def state_table(table: str) -> StateTable:
    from elasticache_autoscaler.adapters.state_table import StateTable

    return StateTable(table)


@cache
def notifier(topic_arn: str) -> Notifier:
    from elasticache_autoscaler.adapters.notifier import Notifier

    return Notifier(topic_arn)


@cache
def starter(state_machine_arn: str) -> WorkflowStarter:
    from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarter

    return WorkflowStarter(state_machine_arn)


@cache
def managed_groups() -> ResourceTagging:
    from elasticache_autoscaler.adapters.tagging import ResourceTagging

    return ResourceTagging()


def tick_call_counter() -> AbstractContextManager[CallCounter]:
    """Counts the requests of the clients a schedule tick uses (Tagging API, Step Functions)."""
    from elasticache_autoscaler.adapters import aws
    from elasticache_autoscaler.adapters.call_count import CallCounter

    return CallCounter().watching(aws.tagging(), aws.stepfunctions())


@cache
def other_kinds() -> tuple[AlarmedKind, ...]:
    """The kinds of cache besides replication groups (``kinds``), with their real gateways."""
    from elasticache_autoscaler.adapters.kind_metrics import KindMetrics
    from elasticache_autoscaler.adapters.memcached import MemcachedClusters
    from elasticache_autoscaler.adapters.serverless import ServerlessCaches
    from elasticache_autoscaler.kinds.memcached import MemcachedClustersKind
    from elasticache_autoscaler.kinds.serverless import ServerlessCachesKind

    metrics = KindMetrics()
    return (
        MemcachedClustersKind(MemcachedClusters(), metrics),
        ServerlessCachesKind(ServerlessCaches(), metrics),
    )


@cache
def observation_store(bucket: str) -> S3ObservationStore:
    from elasticache_autoscaler.adapters.observation_store import S3ObservationStore

    return S3ObservationStore(bucket)


# ---- each workflow step's dependencies ---------------------------------------------------------------------
@cache
def observe_deps() -> ObserveDeps:
    from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
    from elasticache_autoscaler.adapters.policy_store import PolicyStore
    from elasticache_autoscaler.workflow.observe import ObserveDeps

    observe = settings(ObserveSettings)
    return ObserveDeps(
        elasticache=elasticache(),
        metrics=CloudWatch(),
        policies=PolicyStore(observe["POLICY_PREFIX"]),
        state=state_table(observe["STATE_TABLE"]),
        log=decision_log(observe["DECISION_TABLE"]),
        managed_tag_key=observe["MANAGED_TAG_KEY"],
        paused_tag_key=observe["PAUSED_TAG_KEY"],
        store=observation_store(observe["OBSERVATION_BUCKET"]),
        other_kinds=other_kinds(),
    )


@cache
def decide_deps() -> DecideDeps:
    from elasticache_autoscaler.adapters.decision_events import DecisionEvents
    from elasticache_autoscaler.workflow.decide_step import DecideDeps

    decide = settings(DecideSettings)
    return DecideDeps(
        store=observation_store(decide["OBSERVATION_BUCKET"]),
        log=decision_log(decide["DECISION_TABLE"]),
        retention_days=decide["DECISION_RETENTION_DAYS"],
        events=DecisionEvents(),
    )


@cache
def record_deps() -> RecordDeps:
    from elasticache_autoscaler.workflow.record_step import RecordDeps

    record = settings(RecordSettings)
    return RecordDeps(
        log=decision_log(record["DECISION_TABLE"]),
        state=state_table(record["STATE_TABLE"]),
        notifier=notifier(record["NOTIFICATION_TOPIC_ARN"]),
        retention_days=record["DECISION_RETENTION_DAYS"],
    )


@cache
def act_deps() -> ActDeps:
    from elasticache_autoscaler.workflow.act_step import ActDeps

    act = settings(ActSettings)
    return ActDeps(
        elasticache=elasticache(),
        log=decision_log(act["DECISION_TABLE"]),
        state=state_table(act["STATE_TABLE"]),
        managed_tag_key=act["MANAGED_TAG_KEY"],
        paused_tag_key=act["PAUSED_TAG_KEY"],
        lease_seconds=act["LOCK_LEASE_SECONDS"],
        other_kinds=other_kinds(),
    )


@cache
def execution_end_deps() -> EndDeps:
    from elasticache_autoscaler.workflow.execution_end import EndDeps

    ended = settings(ExecutionEndSettings)
    return EndDeps(
        log=decision_log(ended["DECISION_TABLE"]),
        state=state_table(ended["STATE_TABLE"]),
        elasticache=elasticache(),
    )


@cache
def reconcile_deps() -> ReconcileDeps:
    from elasticache_autoscaler.adapters.cloudwatch_alarms import CloudWatchAlarms
    from elasticache_autoscaler.adapters.policy_store import PolicyStore
    from elasticache_autoscaler.workflow.reconcile import ReconcileDeps

    reconcile = settings(ReconcileSettings)
    return ReconcileDeps(
        managed_groups=managed_groups(),
        elasticache=elasticache(),
        alarms=CloudWatchAlarms(),
        # Read afresh on every run: a policy change reaches the alarms at the next reconcile, not a minute on.
        policies=PolicyStore(reconcile["POLICY_PREFIX"], max_age=0),
        prefix=reconcile["ALARM_PREFIX"],
        owner=reconcile["ALARM_OWNER"],
        managed_tag_key=reconcile["MANAGED_TAG_KEY"],
        other_kinds=other_kinds(),
    )


@cache
def follow_up_deps() -> FollowUpDeps:
    from elasticache_autoscaler.workflow.follow_up import FollowUpDeps

    return FollowUpDeps(
        reconcile=reconcile_deps(), starter=starter(settings(ReconcileSettings)["STATE_MACHINE_ARN"])
    )
