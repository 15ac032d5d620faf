"""What ``observe`` saw of a Memcached cluster or a Serverless cache: the cache, its metrics and the operator
guards, at one instant (a replication group's is ``snapshot.Snapshot``)."""

from datetime import datetime
from typing import Literal

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_metrics import MemcachedMetrics, ServerlessMetrics
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import ServerlessCache
from elasticache_autoscaler.models.snapshot import Guards


class MemcachedSnapshot(WireModel):
    kind: Literal[CacheKind.MEMCACHED] = CacheKind.MEMCACHED
    taken_at: datetime
    cluster: MemcachedCluster
    metrics: MemcachedMetrics
    guards: Guards = Guards()


class ServerlessSnapshot(WireModel):
    kind: Literal[CacheKind.SERVERLESS] = CacheKind.SERVERLESS
    taken_at: datetime
    cache: ServerlessCache
    metrics: ServerlessMetrics
    guards: Guards = Guards()
    load_history: LoadHistory | None = None
    """The cache's ECPU and storage history for the forecast, when the policy opts in
    (``forecast.loadHistory``) and it could be read."""
