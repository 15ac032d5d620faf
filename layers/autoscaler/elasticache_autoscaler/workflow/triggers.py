"""Triggers: turn an alarm state change or a schedule tick into workflow executions, one per cluster,
with deterministic names so that a duplicate delivery starts nothing new.

Neither trigger crashes on what it does not manage (issue 11, finding 6): an alarm left behind after its
group was deleted, a group deleted between the tick's listing and its tag lookup, a group without the
managed tag, an alarm state other than ALARM - each is a logged ignore, never an exception. One bad group
never stops a tick: every other group is still started, and the tick reports what it ignored or failed.
"""

import hashlib
from datetime import datetime
from typing import Literal

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarterPort
from elasticache_autoscaler.errors import ClusterNotFoundError, TickIncompleteError
from elasticache_autoscaler.models.alarm_event import AlarmStateChange
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.observability import logger

ACTIONABLE_ALARM_STATE = "ALARM"

# What ElastiCache answers when the group (or the member an alarm names) no longer exists. The adapter
# turns some of them into ClusterNotFoundError; its tag lookup lets the raw ClientError through.
GONE_CODES = frozenset(
    {
        "ReplicationGroupNotFoundFault",
        "ReplicationGroupNotFound",
        "CacheClusterNotFound",
        "CacheClusterNotFoundFault",
    }
)

Outcome = Literal["started", "duplicate", "ignored", "failed"]


class Started(WireModel):
    cluster: str | None
    execution_name: str | None
    started: bool
    why: str
    outcome: Outcome = "ignored"


class Tick(WireModel):
    """What one schedule tick did, group by group."""

    started: tuple[Started, ...] = ()
    """Executions started, or found already running for this bucket (``outcome == "duplicate"``)."""
    ignored: tuple[Started, ...] = ()
    """Groups gone or not managed: nothing to do."""
    failed: tuple[Started, ...] = ()
    """Groups whose evaluation could not be started (the tick raises TickIncompleteError after the rest)."""


def _ignored(cluster: str | None, why: str, alarm: str | None = None) -> Started:
    logger.info(
        f"{why}: ignored", cluster=cluster, alarm=alarm, trigger="schedule" if alarm is None else "alarm"
    )
    return Started(cluster=cluster, execution_name=None, started=False, why=why, outcome="ignored")


def _is_gone(error: Exception) -> bool:
    if isinstance(error, ClusterNotFoundError):
        return True
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in GONE_CODES


def cluster_of_alarm(alarm: AlarmStateChange, elasticache: ElastiCacheGateway) -> str | None:
    """The replication group an alarm watches, from its metric dimensions; None when it watches none, or
    the member it names no longer exists."""
    dimensions = alarm.dimensions()
    if "ReplicationGroupId" in dimensions:
        return dimensions["ReplicationGroupId"]
    if "CacheClusterId" in dimensions:
        try:
            return elasticache.group_of_member(dimensions["CacheClusterId"])
        except (ClusterNotFoundError, ClientError) as error:
            if _is_gone(error):
                return None
            raise
    return None


def managed_state(cluster: str, elasticache: ElastiCacheGateway, tag_key: str) -> str | None:
    """None when the group exists and carries ``tag_key=true``; otherwise why it is not ours to start."""
    try:
        tags = elasticache.tags(cluster)
    except (ClusterNotFoundError, ClientError) as error:
        if _is_gone(error):
            return "cluster does not exist"
        raise
    return None if tags.get(tag_key) == "true" else "cluster is not managed"


def is_managed(cluster: str, elasticache: ElastiCacheGateway, tag_key: str) -> bool:
    return managed_state(cluster, elasticache, tag_key) is None


def alarm_execution_name(cluster: str, alarm: AlarmStateChange) -> str:
    digest = hashlib.sha256(
        f"{alarm.alarm_name}|{alarm.state.value}|{alarm.state.timestamp}".encode()
    ).hexdigest()
    return f"alarm-{cluster}-{digest[:16]}"


