"""ElastiCache for a Memcached cluster: read it, and change its node count or node type with absolute targets.

Request builders are pure functions (tested with botocore's Stubber); the class makes the calls.
"""

from collections import Counter
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from elasticache_autoscaler.adapters.change_call import change_once
from elasticache_autoscaler.adapters.describe_one import describe_one
from elasticache_autoscaler.adapters.elasticache_clients import ElastiCacheClients
from elasticache_autoscaler.adapters.elasticache_tags import tags_of
from elasticache_autoscaler.adapters.error_codes import CLUSTER_BUSY, CLUSTER_NOT_FOUND
from elasticache_autoscaler.errors import ActionFailedError
from elasticache_autoscaler.models.kind_policy import MEMCACHED_MAX_NODES, ScaleConfig
from elasticache_autoscaler.models.memcached import (
    ONLINE_VERTICAL_SCALING_SINCE,
    MemcachedCluster,
    memcached_cluster_from,
)

if TYPE_CHECKING:
    from mypy_boto3_elasticache.type_defs import CacheClusterTypeDef, ModifyCacheClusterMessageTypeDef


class ChangeCacheCluster(NamedTuple):
    """One ModifyCacheCluster call, typed by mypy-boto3's request TypedDict."""

    operation: Literal["modify_cache_cluster"]
    params: "ModifyCacheClusterMessageTypeDef"


class MemcachedGateway(Protocol):
    """``set_*``: ``cluster`` is the cluster as just read in the same step (None: the setter reads it)."""

    def read_cluster(self, cluster_id: str) -> MemcachedCluster: ...
    def read_cluster_and_tags(self, cluster_id: str) -> tuple[MemcachedCluster, dict[str, str]]: ...
    def set_node_count(self, cluster_id: str, nodes: int, cluster: MemcachedCluster | None = None) -> str: ...
    def set_node_type(
        self,
        cluster_id: str,
        node_type: str,
        scale_config: ScaleConfig,
        cluster: MemcachedCluster | None = None,
    ) -> str: ...


def spread_over_zones(cluster: MemcachedCluster, count: int) -> list[str]:
    """An AZ for each of ``count`` new nodes: each goes to the cluster's AZ with the fewest nodes so far
    (ties: the first AZ by name). Only AZs the cluster already uses: a single-AZ cluster stays in its AZ."""
    per_zone = Counter({zone: 0 for zone in cluster.availability_zones})
    per_zone.update(n.availability_zone for n in cluster.nodes if n.availability_zone)
    zones: list[str] = []
    for _ in range(count):
        zone = min(per_zone, key=lambda z: (per_zone[z], z))
        per_zone[zone] += 1
        zones.append(zone)
    return zones


def node_count_request(cluster: MemcachedCluster, wanted: int) -> ChangeCacheCluster | None:
    """ModifyCacheCluster to ``NumCacheNodes=wanted`` (absolute: a retry cannot add twice), applied now.

    More nodes: ``NewAvailabilityZones`` spreads them over the cluster's AZs (``spread_over_zones``). Fewer:
    ``CacheNodeIdsToRemove`` names the newest nodes (``MemcachedCluster.newest_nodes``), as many as removed.
    None when the cluster has ``wanted`` nodes. Refused outside 1..40 (Memcached's NumCacheNodes range)."""
    if not 1 <= wanted <= MEMCACHED_MAX_NODES:
        raise ActionFailedError(f"{cluster.cluster_id}: {wanted} nodes is outside 1..{MEMCACHED_MAX_NODES}")
    current = cluster.node_count
    if wanted == current:
        return None
    params: ModifyCacheClusterMessageTypeDef = {
        "CacheClusterId": cluster.cluster_id,
        "NumCacheNodes": wanted,
        "ApplyImmediately": True,
    }
    if wanted > current:
        zones = spread_over_zones(cluster, wanted - current)
        if zones:
            params["NewAvailabilityZones"] = zones
    else:
        params["CacheNodeIdsToRemove"] = list(cluster.newest_nodes(current - wanted))
    return ChangeCacheCluster("modify_cache_cluster", params)


def node_type_request(
    cluster: MemcachedCluster, node_type: str, scale_config: ScaleConfig
) -> ChangeCacheCluster | None:
    """ModifyCacheCluster to ``CacheNodeType=node_type`` with ``ScaleConfig``, applied now; None when the
    cluster has that type. Refused (ActionFailedError) on a Memcached version without online vertical
    scaling (before 1.5)."""
    if node_type == cluster.node_type:
        return None
    if not cluster.supports_online_vertical_scaling:
        since = ".".join(map(str, ONLINE_VERTICAL_SCALING_SINCE))
        raise ActionFailedError(
            f"{cluster.cluster_id}: Memcached {cluster.engine_version or '(unknown version)'} cannot change "
            f"node type in place: ElastiCache scales a Memcached node type online from engine version {since}"
        )
    return ChangeCacheCluster(
        "modify_cache_cluster",
        {
            "CacheClusterId": cluster.cluster_id,
            "CacheNodeType": node_type,
            "ScaleConfig": {
                "ScalePercentage": scale_config.scale_percentage,
                "ScaleIntervalMinutes": scale_config.scale_interval_minutes,
            },
            "ApplyImmediately": True,
        },
    )


class MemcachedClusters(ElastiCacheClients):
    def read_cluster(self, cluster_id: str) -> MemcachedCluster:
        """DescribeCacheClusters with ``ShowCacheNodeInfo=True``: the nodes, their status and AZs."""
        return memcached_cluster_from(self._describe(cluster_id))

    def read_cluster_and_tags(self, cluster_id: str) -> tuple[MemcachedCluster, dict[str, str]]:
        """The cluster and its tags (ListTagsForResource on the ARN DescribeCacheClusters reports)."""
        item = self._describe(cluster_id)
        return memcached_cluster_from(item), tags_of(self._client, item["ARN"])

    def _describe(self, cluster_id: str) -> "CacheClusterTypeDef":
        return describe_one(
            lambda: self._client.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)[
                "CacheClusters"
            ],
            CLUSTER_NOT_FOUND,
            f"cache cluster {cluster_id!r}",
        )

    def set_node_count(self, cluster_id: str, nodes: int, cluster: MemcachedCluster | None = None) -> str:
        return self._call(node_count_request(cluster or self.read_cluster(cluster_id), nodes))

    # The signature of MemcachedGateway.set_node_type, repeated: mypy holds this class (and the fake) to it.
    def set_node_type(
        self,
        cluster_id: str,
        node_type: str,
        scale_config: ScaleConfig,
        cluster: MemcachedCluster | None = None,
    ) -> str:
        return self._call(
            node_type_request(cluster or self.read_cluster(cluster_id), node_type, scale_config)
        )

    def _call(self, request: ChangeCacheCluster | None) -> str:
        """``InvalidCacheClusterState``: GroupBusyError, to wait and re-read (``change_call.make_change``)."""
        return change_once(
            request,
            lambda params: self._changes.modify_cache_cluster(**params),
            busy=CLUSTER_BUSY,
            not_found=CLUSTER_NOT_FOUND,
        )
