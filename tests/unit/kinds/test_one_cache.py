"""What a Memcached cluster and a Serverless cache do alike (``kinds.one_cache``): whether a cache is managed,
and a cache cluster of another engine is no Memcached cluster (fakes, no sockets)."""

from dataclasses import dataclass

import pytest

from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.kinds.base import CacheKindOps
from elasticache_autoscaler.kinds.memcached import MemcachedClustersKind
from elasticache_autoscaler.kinds.serverless import ServerlessCachesKind
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import serverless_cache_from
from tests.fakes.adapters import FakePolicies
from tests.fakes.kinds import FakeKindMetrics, FakeMemcached, FakeServerless
from tests.unit.kinds.builders import cluster, serverless_item

TAG = "elasticache-autoscaler:managed"


@dataclass
class RedisBehindTheId(FakeMemcached):
    """DescribeCacheClusters answers a Valkey/Redis cache cluster (a replication group's member)."""

    def read_cluster_and_tags(self, cluster_id: str) -> tuple[MemcachedCluster, dict[str, str]]:
        raise ValueError(f"cache cluster {cluster_id!r} runs redis")


def _kinds() -> list[CacheKindOps]:
    memcached = FakeMemcached(
        clusters={"managed": cluster(2), "other": cluster(2)}, tags={"managed": {TAG: "true"}}
    )
    item = serverless_cache_from(serverless_item())
    serverless = FakeServerless(caches={"managed": item, "other": item}, tags={"managed": {TAG: "true"}})
    return [
        MemcachedClustersKind(memcached, FakeKindMetrics()),
        ServerlessCachesKind(serverless, FakeKindMetrics()),
    ]


@pytest.mark.parametrize("kind", _kinds(), ids=lambda k: k.noun)
def test_a_cache_is_managed_only_when_it_exists_and_carries_the_tag(kind: CacheKindOps) -> None:
    # Given a managed cache, an untagged one and an id no cache of the kind has
    # When the triggers ask whether each is managed
    states = [kind.managed_state(cache_id, TAG) for cache_id in ("managed", "other", "gone")]
    # Then only the tagged one is, and each other says why
    assert states == [None, "cluster is not managed", "cluster does not exist"]


def test_a_cache_cluster_of_another_engine_is_no_memcached_cluster() -> None:
    # Given an id DescribeCacheClusters answers with a Redis cache cluster
    kind = MemcachedClustersKind(RedisBehindTheId(), FakeKindMetrics())
    # When the triggers and reconcile look at it
    # Then it does not exist as a Memcached cluster (not a ValueError)
    assert kind.managed_state("node-001", TAG) == "cluster does not exist"
    with pytest.raises(ClusterNotFoundError, match="'node-001' is not a Memcached cluster"):
        kind.desired_alarms("node-001", FakePolicies(documents={}), "p", TAG)
