"""Contract of every ElastiCache call the Memcached and Serverless adapters make, pinned with botocore's
Stubber: exact request parameters (``expected_params``), answers validated against botocore's own model
(AWS's published DescribeCacheClusters example among them), and ElastiCache's error codes mapped to the
workflow's errors (busy: GroupBusyError, the same wait-and-re-read as a busy replication group)."""

from typing import TYPE_CHECKING, Any

import pytest
from botocore.stub import Stubber

from elasticache_autoscaler.adapters.change_call import ALREADY_THERE_RESULT
from elasticache_autoscaler.adapters.memcached import MemcachedClusters
from elasticache_autoscaler.adapters.serverless import ServerlessCaches
from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError, GroupBusyError
from elasticache_autoscaler.models.kind_policy import ScaleConfig
from elasticache_autoscaler.models.memcached import memcached_cluster_from
from elasticache_autoscaler.models.serverless import UsageLimits, serverless_cache_from
from tests.fakes.stubbed import offline_elasticache
from tests.unit.kinds.builders import elasticache_example, memcached_in_zones, serverless_item

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

CLUSTER = "my-mem-cluster"  # AWS's example cluster


@pytest.fixture
def client() -> "ElastiCacheClient":
    return offline_elasticache()


def aws_example_answer() -> dict[str, Any]:
    return elasticache_example(
        "DescribeCacheClusters", "describecacheclusters-1475012269754", ShowCacheNodeInfo=True
    )


def test_read_cluster_asks_for_node_info_and_parses_aws_example(
    stub: Stubber, client: "ElastiCacheClient"
) -> None:
    stub.add_response(
        "describe_cache_clusters",
        aws_example_answer(),
        expected_params={"CacheClusterId": CLUSTER, "ShowCacheNodeInfo": True},
    )
    cluster = MemcachedClusters(client).read_cluster(CLUSTER)
    assert [n.node_id for n in cluster.nodes] == ["0001", "0002"]
    assert cluster.not_quiescent_because() is None


