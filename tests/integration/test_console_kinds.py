"""The console finds a cache of any kind and validates its policy with that kind's model (``policy``,
``clusters``), pinned with botocore's Stubber: the exact DescribeReplicationGroups, DescribeCacheClusters,
DescribeServerlessCaches and GetParameter requests, answers validated against botocore's model."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler_cli.console import policy
from elasticache_autoscaler_cli.console.caches import find_cache
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.errors import ConsoleError
from tests.unit.kinds.builders import elasticache_example, serverless_item

PREFIX = "/elasticache-autoscaler/demo"


@pytest.fixture
def clients() -> Clients:
    # Dummy credentials: the stubbed clients never leave the process
    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    found = Clients(session)
    # cached_property: read once here, the commands then use these very (stubbed) clients
    assert found.elasticache is found.elasticache
    assert found.ssm is found.ssm
    return found


@pytest.fixture
def elasticache(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.elasticache) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def ssm(clients: Clients) -> Iterator[Stubber]:
    with Stubber(clients.ssm) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _no_group(stub: Stubber, name: str) -> None:
    stub.add_client_error(
        "describe_replication_groups",
        service_error_code="ReplicationGroupNotFoundFault",
        expected_params={"ReplicationGroupId": name},
    )


def _no_cluster(stub: Stubber, name: str) -> None:
    stub.add_client_error(
        "describe_cache_clusters",
        service_error_code="CacheClusterNotFound",
        expected_params={"CacheClusterId": name, "ShowCacheNodeInfo": True},
    )


def test_a_memcached_cluster_is_found_after_the_replication_groups(
    clients: Clients, elasticache: Stubber
) -> None:
    # AWS's published DescribeCacheClusters example: my-mem-cluster, 2 x cache.t2.medium, Memcached
    answer = elasticache_example(
        "DescribeCacheClusters", "describecacheclusters-1475012269754", ShowCacheNodeInfo=True
    )
    _no_group(elasticache, "my-mem-cluster")
    elasticache.add_response(
        "describe_cache_clusters",
        answer,
        expected_params={"CacheClusterId": "my-mem-cluster", "ShowCacheNodeInfo": True},
    )

    found = find_cache(clients, "my-mem-cluster")

    assert (found.kind, found.status) == (CacheKind.MEMCACHED, "available")
    assert found.capacity == "2 x cache.t2.medium node(s)"


def test_a_serverless_cache_is_found_last(clients: Clients, elasticache: Stubber) -> None:
    _no_group(elasticache, "sessions")
    _no_cluster(elasticache, "sessions")
    elasticache.add_response(
        "describe_serverless_caches",
        {"ServerlessCaches": [serverless_item()]},
        expected_params={"ServerlessCacheName": "sessions"},
    )

    found = find_cache(clients, "sessions")

    assert (found.kind, found.capacity) == (CacheKind.SERVERLESS, "data storage 1..10 GB, 1000..5000 ECPU/s")


def test_an_id_no_kind_has_is_an_error_naming_the_kinds(clients: Clients, elasticache: Stubber) -> None:
    _no_group(elasticache, "typo")
    _no_cluster(elasticache, "typo")
    elasticache.add_client_error(
        "describe_serverless_caches",
        service_error_code="ServerlessCacheNotFoundFault",
        expected_params={"ServerlessCacheName": "typo"},
    )

    with pytest.raises(ConsoleError, match="no replication group, Memcached cluster or Serverless cache"):
        find_cache(clients, "typo")


def _parameters(stub: Stubber, cluster: str, default: dict[str, Any], override: dict[str, Any]) -> None:
    for name, value in ((f"{PREFIX}/default", default), (f"{PREFIX}/clusters/{cluster}", override)):
        stub.add_response(
            "get_parameter",
            {"Parameter": {"Name": name, "Type": "String", "Value": json.dumps(value), "Version": 1}},
            expected_params={"Name": name},
        )


def test_a_serverless_policy_is_shown_with_its_own_model(clients: Clients, ssm: Stubber) -> None:
    override = {
        "maxDataStorageGb": 50,
        "baseMinimums": {"ecpuPerSecond": 1000},
        "schedules": [
            {
                "name": "launch",
                "cron": "0 8 * * *",
                "durationMinutes": 60,
                "minimums": {"ecpuPerSecond": 9000},
            }
        ],
    }
    _parameters(ssm, "sessions", {"mode": "act", "maxShards": 4}, override)

    view = policy.effective(clients.ssm, PREFIX, "sessions", kind=CacheKind.SERVERLESS)

    # The default's plain fields the kind has (mode) are inherited; a group's (maxShards) are not
    wire = view.to_wire()
    assert wire["kind"] == "serverless"
    effective = view.effective.to_wire()
    assert (effective["mode"], effective["maxDataStorageGb"]) == ("act", 50)
    assert effective["schedules"][0]["minimums"] == {"dataStorageGb": None, "ecpuPerSecond": 9000}  # type: ignore[index]


def test_a_group_field_in_a_memcached_policy_is_an_error_naming_it(clients: Clients, ssm: Stubber) -> None:
    _parameters(ssm, "web", {"mode": "observe"}, {"minShards": 2})

    with pytest.raises(ConsoleError, match="minShards does not apply to a Memcached cluster"):
        policy.effective(clients.ssm, PREFIX, "web", kind=CacheKind.MEMCACHED)
