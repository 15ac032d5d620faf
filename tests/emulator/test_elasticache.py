"""Replication groups on the launcher change state over time, as real ElastiCache groups do."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from elasticache_autoscaler.catalog import allowed_modifications
from tests.emulator.conftest import CHANGE_SECONDS
from tools.emulator.control import Emulator


def _group(ec: Any, group_id: str) -> dict[str, Any]:
    groups: list[dict[str, Any]] = ec.describe_replication_groups(ReplicationGroupId=group_id)[
        "ReplicationGroups"
    ]
    return groups[0]


def _wait_available(ec: Any, group_id: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        group = _group(ec, group_id)
        if group["Status"] == "available":
            return group
        time.sleep(0.05)
    raise AssertionError(f"{group_id} still {group['Status']}")


def _member_statuses(ec: Any, group: dict[str, Any]) -> dict[str, str]:
    clusters = ec.describe_cache_clusters()["CacheClusters"]
    members = set(group["MemberClusters"])
    return {c["CacheClusterId"]: c["CacheClusterStatus"] for c in clusters if c["CacheClusterId"] in members}


def _error_code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _create_cluster_mode(ec: Any, group_id: str, shards: int = 2, replicas: int = 1) -> dict[str, Any]:
    group: dict[str, Any] = ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="test",
        Engine="valkey",
        CacheNodeType="cache.r7g.large",
        NumNodeGroups=shards,
        ReplicasPerNodeGroup=replicas,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        TransitEncryptionEnabled=True,
        AuthToken="first-token-0123456789",
        Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
    )["ReplicationGroup"]
    return group


def test_cluster_mode_enabled_group_with_two_shards_is_created(
    emu: Emulator, client: Callable[[str], Any]
) -> None:
    ec = client("elasticache")

    group = _create_cluster_mode(ec, "cme-two")

    assert group["Status"] == "available"
    assert group["ClusterEnabled"] is True
    assert group["MultiAZ"] == "enabled"
    assert group["AutomaticFailover"] == "enabled"
    assert group["CacheNodeType"] == "cache.r7g.large"
    assert group["TransitEncryptionEnabled"] is True
    assert group["AuthTokenEnabled"] is True
    assert "AuthTokenLastModifiedDate" in group
    assert group["PendingModifiedValues"] == {}
    assert [ng["NodeGroupId"] for ng in group["NodeGroups"]] == ["0001", "0002"]
    # As AWS answers a cluster-mode-enabled group: no CurrentRole (see test_conformance.py).
    assert all("CurrentRole" not in m for ng in group["NodeGroups"] for m in ng["NodeGroupMembers"])
    assert [len(ng["NodeGroupMembers"]) for ng in group["NodeGroups"]] == [2, 2]
    assert group["MemberClusters"] == [
        "cme-two-0001-001",
        "cme-two-0001-002",
        "cme-two-0002-001",
        "cme-two-0002-002",
    ]
    tags = ec.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
    assert {"Key": "elasticache-autoscaler:managed", "Value": "true"} in tags


def test_cluster_mode_disabled_group_has_one_shard(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")

    group = ec.create_replication_group(
        ReplicationGroupId="cmd-one",
        ReplicationGroupDescription="test",
        CacheNodeType="cache.m7g.large",
        NumCacheClusters=3,
    )["ReplicationGroup"]

    assert group["ClusterEnabled"] is False
    assert group["AuthTokenEnabled"] is False
    assert group["MemberClusters"] == ["cmd-one-001", "cmd-one-002", "cmd-one-003"]
    assert [m["CurrentRole"] for m in group["NodeGroups"][0]["NodeGroupMembers"]] == [
        "primary",
        "replica",
        "replica",
    ]
    ec.add_tags_to_resource(ResourceName=group["ARN"], Tags=[{"Key": "team", "Value": "cache"}])
    assert ec.list_tags_for_resource(ResourceName=group["ARN"])["TagList"] == [
        {"Key": "team", "Value": "cache"}
    ]


def test_increase_replicas_goes_through_modifying_and_creating(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "inc")

    group = ec.increase_replica_count(ReplicationGroupId="inc", NewReplicaCount=2, ApplyImmediately=True)[
        "ReplicationGroup"
    ]

    assert group["Status"] == "modifying"
    assert {ng["Status"] for ng in group["NodeGroups"]} == {"modifying"}
    statuses = _member_statuses(ec, group)
    assert statuses["inc-0001-003"] == "creating"
    assert statuses["inc-0001-001"] == "available"
    with pytest.raises(ClientError) as busy:
        ec.decrease_replica_count(ReplicationGroupId="inc", NewReplicaCount=1, ApplyImmediately=True)
    assert _error_code(busy) == ("InvalidReplicationGroupState", 400)

    group = _wait_available(ec, "inc")

    assert [len(ng["NodeGroupMembers"]) for ng in group["NodeGroups"]] == [3, 3]
    assert set(_member_statuses(ec, group).values()) == {"available"}
    with pytest.raises(ClientError) as noop:
        ec.increase_replica_count(ReplicationGroupId="inc", NewReplicaCount=2, ApplyImmediately=True)
    assert _error_code(noop) == ("NoOperationFault", 400)


def test_group_can_be_available_while_a_new_member_is_still_creating(
    emu: Emulator, client: Callable[[str], Any]
) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "lag")
    emu.set_member_lag_seconds(0.5)

    ec.increase_replica_count(ReplicationGroupId="lag", NewReplicaCount=2, ApplyImmediately=True)
    group = _wait_available(ec, "lag")

    assert _member_statuses(ec, group)["lag-0001-003"] == "creating"
    with pytest.raises(ClientError) as busy:
        ec.modify_replication_group(
            ReplicationGroupId="lag", CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True
        )
    assert _error_code(busy) == ("InvalidReplicationGroupState", 400)
    time.sleep(0.5)
    assert set(_member_statuses(ec, group).values()) == {"available"}


def test_decrease_replicas_marks_removed_members_deleting(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "dec", replicas=3)

    group = ec.decrease_replica_count(ReplicationGroupId="dec", NewReplicaCount=2, ApplyImmediately=True)[
        "ReplicationGroup"
    ]

    assert group["Status"] == "modifying"
    assert _member_statuses(ec, group)["dec-0002-004"] == "deleting"
    group = _wait_available(ec, "dec")
    assert "dec-0002-004" not in group["MemberClusters"]
    assert [len(ng["NodeGroupMembers"]) for ng in group["NodeGroups"]] == [3, 3]

    ec.decrease_replica_count(
        ReplicationGroupId="dec", ReplicasToRemove=["dec-0001-002"], ApplyImmediately=True
    )
    group = _wait_available(ec, "dec")
    assert "dec-0001-002" not in group["MemberClusters"]
    assert [len(ng["NodeGroupMembers"]) for ng in group["NodeGroups"]] == [2, 3]
    with pytest.raises(ClientError) as multi_az:
        ec.decrease_replica_count(ReplicationGroupId="dec", NewReplicaCount=0, ApplyImmediately=True)
    assert _error_code(multi_az)[0] == "InvalidParameterCombination"


def test_shards_are_added_and_removed(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "shards")

    group = ec.modify_replication_group_shard_configuration(
        ReplicationGroupId="shards", NodeGroupCount=3, ApplyImmediately=True
    )["ReplicationGroup"]

    assert group["Status"] == "modifying"
    assert "Resharding" in group["PendingModifiedValues"]
    assert [ng["Status"] for ng in group["NodeGroups"]] == ["modifying", "modifying", "creating"]
    group = _wait_available(ec, "shards")
    assert len(group["NodeGroups"]) == 3

    group = ec.modify_replication_group_shard_configuration(
        ReplicationGroupId="shards",
        NodeGroupCount=2,
        NodeGroupsToRetain=["0001", "0003"],
        ApplyImmediately=True,
    )["ReplicationGroup"]
    assert [ng["Status"] for ng in group["NodeGroups"]] == ["modifying", "deleting", "modifying"]
    group = _wait_available(ec, "shards")
    assert [ng["NodeGroupId"] for ng in group["NodeGroups"]] == ["0001", "0003"]

    with pytest.raises(ClientError) as balanced:
        ec.modify_replication_group_shard_configuration(
            ReplicationGroupId="shards", NodeGroupCount=2, ApplyImmediately=True
        )
    assert _error_code(balanced)[0] == "InvalidReplicationGroupState"
    assert "Nothing to do" in balanced.value.response["Error"]["Message"]


def test_node_type_change_and_allowed_modifications(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "nodetype")

    allowed = ec.list_allowed_node_type_modifications(ReplicationGroupId="nodetype")
    assert "cache.r7g.xlarge" in allowed["ScaleUpModifications"]

    group = ec.modify_replication_group(
        ReplicationGroupId="nodetype", CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True
    )["ReplicationGroup"]

    assert group["Status"] == "modifying"
    assert group["CacheNodeType"] == "cache.r7g.large"
    member = ec.describe_cache_clusters(CacheClusterId="nodetype-0001-001")["CacheClusters"][0]
    assert member["CacheClusterStatus"] == "modifying"
    assert member["PendingModifiedValues"] == {"CacheNodeType": "cache.r7g.xlarge"}
    group = _wait_available(ec, "nodetype")
    assert group["CacheNodeType"] == "cache.r7g.xlarge"
    down = ec.list_allowed_node_type_modifications(ReplicationGroupId="nodetype")["ScaleDownModifications"]
    assert "cache.r7g.large" in down


def test_allowed_node_types_cross_families_but_not_the_data_tiering_line(
    client: Callable[[str], Any],
) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "crossfamily")

    allowed = ec.list_allowed_node_type_modifications(ReplicationGroupId="crossfamily")
    up, down = allowed["ScaleUpModifications"], allowed["ScaleDownModifications"]

    assert {"cache.r7g.xlarge", "cache.m7g.2xlarge", "cache.c7gn.4xlarge"} <= set(up)
    assert {"cache.m7g.large", "cache.t4g.medium", "cache.c7gn.xlarge"} <= set(down)
    assert "cache.r6g.large" in up  # same memory, another generation
    assert not [t for t in up + down if t.startswith("cache.r6gd.") or t == "cache.r7g.large"]


@pytest.mark.parametrize(
    "node_type",
    [
        "cache.r7g.large",  # in-memory, mid-catalog
        "cache.r6gd.2xlarge",  # data tiering: only other r6gd sizes
        "cache.t4g.micro",  # smallest memory: nothing below
        "cache.r7g.16xlarge",  # largest memory: only its other generation above
        "cache.c7gn.large",
    ],
)
def test_allowed_node_types_are_the_catalogs(client: Callable[[str], Any], node_type: str) -> None:
    """The emulator answers with ``catalog.allowed_modifications``, the rule the simulator's twin uses."""
    ec = client("elasticache")
    group_id = "allowed-" + node_type.removeprefix("cache.").replace(".", "-")
    ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="test",
        Engine="valkey",
        CacheNodeType=node_type,
        NumCacheClusters=1,
    )
    expected_up, expected_down = allowed_modifications(node_type)

    by_group = ec.list_allowed_node_type_modifications(ReplicationGroupId=group_id)
    by_member = ec.list_allowed_node_type_modifications(CacheClusterId=f"{group_id}-001")

    for allowed in (by_group, by_member):
        assert allowed["ScaleUpModifications"] == list(expected_up)
        assert allowed["ScaleDownModifications"] == list(expected_down)


