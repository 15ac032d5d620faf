"""In-memory Memcached and Serverless gateways: they build the same requests as the real adapters (so a
refusal is the same) and record them; the type checker holds them to the ports."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.change_call import ALREADY_THERE_RESULT
from elasticache_autoscaler.adapters.memcached import (
    ChangeCacheCluster,
    node_count_request,
    node_type_request,
)
from elasticache_autoscaler.adapters.serverless import ChangeUsageLimits, usage_limits_request
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.kind_metrics import MemcachedMetrics, ServerlessMetrics
from elasticache_autoscaler.models.kind_policy import ScaleConfig
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits

if TYPE_CHECKING:
    from elasticache_autoscaler.adapters.kind_metrics import MemcachedMetricsPort, ServerlessMetricsPort
    from elasticache_autoscaler.adapters.memcached import MemcachedGateway
    from elasticache_autoscaler.adapters.serverless import ServerlessGateway


@dataclass
class FakeMemcached:
    clusters: dict[str, MemcachedCluster] = field(default_factory=dict)
    requests: list[ChangeCacheCluster] = field(default_factory=list)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)

    def read_cluster(self, cluster_id: str) -> MemcachedCluster:
        if cluster_id not in self.clusters:
            raise ClusterNotFoundError(f"cache cluster {cluster_id!r} does not exist")
        return self.clusters[cluster_id]

    def read_cluster_and_tags(self, cluster_id: str) -> tuple[MemcachedCluster, dict[str, str]]:
        return self.read_cluster(cluster_id), dict(self.tags.get(cluster_id, {}))

    def set_node_count(self, cluster_id: str, nodes: int, cluster: MemcachedCluster | None = None) -> str:
        return self._record(node_count_request(cluster or self.read_cluster(cluster_id), nodes))

    def set_node_type(
        self,
        cluster_id: str,
        node_type: str,
        scale_config: ScaleConfig,
        cluster: MemcachedCluster | None = None,
    ) -> str:
        return self._record(
            node_type_request(cluster or self.read_cluster(cluster_id), node_type, scale_config)
        )

    def _record(self, request: ChangeCacheCluster | None) -> str:
        if request is None:
            return ALREADY_THERE_RESULT
        self.requests.append(request)
        return request.operation


@dataclass
class FakeServerless:
    caches: dict[str, ServerlessCache] = field(default_factory=dict)
    requests: list[ChangeUsageLimits] = field(default_factory=list)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)

    def read_cache(self, name: str) -> ServerlessCache:
        if name not in self.caches:
            raise ClusterNotFoundError(f"serverless cache {name!r} does not exist")
        return self.caches[name]

    def read_cache_and_tags(self, name: str) -> tuple[ServerlessCache, dict[str, str]]:
        return self.read_cache(name), dict(self.tags.get(name, {}))

    def set_usage_limits(self, name: str, limits: UsageLimits, cache: ServerlessCache | None = None) -> str:
        request = usage_limits_request(cache or self.read_cache(name), limits)
        if request is None:
            return ALREADY_THERE_RESULT
        self.requests.append(request)
        self.caches[name] = self.read_cache(name).model_copy(update={"limits": limits})
        return request.operation


@dataclass
class FakeKindMetrics:
    """CloudWatch for the kinds: the metrics each cache was given (none: no datapoint, never a scale-in)."""

    memcached: dict[str, MemcachedMetrics] = field(default_factory=dict)
    serverless: dict[str, ServerlessMetrics] = field(default_factory=dict)
    usage: dict[str, Callable[[datetime], LoadHistory]] = field(default_factory=dict)
    """A Serverless cache's measured usage history by end time (cut to the window asked)."""
    history_reads: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    """Every (cache, start, end) the usage history was asked for: a GetMetricData fetch the adapter makes."""

    def read_memcached(
        self, cluster: MemcachedCluster, end: datetime, window_minutes: int
    ) -> MemcachedMetrics:
        return self.memcached.get(cluster.cluster_id, MemcachedMetrics())

    def read_serverless(
        self, cache: ServerlessCache, end: datetime, window_minutes: int
    ) -> ServerlessMetrics:
        return self.serverless.get(cache.name, ServerlessMetrics())

    def read_serverless_history(self, cache: ServerlessCache, start: datetime, end: datetime) -> LoadHistory:
        self.history_reads.append((cache.name, start, end))
        periods = int((end - start).total_seconds() // 300)
        if cache.name not in self.usage:
            return LoadHistory(end=end)
        full = self.usage[cache.name](end)
        fields = ("ecpu_per_second", "data_storage_gb")
        return full.model_copy(update={name: getattr(full, name)[-periods:] for name in fields})


if TYPE_CHECKING:  # the type checker holds each fake to its port
    _memcached_port: MemcachedGateway = FakeMemcached()
    _serverless_port: ServerlessGateway = FakeServerless()
    _memcached_metrics: MemcachedMetricsPort = FakeKindMetrics()
    _serverless_metrics: ServerlessMetricsPort = FakeKindMetrics()
