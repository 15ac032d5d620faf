"""Triggers: turn an alarm state change or a schedule tick into workflow executions, one per cluster,
with deterministic names so that a duplicate delivery starts nothing new."""

import hashlib
from datetime import datetime

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarterPort
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.alarm_event import AlarmStateChange
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.observability import logger


class Started(WireModel):
    cluster: str | None
    execution_name: str | None
    started: bool
    why: str


def cluster_of_alarm(alarm: AlarmStateChange, elasticache: ElastiCacheGateway) -> str | None:
    """The replication group an alarm watches, from its metric dimensions."""
    dimensions = alarm.dimensions()
    if "ReplicationGroupId" in dimensions:
        return dimensions["ReplicationGroupId"]
    if "CacheClusterId" in dimensions:
        return elasticache.group_of_member(dimensions["CacheClusterId"])
    return None


def is_managed(cluster: str, elasticache: ElastiCacheGateway, tag_key: str) -> bool:
    try:
        return elasticache.tags(cluster).get(tag_key) == "true"
    except ClusterNotFoundError:
        return False


def alarm_execution_name(cluster: str, alarm: AlarmStateChange) -> str:
    digest = hashlib.sha256(
        f"{alarm.alarm_name}|{alarm.state.value}|{alarm.state.timestamp}".encode()
    ).hexdigest()
    return f"alarm-{cluster}-{digest[:16]}"


def start_for_alarm(
    alarm: AlarmStateChange,
    elasticache: ElastiCacheGateway,
    starter: WorkflowStarterPort,
    alarm_prefix: str,
    tag_key: str,
) -> Started:
    if not alarm.alarm_name.startswith(alarm_prefix):
        return Started(cluster=None, execution_name=None, started=False, why="alarm name lacks the prefix")
    cluster = cluster_of_alarm(alarm, elasticache)
    if cluster is None:
        logger.info("alarm watches no replication group: ignored", alarm=alarm.alarm_name)
        return Started(
            cluster=None, execution_name=None, started=False, why="alarm watches no replication group"
        )
    if not is_managed(cluster, elasticache, tag_key):
        logger.info("cluster is not managed: ignored", alarm=alarm.alarm_name, cluster=cluster)
        return Started(cluster=cluster, execution_name=None, started=False, why="cluster is not managed")
    name = alarm_execution_name(cluster, alarm)
    request = WorkflowRequest(
        cluster=cluster,
        dry_run=False,
        trigger="alarm",
        reason=f"alarm {alarm.alarm_name} went {alarm.state.value}: {alarm.state.reason}"[:500],
    )
    started = starter.start(name, request)
    logger.info("alarm handled", cluster=cluster, execution_name=name, started=started)
    return Started(
        cluster=cluster, execution_name=name, started=started, why="started" if started else "duplicate"
    )


def start_for_schedule(
    now: datetime,
    elasticache: ElastiCacheGateway,
    starter: WorkflowStarterPort,
    tag_key: str,
    bucket_minutes: int,
) -> list[Started]:
    bucket = int(now.timestamp()) // (bucket_minutes * 60)
    results = []
    for cluster in elasticache.list_group_ids():
        if not is_managed(cluster, elasticache, tag_key):
            continue
        name = f"schedule-{cluster}-{bucket}"
        request = WorkflowRequest(
            cluster=cluster, dry_run=False, trigger="schedule", reason="periodic evaluation"
        )
        started = starter.start(name, request)
        results.append(
            Started(
                cluster=cluster,
                execution_name=name,
                started=started,
                why="started" if started else "duplicate",
            )
        )
    logger.info("schedule tick handled", clusters=len(results))
    return results