def test_read_missing_cluster_is_not_found(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_client_error("describe_cache_clusters", "CacheClusterNotFound", http_status_code=404)
    with pytest.raises(ClusterNotFoundError, match="does not exist"):
        MemcachedClusters(client).read_cluster(CLUSTER)


def test_scale_out_sends_absolute_count_and_spreads_new_nodes_over_the_clusters_zones(
    stub: Stubber, client: "ElastiCacheClient"
) -> None:
    # Given 3 nodes: two in us-east-1a, one in us-east-1b
    cluster = memcached_in_zones(["us-east-1a", "us-east-1b", "us-east-1a"])
    # When it goes to 5 nodes, Then the 4th goes to 1b (fewest), the 5th to 1a (tie: by name)
    stub.add_response(
        "modify_cache_cluster",
        {},
        expected_params={
            "CacheClusterId": CLUSTER,
            "NumCacheNodes": 5,
            "ApplyImmediately": True,
            "NewAvailabilityZones": ["us-east-1b", "us-east-1a"],
        },
    )
    assert MemcachedClusters(client).set_node_count(CLUSTER, 5, cluster) == "modify_cache_cluster"


def test_scale_in_removes_the_newest_nodes(stub: Stubber, client: "ElastiCacheClient") -> None:
    cluster = memcached_in_zones(["us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b"])
    stub.add_response(
        "modify_cache_cluster",
        {},
        expected_params={
            "CacheClusterId": CLUSTER,
            "NumCacheNodes": 2,
            "ApplyImmediately": True,
            "CacheNodeIdsToRemove": ["0004", "0003"],
        },
    )
    assert MemcachedClusters(client).set_node_count(CLUSTER, 2, cluster) == "modify_cache_cluster"


def test_a_setter_without_the_cluster_reads_it_first(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_response(
        "describe_cache_clusters",
        aws_example_answer(),
        expected_params={"CacheClusterId": CLUSTER, "ShowCacheNodeInfo": True},
    )
    stub.add_response(
        "modify_cache_cluster",
        {},
        expected_params={
            "CacheClusterId": CLUSTER,
            "NumCacheNodes": 3,
            "ApplyImmediately": True,
            "NewAvailabilityZones": ["us-east-1a"],
        },
    )
    assert MemcachedClusters(client).set_node_count(CLUSTER, 3) == "modify_cache_cluster"


def test_node_count_already_there_makes_no_call(stub: Stubber, client: "ElastiCacheClient") -> None:
    assert (
        MemcachedClusters(client).set_node_count(CLUSTER, 2, memcached_in_zones(["a", "b"]))
        == ALREADY_THERE_RESULT
    )


@pytest.mark.parametrize("wanted", [0, 41])
def test_a_node_count_outside_memcacheds_range_is_refused(
    stub: Stubber, client: "ElastiCacheClient", wanted: int
) -> None:
    with pytest.raises(ActionFailedError, match=r"outside 1\.\.40"):
        MemcachedClusters(client).set_node_count(CLUSTER, wanted, memcached_in_zones(["a"]))


def test_node_type_change_carries_scale_config(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_response(
        "modify_cache_cluster",
        {},
        expected_params={
            "CacheClusterId": CLUSTER,
            "CacheNodeType": "cache.m7g.xlarge",
            "ScaleConfig": {"ScalePercentage": 50, "ScaleIntervalMinutes": 10},
            "ApplyImmediately": True,
        },
    )
    config = ScaleConfig(scale_percentage=50, scale_interval_minutes=10)
    result = MemcachedClusters(client).set_node_type(
        CLUSTER, "cache.m7g.xlarge", config, memcached_in_zones(["a"])
    )
    assert result == "modify_cache_cluster"


def test_node_type_change_before_memcached_1_5_is_refused_naming_the_version(
    stub: Stubber, client: "ElastiCacheClient"
) -> None:
    old = memcached_cluster_from(aws_example_answer()["CacheClusters"][0])  # AWS's example: 1.4.24
    with pytest.raises(
        ActionFailedError, match=r"Memcached 1\.4\.24 cannot change.*from engine version 1\.5"
    ):
        MemcachedClusters(client).set_node_type(CLUSTER, "cache.m7g.large", ScaleConfig(), old)


def test_same_node_type_is_already_there(stub: Stubber, client: "ElastiCacheClient") -> None:
    cluster = memcached_in_zones(["a"], node_type="cache.m7g.large")
    assert MemcachedClusters(client).set_node_type(CLUSTER, "cache.m7g.large", ScaleConfig(), cluster) == (
        ALREADY_THERE_RESULT
    )


@pytest.mark.parametrize(
    ("code", "status", "raised"),
    [
        ("InvalidCacheClusterState", 400, GroupBusyError),
        ("CacheClusterNotFound", 404, ClusterNotFoundError),
        ("InsufficientCacheClusterCapacity", 400, ActionFailedError),
    ],
)
def test_memcached_error_mapping(
    stub: Stubber, client: "ElastiCacheClient", code: str, status: int, raised: type[Exception]
) -> None:
    stub.add_client_error("modify_cache_cluster", code, "refused", http_status_code=status)
    with pytest.raises(raised, match=code):
        MemcachedClusters(client).set_node_count(CLUSTER, 3, memcached_in_zones(["a", "b"]))


def test_memcached_no_operation_is_already_there(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_client_error("modify_cache_cluster", "NoOperationFault", "No operation is needed.")
    assert (
        MemcachedClusters(client).set_node_count(CLUSTER, 3, memcached_in_zones(["a", "b"]))
        == ALREADY_THERE_RESULT
    )


# Serverless


def test_read_serverless_cache(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_response(
        "describe_serverless_caches",
        {"ServerlessCaches": [serverless_item()]},
        expected_params={"ServerlessCacheName": "sessions"},
    )
    cache = ServerlessCaches(client).read_cache("sessions")
    assert cache.limits.ecpu_per_second_max == 5000


def test_read_missing_serverless_cache(stub: Stubber, client: "ElastiCacheClient") -> None:
    stub.add_client_error("describe_serverless_caches", "ServerlessCacheNotFoundFault", http_status_code=404)
    with pytest.raises(ClusterNotFoundError, match="sessions"):
        ServerlessCaches(client).read_cache("sessions")


def test_set_usage_limits_sends_every_limit_absolute(stub: Stubber, client: "ElastiCacheClient") -> None:
    cache = serverless_cache_from(serverless_item())
    target = UsageLimits(
        data_storage_max_gb=20, data_storage_min_gb=1, ecpu_per_second_max=8000, ecpu_per_second_min=1000
    )
    stub.add_response(
        "modify_serverless_cache",
        {},
        expected_params={
            "ServerlessCacheName": "sessions",
            "CacheUsageLimits": {
                "DataStorage": {"Unit": "GB", "Maximum": 20, "Minimum": 1},
                "ECPUPerSecond": {"Maximum": 8000, "Minimum": 1000},
            },
        },
    )
    assert ServerlessCaches(client).set_usage_limits("sessions", target, cache) == "modify_serverless_cache"


def test_only_the_limits_the_target_has_are_sent(stub: Stubber, client: "ElastiCacheClient") -> None:
    cache = serverless_cache_from({**serverless_item(), "CacheUsageLimits": {}})
    stub.add_response(
        "modify_serverless_cache",
        {},
        expected_params={
            "ServerlessCacheName": "sessions",
            "CacheUsageLimits": {"ECPUPerSecond": {"Maximum": 8000}},
        },
    )
    target = UsageLimits(ecpu_per_second_max=8000)
    assert ServerlessCaches(client).set_usage_limits("sessions", target, cache) == "modify_serverless_cache"


def test_usage_limits_already_there_make_no_call(stub: Stubber, client: "ElastiCacheClient") -> None:
    cache = serverless_cache_from(serverless_item())
    assert ServerlessCaches(client).set_usage_limits("sessions", cache.limits, cache) == ALREADY_THERE_RESULT


def test_a_minimum_above_its_maximum_is_refused_without_a_call(
    stub: Stubber, client: "ElastiCacheClient"
) -> None:
    cache = serverless_cache_from(serverless_item())
    target = cache.limits.model_copy(update={"ecpu_per_second_min": 9000})
    with pytest.raises(ActionFailedError, match="ECPUPerSecond minimum 9000 is above its maximum 5000"):
        ServerlessCaches(client).set_usage_limits("sessions", target, cache)


@pytest.mark.parametrize(
    ("code", "status", "raised"),
    [
        ("InvalidServerlessCacheStateFault", 400, GroupBusyError),
        ("ServerlessCacheNotFoundFault", 404, ClusterNotFoundError),
        ("InvalidParameterValue", 400, ActionFailedError),
    ],
)
def test_serverless_error_mapping(
    stub: Stubber, client: "ElastiCacheClient", code: str, status: int, raised: type[Exception]
) -> None:
    stub.add_client_error("modify_serverless_cache", code, "refused", http_status_code=status)
    cache = serverless_cache_from(serverless_item())
    with pytest.raises(raised, match=code):
        ServerlessCaches(client).set_usage_limits("sessions", UsageLimits(ecpu_per_second_max=9000), cache)
