"""A Memcached cluster as ``observe`` sees it, and what a decision targets for it.

Built by ``memcached_cluster_from`` from one ``CacheClusters`` item of DescribeCacheClusters called with
``ShowCacheNodeInfo=True`` (without it AWS sends no ``CacheNodes``). Pure: no I/O.
"""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind

ONLINE_VERTICAL_SCALING_SINCE = (1, 5)
"""Memcached engine version from which ElastiCache changes a node-based cluster's node type in place
(``CacheNodeType`` + ``ScaleConfig``): "Node type modifications are only available for node-based Memcached
clusters with engine version 1.5 or later" (and Auto Discovery must be on), "Scaling for Memcached clusters",
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Scaling-self-designed.mem-heading.html"""

_VERSION = re.compile(r"^(\d+)\.(\d+)")


def engine_version_tuple(version: str) -> tuple[int, int] | None:
    """``1.6.22`` -> (1, 6); None when the text is not a version."""
    match = _VERSION.match(version)
    return None if match is None else (int(match.group(1)), int(match.group(2)))


class CacheNode(WireModel):
    node_id: str
    status: str
    availability_zone: str | None = None
    created_at: datetime | None = None


class MemcachedCapacity(WireModel):
    """What a Memcached decision targets: a node type and an absolute node count. ``kind`` tells it apart
    from a replication group's ``Capacity`` in the workflow state and the decision log."""

    kind: Literal[CacheKind.MEMCACHED] = CacheKind.MEMCACHED

    node_type: str
    nodes: int = Field(ge=1)

    def describe(self) -> str:
        return f"{self.nodes} x {self.node_type} node(s)"


class MemcachedCluster(WireModel):
    cluster_id: str
    engine_version: str
    node_type: str
    status: str
    nodes: tuple[CacheNode, ...]
    pending_modifications: tuple[str, ...] = ()

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def capacity(self) -> MemcachedCapacity:
        return MemcachedCapacity(node_type=self.node_type, nodes=max(self.node_count, 1))

    @property
    def availability_zones(self) -> tuple[str, ...]:
        """The AZs the cluster's nodes are in, sorted (new nodes are spread over these)."""
        return tuple(sorted({n.availability_zone for n in self.nodes if n.availability_zone}))

    @property
    def supports_online_vertical_scaling(self) -> bool:
        version = engine_version_tuple(self.engine_version)
        return version is not None and version >= ONLINE_VERTICAL_SCALING_SINCE

    def newest_nodes(self, count: int) -> tuple[str, ...]:
        """The ids of the ``count`` most recently created nodes (by creation time, then the highest id):
        a scale-in removes these, so the longest-lived nodes, and their warm keys, stay."""
        ordered = sorted(
            self.nodes,
            key=lambda n: (n.created_at is not None, n.created_at or datetime.min, n.node_id),
            reverse=True,
        )
        return tuple(n.node_id for n in ordered[:count])

    def not_quiescent_because(self) -> str | None:
        """Why the cluster cannot be changed now, or None when it and every node is ``available`` and
        nothing is pending."""
        if self.status != "available":
            return f"cache cluster is {self.status}"
        if self.pending_modifications:
            return f"pending modifications: {', '.join(self.pending_modifications)}"
        for node in self.nodes:
            if node.status != "available":
                return f"node {node.node_id} is {node.status}"
        if not self.nodes:
            return "no cache node reported (DescribeCacheClusters without ShowCacheNodeInfo?)"
        return None


def memcached_cluster_from(cluster: Mapping[str, Any]) -> MemcachedCluster:
    """One item of DescribeCacheClusters' ``CacheClusters`` (``ShowCacheNodeInfo=True``), as a model.

    Raises ValueError when the item is not a Memcached cluster (a Valkey/Redis member has its own model)."""
    engine = str(cluster.get("Engine", ""))
    if engine.lower() != "memcached":
        raise ValueError(
            f"cache cluster {cluster.get('CacheClusterId')!r} runs {engine or 'no engine'}, not memcached"
        )
    pending = cluster.get("PendingModifiedValues") or {}
    nodes = tuple(
        CacheNode(
            node_id=node["CacheNodeId"],
            status=node.get("CacheNodeStatus", "unknown"),
            availability_zone=node.get("CustomerAvailabilityZone"),
            created_at=node.get("CacheNodeCreateTime"),
        )
        for node in cluster.get("CacheNodes", [])
    )
    return MemcachedCluster(
        cluster_id=cluster["CacheClusterId"],
        engine_version=cluster.get("EngineVersion", ""),
        node_type=cluster.get("CacheNodeType", ""),
        status=cluster.get("CacheClusterStatus", "unknown"),
        nodes=tuple(sorted(nodes, key=lambda n: n.node_id)),
        pending_modifications=tuple(sorted(k for k, v in pending.items() if v)),
    )