def _start(starter: WorkflowStarterPort, cluster: str, name: str, request: WorkflowRequest) -> Started:
    started = starter.start(name, request)
    return Started(
        cluster=cluster,
        execution_name=name,
        started=started,
        why="started" if started else "duplicate",
        outcome="started" if started else "duplicate",
    )


def start_for_alarm(
    alarm: AlarmStateChange,
    elasticache: ElastiCacheGateway,
    starter: WorkflowStarterPort,
    alarm_prefix: str,
    tag_key: str,
) -> Started:
    """One execution for the managed group an alarm that went into ALARM watches; anything else is a
    logged ignore. The EventBridge rule already filters on ALARM and the prefix: this does not rely on it."""
    if not alarm.alarm_name.startswith(alarm_prefix):
        return _ignored(None, "alarm name lacks the prefix", alarm=alarm.alarm_name)
    if alarm.state.value != ACTIONABLE_ALARM_STATE:
        return _ignored(None, f"alarm state is {alarm.state.value}, not ALARM", alarm=alarm.alarm_name)
    cluster = cluster_of_alarm(alarm, elasticache)
    if cluster is None:
        return _ignored(None, "alarm watches no replication group", alarm=alarm.alarm_name)
    not_ours = managed_state(cluster, elasticache, tag_key)
    if not_ours is not None:
        return _ignored(cluster, not_ours, alarm=alarm.alarm_name)
    name = alarm_execution_name(cluster, alarm)
    request = WorkflowRequest(
        cluster=cluster,
        dry_run=False,
        trigger="alarm",
        reason=f"alarm {alarm.alarm_name} went {alarm.state.value}: {alarm.state.reason}"[:500],
    )
    result = _start(starter, cluster, name, request)
    logger.info("alarm handled", cluster=cluster, execution_name=name, started=result.started)
    return result


def _start_one_scheduled(
    cluster: str, bucket: int, elasticache: ElastiCacheGateway, starter: WorkflowStarterPort, tag_key: str
) -> Started:
    not_ours = managed_state(cluster, elasticache, tag_key)
    if not_ours is not None:
        return _ignored(cluster, not_ours)
    request = WorkflowRequest(
        cluster=cluster, dry_run=False, trigger="schedule", reason="periodic evaluation"
    )
    return _start(starter, cluster, f"schedule-{cluster}-{bucket}", request)


def start_for_schedule(
    now: datetime,
    elasticache: ElastiCacheGateway,
    starter: WorkflowStarterPort,
    tag_key: str,
    bucket_minutes: int,
) -> Tick:
    """One evaluation per managed group per bucket. A group that is gone or unmanaged is ignored; a group
    that fails for any other reason is recorded as failed and the tick goes on with the next one. After
    every group had its turn, failures (only) raise TickIncompleteError naming them."""
    bucket = int(now.timestamp()) // (bucket_minutes * 60)
    started: list[Started] = []
    ignored: list[Started] = []
    failed: list[Started] = []
    for cluster in elasticache.list_group_ids():
        try:
            result = _start_one_scheduled(cluster, bucket, elasticache, starter, tag_key)
        except Exception as error:  # one bad group never stops the tick
            if _is_gone(error):
                result = _ignored(cluster, "cluster does not exist")
            else:
                why = f"{type(error).__name__}: {error}"[:500]
                logger.warning("scheduled evaluation not started", cluster=cluster, error=why)
                result = Started(
                    cluster=cluster, execution_name=None, started=False, why=why, outcome="failed"
                )
        {"ignored": ignored, "failed": failed}.get(result.outcome, started).append(result)
    tick = Tick(started=tuple(started), ignored=tuple(ignored), failed=tuple(failed))
    logger.info(
        "schedule tick handled",
        clusters=len(started),
        started=[s.cluster for s in started],
        ignored={s.cluster: s.why for s in ignored},
        failed={s.cluster: s.why for s in failed},
    )
    if failed:
        raise TickIncompleteError(
            f"{len(failed)} group(s) not started ({', '.join(str(s.cluster) for s in failed)}); "
            f"{len(started)} started, {len(ignored)} ignored"
        )
    return tick
