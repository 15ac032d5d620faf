"""The Memcached and Serverless twins seen through AWS, and the runtime's Decide step run on what they show.

``memcached_snapshot`` and ``serverless_snapshot`` build the ``MemcachedSnapshot`` / ``ServerlessSnapshot``
that Observe builds (DescribeCacheClusters with its nodes, DescribeServerlessCaches, GetMetricData's series
over the window Observe reads, oldest first; a node that joined during the window has a shorter series, as
CloudWatch returns for a new node). ``decide_as_deployed`` hands it to the kind's rules through the registry
(``kinds.registry.rules_for``), exactly as the Decide Lambda does with an evaluation the schedule or an
alarm started: the engine is not re-implemented here.
"""

from datetime import datetime

from elasticache_autoscaler.kinds.registry import rules_for
from elasticache_autoscaler.models.any_kind import AnyPolicy, DecisionOfAnyKind
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_metrics import (
    MemcachedMetric,
    MemcachedMetrics,
    NodeSeries,
    ServerlessMetrics,
)
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot, ServerlessSnapshot
from elasticache_autoscaler.models.memcached import CacheNode, MemcachedCluster
from elasticache_autoscaler.models.request import Trigger, WorkflowRequest
from elasticache_autoscaler.models.serverless import ServerlessCache
from elasticache_autoscaler.models.workflow import (
    Execution,
    Observation,
    ObservationDetail,
    StoredObservation,
)
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import sim_time
from elasticache_autoscaler_cli.simulator.memcached_physics import NodeMinute
from elasticache_autoscaler_cli.simulator.memcached_twin import MemcachedView
from elasticache_autoscaler_cli.simulator.serverless_twin import ServerlessView

CACHE_ID = "simulated"
EXECUTION_ARN = "arn:aws:states:us-east-1:000000000000:execution:simulated:evaluation"
SERVERLESS_MAJOR_VERSION = {"valkey": "8", "redis": "7", "memcached": "1.6"}


def node_id(index: int) -> str:
    return f"{index + 1:04d}"


def _node_values(point: NodeMinute) -> dict[MemcachedMetric, float]:
    return {
        MemcachedMetric.CPU: point.reported_cpu,
        MemcachedMetric.BYTES_USED: point.bytes_used,
        MemcachedMetric.EVICTIONS: point.evictions,
        MemcachedMetric.CONNECTIONS: point.connections,
        MemcachedMetric.NETWORK_IN_EXCEEDED: point.network_in_exceeded,
        MemcachedMetric.NETWORK_OUT_EXCEEDED: point.network_out_exceeded,
    }


def memcached_snapshot(view: MemcachedView, window_minutes: int, now: datetime) -> MemcachedSnapshot:
    status = "modifying" if view.modifying else "available"
    cluster = MemcachedCluster(
        cluster_id=CACHE_ID,
        engine_version=view.spec.engine_version,
        node_type=view.capacity.node_type,
        status=status,
        nodes=tuple(
            CacheNode(node_id=node_id(k), status="available", created_at=sim_time(since))
            for k, since in enumerate(view.node_since)
        ),
    )
    oldest = view.minute - window_minutes
    window = [p for p in view.metrics[-window_minutes:] if p.minute > oldest]
    values = [(p.minute, _node_values(p)) for p in window]
    series = tuple(
        NodeSeries(
            metric=metric,
            node_id=node_id(k),
            values=tuple(point[metric] for minute, point in values if minute >= since),
        )
        for k, since in enumerate(view.node_since)
        for metric in MemcachedMetric
    )
    return MemcachedSnapshot(
        taken_at=now, cluster=cluster, metrics=MemcachedMetrics(period_seconds=60, series=series)
    )


def serverless_snapshot(view: ServerlessView, window_minutes: int, now: datetime) -> ServerlessSnapshot:
    cache = ServerlessCache(
        name=CACHE_ID,
        engine=view.spec.engine,
        major_engine_version=SERVERLESS_MAJOR_VERSION[view.spec.engine],
        status="modifying" if view.modifying else "available",
        limits=view.limits,
    )
    oldest = view.minute - window_minutes
    window = [p for p in view.metrics[-window_minutes:] if p.minute > oldest]
    metrics = ServerlessMetrics(
        period_seconds=60,
        bytes_used=tuple(p.bytes_used for p in window),
        ecpu=tuple(p.ecpu for p in window),
        throttled_cmds=tuple(p.throttled_cmds for p in window),
    )
    return ServerlessSnapshot(taken_at=now, cache=cache, metrics=metrics)


def decide_as_deployed(  # noqa: PLR0917 - the Decide step's own inputs, each once
    kind: CacheKind,
    snapshot: MemcachedSnapshot | ServerlessSnapshot,
    policy: AnyPolicy,
    history: History,
    now: datetime,
    trigger: Trigger,
) -> DecisionOfAnyKind:
    """The kind's Decide on an evaluation started by ``trigger`` (``schedule`` or ``alarm``)."""
    rules = rules_for(kind)
    detail = ObservationDetail(
        cluster=CACHE_ID, execution_arn=EXECUTION_ARN, snapshot=snapshot, history=history
    )
    observation = Observation(
        request=WorkflowRequest(cluster=CACHE_ID, kind=kind, trigger=trigger, dry_run=False),
        execution=Execution(arn=EXECUTION_ARN, started_at=now),
        policy=policy,
        summary=rules.summarize(detail),
        stored=StoredObservation(bucket="simulated", key="simulated", size_bytes=0, sha256="0" * 64),
    )
    return rules.decide(observation, detail, now)
