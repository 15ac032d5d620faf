"""The Memcached topology model and its parser, on AWS's own example answer and on hand-built ones."""

from datetime import UTC, datetime
from typing import Any

import pytest

from elasticache_autoscaler.models.memcached import engine_version_tuple, memcached_cluster_from
from tests.unit.kinds.builders import elasticache_example


def _aws_example() -> dict[str, Any]:
    answer = elasticache_example(
        "DescribeCacheClusters", "describecacheclusters-1475012269754", ShowCacheNodeInfo=True
    )
    return dict(answer["CacheClusters"][0])


def test_parses_aws_published_describe_cache_clusters_example() -> None:
    # Given AWS's example answer for DescribeCacheClusters(ShowCacheNodeInfo=True) on "my-mem-cluster"
    # When it is parsed
    cluster = memcached_cluster_from(_aws_example())
    # Then every field the engine reads is there, nodes in id order with their AZs
    assert cluster.cluster_id == "my-mem-cluster"
    assert cluster.engine_version == "1.4.24"
    assert cluster.node_type == "cache.t2.medium"
    assert cluster.status == "available"
    assert [(n.node_id, n.status, n.availability_zone) for n in cluster.nodes] == [
        ("0001", "available", "us-east-1b"),
        ("0002", "available", "us-east-1a"),
    ]
    assert cluster.pending_modifications == ()
    assert cluster.availability_zones == ("us-east-1a", "us-east-1b")
    assert cluster.not_quiescent_because() is None
    assert cluster.capacity.nodes == 2
    # 1.4.24 predates online vertical scaling (1.5+)
    assert not cluster.supports_online_vertical_scaling


def test_the_answer_without_node_info_is_never_quiescent() -> None:
    # AWS's first example is DescribeCacheClusters without ShowCacheNodeInfo: no CacheNodes at all
    answer = elasticache_example("DescribeCacheClusters", "describecacheclusters-1475012269754")
    cluster = memcached_cluster_from(answer["CacheClusters"][0])
    assert cluster.nodes == ()
    assert "no cache node reported" in (cluster.not_quiescent_because() or "")


def _with(**changes: Any) -> dict[str, Any]:
    return {**_aws_example(), **changes}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"CacheClusterStatus": "modifying"}, "cache cluster is modifying"),
        ({"PendingModifiedValues": {"NumCacheNodes": 3}}, "pending modifications: NumCacheNodes"),
        (
            {"PendingModifiedValues": {"CacheNodeIdsToRemove": ["0002"], "NumCacheNodes": 1}},
            "pending modifications: CacheNodeIdsToRemove, NumCacheNodes",
        ),
    ],
)
def test_a_busy_or_pending_cluster_is_not_quiescent(changes: dict[str, Any], reason: str) -> None:
    assert memcached_cluster_from(_with(**changes)).not_quiescent_because() == reason


def test_a_node_still_creating_makes_an_available_cluster_not_quiescent() -> None:
    answer = _aws_example()
    answer["CacheNodes"] = [*answer["CacheNodes"], {"CacheNodeId": "0003", "CacheNodeStatus": "creating"}]
    assert memcached_cluster_from(answer).not_quiescent_because() == "node 0003 is creating"


def test_newest_nodes_go_first_by_creation_time_then_id() -> None:
    answer = _aws_example()
    answer["CacheNodes"] = [
        {
            "CacheNodeId": "0001",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": datetime(2026, 1, 1, tzinfo=UTC),
        },
        {
            "CacheNodeId": "0002",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": datetime(2026, 3, 1, tzinfo=UTC),
        },
        {
            "CacheNodeId": "0003",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": datetime(2026, 2, 1, tzinfo=UTC),
        },
        {
            "CacheNodeId": "0004",
            "CacheNodeStatus": "available",
            "CacheNodeCreateTime": datetime(2026, 3, 1, tzinfo=UTC),
        },
    ]
    cluster = memcached_cluster_from(answer)
    assert cluster.newest_nodes(1) == ("0004",)
    assert cluster.newest_nodes(3) == ("0004", "0002", "0003")


def test_a_redis_cluster_is_refused_by_the_memcached_parser() -> None:
    with pytest.raises(ValueError, match="runs redis, not memcached"):
        memcached_cluster_from(_with(Engine="redis"))


@pytest.mark.parametrize(
    ("version", "parsed", "vertical"),
    [("1.4.34", (1, 4), False), ("1.5.10", (1, 5), True), ("1.6.22", (1, 6), True), ("x", None, False)],
)
def test_online_vertical_scaling_starts_at_memcached_1_5(
    version: str, parsed: tuple[int, int] | None, vertical: bool
) -> None:
    assert engine_version_tuple(version) == parsed
    assert memcached_cluster_from(_with(EngineVersion=version)).supports_online_vertical_scaling is vertical