def test_a_node_type_outside_the_catalog_has_no_allowed_modifications(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="oldgen",
        ReplicationGroupDescription="test",
        Engine="redis",
        CacheNodeType="cache.m5.large",
        NumCacheClusters=1,
    )

    allowed = ec.list_allowed_node_type_modifications(ReplicationGroupId="oldgen")

    assert allowed["ScaleUpModifications"] == []
    assert allowed["ScaleDownModifications"] == []


def test_node_type_change_without_apply_immediately_waits_for_the_maintenance_window(
    client: Callable[[str], Any],
) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "deferred")

    group = ec.modify_replication_group(ReplicationGroupId="deferred", CacheNodeType="cache.r7g.xlarge")[
        "ReplicationGroup"
    ]
    time.sleep(CHANGE_SECONDS * 2)

    assert group["Status"] == "available"
    assert _group(ec, "deferred")["CacheNodeType"] == "cache.r7g.large"
    member = ec.describe_cache_clusters(CacheClusterId="deferred-0001-001")["CacheClusters"][0]
    assert member["PendingModifiedValues"] == {"CacheNodeType": "cache.r7g.xlarge"}


def test_auth_token_rotation_is_recorded(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    created = _create_cluster_mode(ec, "auth")

    group = ec.modify_replication_group(
        ReplicationGroupId="auth",
        AuthToken="second-token-0123456789",
        AuthTokenUpdateStrategy="ROTATE",
        ApplyImmediately=True,
    )["ReplicationGroup"]

    assert group["Status"] == "modifying"
    assert group["PendingModifiedValues"]["AuthTokenStatus"] == "ROTATING"
    time.sleep(0.01)
    group = _wait_available(ec, "auth")
    assert group["AuthTokenLastModifiedDate"] >= created["AuthTokenLastModifiedDate"]
    call = emu.mutating_calls()[-1]
    assert call["operation"] == "ModifyReplicationGroup"
    assert call["params"]["AuthToken"] == "***REDACTED***"
    assert call["params"]["AuthTokenUpdateStrategy"] == "ROTATE"
    assert "second-token" not in str(emu.state())


def test_unknown_group_is_not_found(client: Callable[[str], Any]) -> None:
    ec = client("elasticache")

    with pytest.raises(ClientError) as missing:
        ec.increase_replica_count(ReplicationGroupId="nope", NewReplicaCount=2, ApplyImmediately=True)

    assert _error_code(missing) == ("ReplicationGroupNotFoundFault", 404)


def test_change_delay_is_the_configured_one(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create_cluster_mode(ec, "delay")
    emu.set_change_seconds(1.0)

    started = time.monotonic()
    ec.increase_replica_count(ReplicationGroupId="delay", NewReplicaCount=2, ApplyImmediately=True)
    _wait_available(ec, "delay")

    assert 1.0 <= time.monotonic() - started < 1.0 + 1.0
    assert CHANGE_SECONDS < 1.0
