"""Issue 11, finding 9: the code refuses every mutating ElastiCache field the product never sends, for the
fields IAM has no condition key for (docs/iam.md). Every request the builders make passes; anything more
is a FieldNotAllowedError that names the field and never echoes a value."""

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import SecretStr

from elasticache_autoscaler.adapters.elasticache import (
    node_type_request,
    replica_count_request,
    shard_count_request,
)
from elasticache_autoscaler.adapters.elasticache_credentials import passwords_request, token_request
from elasticache_autoscaler.adapters.memcached import node_count_request
from elasticache_autoscaler.adapters.memcached import node_type_request as memcached_node_type_request
from elasticache_autoscaler.adapters.request_fields import ALLOWED, check_request
from elasticache_autoscaler.adapters.serverless import usage_limits_request
from elasticache_autoscaler.errors import ActionFailedError, FieldNotAllowedError
from elasticache_autoscaler.models.kind_policy import ScaleConfig
from elasticache_autoscaler.models.serverless import UsageLimits, serverless_cache_from
from tests.fakes.adapters import topology
from tests.unit.kinds.builders import memcached_in_zones, serverless_item

TOKEN = SecretStr("a-new-token-of-32-characters-xyz")


def _every_request_the_builders_make() -> list[tuple[str, Mapping[str, Any]]]:
    one_shard = topology("orders", shards=1, replicas=1)
    three_shards = topology("orders", shards=3, replicas=2)
    large = topology("orders", allowed_scale_up=("cache.r7g.xlarge",), allowed_scale_down=())
    requests = [
        replica_count_request(one_shard, 2),
        replica_count_request(three_shards, 1),
        shard_count_request(three_shards, 5, {}),
        shard_count_request(three_shards, 2, {"0001": 10.0}),
        node_type_request(large, "cache.r7g.xlarge"),
    ]
    built: list[tuple[str, Mapping[str, Any]]] = [(r.operation, r.params) for r in requests if r is not None]
    three_nodes = memcached_in_zones(["us-east-1a", "us-east-1b", "us-east-1a"])
    serverless = serverless_cache_from(serverless_item())
    for kind_request in (
        node_count_request(three_nodes, 5),
        node_count_request(three_nodes, 1),
        memcached_node_type_request(three_nodes, "cache.m7g.xlarge", ScaleConfig()),
        usage_limits_request(serverless, UsageLimits(data_storage_max_gb=20, ecpu_per_second_max=9000)),
    ):
        assert kind_request is not None
        built.append((kind_request.operation, kind_request.params))
    built.append(("modify_replication_group", token_request("orders", TOKEN, "ROTATE")))
    built.append(("modify_replication_group", token_request("orders", TOKEN, "SET")))
    built.append(("modify_user", passwords_request("app", (TOKEN, SecretStr("the-old-password-xyz")))))
    built.append(("modify_user", passwords_request("app", (TOKEN,))))
    return built


@pytest.mark.parametrize(("operation", "params"), _every_request_the_builders_make())
def test_every_request_the_product_makes_is_allowed(operation: str, params: Mapping[str, Any]) -> None:
    check_request(operation, params)


def test_the_builders_cover_every_allowed_operation() -> None:
    assert {op for op, _ in _every_request_the_builders_make()} == set(ALLOWED)


@pytest.mark.parametrize(
    ("operation", "params", "named"),
    [
        # fields no IAM condition key covers
        ("modify_replication_group", {"SecurityGroupIds": ["sg-1"]}, "SecurityGroupIds"),
        ("modify_replication_group", {"UserGroupIdsToAdd": ["ug"]}, "UserGroupIdsToAdd"),
        ("modify_replication_group", {"UserGroupIdsToRemove": ["ug"]}, "UserGroupIdsToRemove"),
        ("modify_replication_group", {"RemoveUserGroups": True}, "RemoveUserGroups"),
        ("modify_replication_group", {"PrimaryClusterId": "orders-002"}, "PrimaryClusterId"),
        ("modify_replication_group", {"NotificationTopicArn": "arn:x"}, "NotificationTopicArn"),
        ("modify_replication_group", {"PreferredMaintenanceWindow": "sun:05:00-sun:06:00"}, "Preferred"),
        # fields IAM also denies (defence in depth)
        ("modify_replication_group", {"EngineVersion": "7.1"}, "EngineVersion"),
        ("modify_replication_group", {"MultiAZEnabled": False}, "MultiAZEnabled"),
        ("modify_replication_group", {"AutomaticFailoverEnabled": False}, "AutomaticFailoverEnabled"),
    ],
)
def test_a_field_the_product_never_sends_is_refused_by_name(
    operation: str, params: dict[str, Any], named: str
) -> None:
    request = {"ReplicationGroupId": "orders", "CacheNodeType": "cache.r7g.xlarge", "ApplyImmediately": True}
    with pytest.raises(FieldNotAllowedError, match=named):
        check_request(operation, {**request, **params})


