"""Triggers: turn an alarm state change or a schedule tick into workflow executions, one per cluster,
with deterministic names so that a duplicate delivery starts nothing new.

Neither trigger crashes on what it does not manage (issue 11, finding 6): an alarm left behind after its
group was deleted, a group without the managed tag, an alarm state other than ALARM - each is a logged
ignore, never an exception. The schedule tick finds its groups in one Tagging API pass filtered on the
managed tag (issue 13), so it sees only managed groups; one bad group never stops it: every other group is
still started, and the tick reports what failed, the requests it made and how long it took.

Every kind of cache is handled alike (``kinds``): an alarm is mapped to its cache by each kind in turn
(a replication group from ``ReplicationGroupId`` or a member's ``CacheClusterId``, a Memcached cluster from
its ``CacheClusterId``, a Serverless cache from ``clusterId``); the tick finds the managed caches of every
kind in the same Tagging API pass. The execution's input names the kind.
"""

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError
from pydantic import Field

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.tagging import ManagedGroupsPort
from elasticache_autoscaler.adapters.workflow_starter import WorkflowStarterPort
from elasticache_autoscaler.errors import ClusterNotFoundError, TickIncompleteError
from elasticache_autoscaler.models.alarm_event import AlarmStateChange
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.observability import logger

if TYPE_CHECKING:
    from elasticache_autoscaler.kinds.base import CacheKindOps

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
    """Groups gone or not managed: nothing to do (a schedule tick's tag filter finds managed groups only)."""
    failed: tuple[Started, ...] = ()
    """Groups whose evaluation could not be started (the tick raises TickIncompleteError after the rest)."""
    groups: int = 0
    """Managed groups found (schedule tick)."""
    api_calls: dict[str, int] = Field(default_factory=dict)
    """Requests sent during the tick, retries included, by ``service.Operation`` (schedule tick)."""
    duration_ms: int = 0


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
    return group_of_dimensions(alarm.dimensions(), elasticache)


def group_of_dimensions(dimensions: Mapping[str, str], elasticache: ElastiCacheGateway) -> str | None:
    """The replication group of an alarm's dimensions (its own id, or the group of the member it names)."""
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
    *,
    other_kinds: "Sequence[CacheKindOps]" = (),
) -> Started:
    """One execution for the managed cache an alarm that went into ALARM watches; anything else is a
    logged ignore. The EventBridge rule already filters on ALARM and the prefix: this does not rely on it."""
    from elasticache_autoscaler.kinds.registry import registry_for  # noqa: PLC0415 - kinds import this module

    if not alarm.alarm_name.startswith(alarm_prefix):
        return _ignored(None, "alarm name lacks the prefix", alarm=alarm.alarm_name)
    if alarm.state.value != ACTIONABLE_ALARM_STATE:
        return _ignored(None, f"alarm state is {alarm.state.value}, not ALARM", alarm=alarm.alarm_name)
    kinds = registry_for(elasticache, other_kinds)
    found = kinds.cache_of_alarm(alarm.dimensions())
    if found is None:
        return _ignored(None, f"alarm watches no {kinds.nouns()}", alarm=alarm.alarm_name)
    ops, cluster = found
    not_ours = ops.managed_state(cluster, tag_key)
    if not_ours is not None:
        return _ignored(cluster, not_ours, alarm=alarm.alarm_name)
    name = alarm_execution_name(cluster, alarm)
    request = WorkflowRequest(
        cluster=cluster,
        kind=ops.kind,
        dry_run=False,
        trigger="alarm",
        reason=f"alarm {alarm.alarm_name} went {alarm.state.value}: {alarm.state.reason}"[:500],
    )
    result = _start(starter, cluster, name, request)
    logger.info("alarm handled", cluster=cluster, execution_name=name, started=result.started)
    return result


START_PARALLELISM = 8
"""StartExecution calls in flight at once during a tick: far below Step Functions' StartExecution bucket
(hundreds a second), enough to start a fleet of 500 groups in seconds."""


def schedule_execution_name(cluster: str, bucket: int) -> str:
    return f"schedule-{cluster}-{bucket}"


def _start_one_scheduled(kind: CacheKind, cluster: str, bucket: int, starter: WorkflowStarterPort) -> Started:
    """Start ``cluster``'s evaluation for this bucket; never raises (one bad group never stops a tick)."""
    request = WorkflowRequest(
        cluster=cluster, kind=kind, dry_run=False, trigger="schedule", reason="periodic evaluation"
    )
    try:
        return _start(starter, cluster, schedule_execution_name(cluster, bucket), request)
    except Exception as error:  # one bad group never stops the tick
        why = f"{type(error).__name__}: {error}"[:500]
        logger.warning("scheduled evaluation not started", cluster=cluster, error=why)
        return Started(cluster=cluster, execution_name=None, started=False, why=why, outcome="failed")


def start_for_schedule(
    now: datetime,
    discovery: ManagedGroupsPort,
    starter: WorkflowStarterPort,
    tag_key: str,
    bucket_minutes: int,
    *,
    parallelism: int = START_PARALLELISM,
    api_calls: Callable[[], dict[str, int]] = dict,
) -> Tick:
    """One evaluation per managed group per bucket: the groups tagged ``tag_key=true`` found in one
    Tagging API pass, started ``parallelism`` at a time under a deterministic name (a duplicate starts
    nothing). A group that fails is recorded as failed and the others still start; after every group had
    its turn, failures (only) raise TickIncompleteError naming them. ``api_calls`` reports the requests
    made so far (the tick's log and answer carry them)."""
    began = time.monotonic()
    bucket = int(now.timestamp()) // (bucket_minutes * 60)
    clusters = discovery.managed_caches(tag_key)
    with ThreadPoolExecutor(max_workers=parallelism, thread_name_prefix="tick") as pool:
        results = list(pool.map(lambda c: _start_one_scheduled(c[0], c[1], bucket, starter), clusters))
    started = tuple(r for r in results if r.outcome in ("started", "duplicate"))
    failed = tuple(r for r in results if r.outcome == "failed")
    tick = Tick(
        started=started,
        failed=failed,
        groups=len(clusters),
        api_calls=api_calls(),
        duration_ms=round((time.monotonic() - began) * 1000),
    )
    logger.info(
        "schedule tick handled",
        groups=tick.groups,
        new=sum(1 for s in started if s.started),
        duplicates=sum(1 for s in started if not s.started),
        failed={s.cluster: s.why for s in failed},
        api_calls=tick.api_calls,
        duration_ms=tick.duration_ms,
    )
    if failed:
        raise TickIncompleteError(
            f"{len(failed)} group(s) not started ({', '.join(str(s.cluster) for s in failed)}); "
            f"{len(started)} started"
        )
    return tick
