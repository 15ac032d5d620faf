"""Which kind of cache an id names, and what it is now, read with the runtime's own adapters: a replication
group, a Memcached cluster (not a group's member) or a Serverless cache."""

from dataclasses import dataclass

from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.adapters.memcached import MemcachedClusters
from elasticache_autoscaler.adapters.serverless import ServerlessCaches
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.errors import ConsoleError

NOUNS = {
    CacheKind.REPLICATION_GROUP: "replication group",
    CacheKind.MEMCACHED: "Memcached cluster",
    CacheKind.SERVERLESS: "Serverless cache",
}


@dataclass(frozen=True)
class CacheNow:
    kind: CacheKind
    status: str
    capacity: str


def read_cache(clients: Clients, kind: CacheKind, cache_id: str) -> CacheNow:
    """The cache of ``kind`` named ``cache_id``; ClusterNotFoundError (or ValueError: a Memcached read of
    a group's member) when there is none."""
    match kind:
        case CacheKind.REPLICATION_GROUP:
            topology = ElastiCache(clients.elasticache).read_topology(cache_id)
            return CacheNow(kind, topology.status, topology.capacity.describe())
        case CacheKind.MEMCACHED:
            cluster = MemcachedClusters(clients.elasticache).read_cluster(cache_id)
            return CacheNow(kind, cluster.status, cluster.capacity.describe())
        case CacheKind.SERVERLESS:
            cache = ServerlessCaches(clients.elasticache).read_cache(cache_id)
            return CacheNow(kind, cache.status, cache.limits.describe())


def find_cache(clients: Clients, cache_id: str) -> CacheNow:
    """The cache ``cache_id`` names, whichever its kind; ConsoleError naming the kinds when none has it."""
    for kind in NOUNS:
        try:
            return read_cache(clients, kind, cache_id)
        except (ClusterNotFoundError, ValueError):
            continue
    raise ConsoleError(not_found(cache_id))


def not_found(cache_id: str) -> str:
    """The console's answer for an id no kind of cache has."""
    return f"no replication group, Memcached cluster or Serverless cache named {cache_id!r}"