def test_a_node_type_change_and_a_token_change_never_travel_together() -> None:
    mixed = {**token_request("orders", TOKEN, "ROTATE"), "CacheNodeType": "cache.r7g.xlarge"}
    with pytest.raises(FieldNotAllowedError) as refused:
        check_request("modify_replication_group", mixed)
    assert TOKEN.get_secret_value() not in str(refused.value)


@pytest.mark.parametrize(
    ("operation", "params", "named"),
    [
        (
            "modify_replication_group",
            {**token_request("orders", TOKEN, "ROTATE"), "AuthTokenUpdateStrategy": "DELETE"},
            "AuthTokenUpdateStrategy",
        ),
        (
            "modify_replication_group",
            {"ReplicationGroupId": "o", "CacheNodeType": "x", "ApplyImmediately": False},
            "ApplyImmediately",
        ),
        (
            "increase_replica_count",
            {"ReplicationGroupId": "o", "ApplyImmediately": True, "NewReplicaCount": -1},
            "NewReplicaCount",
        ),
        (
            "increase_replica_count",
            {"ReplicationGroupId": "o", "ApplyImmediately": True, "NewReplicaCount": True},
            "NewReplicaCount",
        ),
        ("modify_user", {"UserId": "app", "Passwords": ["a", "b", "c"]}, "Passwords"),
        ("modify_user", {"UserId": "app", "Passwords": ["a"], "AccessString": "on ~* +@all"}, "AccessString"),
        ("modify_user", {"UserId": "app", "NoPasswordRequired": True}, "NoPasswordRequired"),
        (
            "modify_replication_group_shard_configuration",
            {"ReplicationGroupId": "o", "ApplyImmediately": True},
            "NodeGroupCount",
        ),
    ],
)
def test_a_value_or_a_missing_field_the_product_never_sends_is_refused(
    operation: str, params: dict[str, Any], named: str
) -> None:
    with pytest.raises(FieldNotAllowedError, match=named) as refused:
        check_request(operation, params)
    assert TOKEN.get_secret_value() not in str(refused.value)


@pytest.mark.parametrize("operation", ["delete_replication_group", "modify_cache_cluster", "test_failover"])
def test_an_operation_the_product_never_makes_is_refused(operation: str) -> None:
    with pytest.raises(ActionFailedError, match=operation):
        check_request(operation, {"ReplicationGroupId": "orders"})


@pytest.mark.parametrize(
    ("operation", "params", "named"),
    [
        (
            "modify_cache_cluster",
            {"CacheClusterId": "c", "NumCacheNodes": 41, "ApplyImmediately": True},
            "Num",
        ),
        (
            "modify_cache_cluster",
            {"CacheClusterId": "c", "NumCacheNodes": 2, "ApplyImmediately": False},
            "Apply",
        ),
        (
            "modify_cache_cluster",
            {"CacheClusterId": "c", "NumCacheNodes": 2, "ApplyImmediately": True, "EngineVersion": "1.6"},
            "EngineVersion",
        ),
        (
            "modify_cache_cluster",
            {"CacheClusterId": "c", "CacheNodeType": "cache.m7g.large", "ApplyImmediately": True},
            "ScaleConfig",
        ),
        ("modify_serverless_cache", {"ServerlessCacheName": "s", "CacheUsageLimits": {}}, "CacheUsageLimits"),
        (
            "modify_serverless_cache",
            {"ServerlessCacheName": "s", "CacheUsageLimits": {"DataStorage": {"Maximum": 5, "Unit": "TB"}}},
            "CacheUsageLimits",
        ),
        (
            "modify_serverless_cache",
            {
                "ServerlessCacheName": "s",
                "CacheUsageLimits": {"ECPUPerSecond": {"Maximum": 5}},
                "UserGroupId": "u",
            },
            "UserGroupId",
        ),
    ],
)
def test_memcached_and_serverless_requests_beyond_the_products_are_refused(
    operation: str, params: dict[str, Any], named: str
) -> None:
    with pytest.raises(FieldNotAllowedError, match=named):
        check_request(operation, params)
