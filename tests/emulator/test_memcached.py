"""Memcached clusters on the emulator change over time and refuse what AWS refuses (issue 14)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import CHANGE_SECONDS, elasticache_client_allowed
from tools.emulator.control import Emulator

pytestmark = pytest.mark.emulator

MANAGED = {"Key": "elasticache-autoscaler:managed", "Value": "true"}


def _cluster(ec: Any, cluster_id: str, nodes: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = ec.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=nodes)[
        "CacheClusters"
    ][0]
    return found


def _wait_available(ec: Any, cluster_id: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cluster = _cluster(ec, cluster_id)
        if cluster["CacheClusterStatus"] == "available":
            return cluster
        time.sleep(0.05)
    raise AssertionError(f"{cluster_id} still {cluster['CacheClusterStatus']}")


def _create(
    ec: Any, cluster_id: str, nodes: int = 3, version: str = "1.6.22", **extra: Any
) -> dict[str, Any]:
    cluster: dict[str, Any] = ec.create_cache_cluster(
        CacheClusterId=cluster_id,
        Engine="memcached",
        EngineVersion=version,
        CacheNodeType="cache.r7g.large",
        NumCacheNodes=nodes,
        Tags=[MANAGED],
        **extra,
    )["CacheCluster"]
    return cluster


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@pytest.fixture
def ec(client: Callable[[str], Any]) -> Any:
    return client("elasticache")


def test_a_created_cluster_has_numbered_nodes_in_their_zones_and_a_configuration_endpoint(ec: Any) -> None:
    created = _create(
        ec,
        "mc-create",
        AZMode="cross-az",
        PreferredAvailabilityZones=["us-east-1a", "us-east-1b", "us-east-1c"],
    )

    cluster = _cluster(ec, "mc-create")
    assert "CacheNodes" not in created
    assert "CacheNodes" not in _cluster(ec, "mc-create", nodes=False)
    assert [n["CacheNodeId"] for n in cluster["CacheNodes"]] == ["0001", "0002", "0003"]
    assert [n["CustomerAvailabilityZone"] for n in cluster["CacheNodes"]] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
    assert {n["CacheNodeStatus"] for n in cluster["CacheNodes"]} == {"available"}
    assert all(n["Endpoint"]["Port"] == 11211 for n in cluster["CacheNodes"])
    assert cluster["ConfigurationEndpoint"]["Port"] == 11211
    assert cluster["PreferredAvailabilityZone"] == "Multiple"
    assert (cluster["NumCacheNodes"], cluster["PendingModifiedValues"]) == (3, {})
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.memcached1.6"
    assert not {"ReplicationGroupId", "SnapshotWindow", "SnapshotRetentionLimit"} & set(cluster)
    assert _cluster(ec, "MC-Create")["CacheClusterId"] == "mc-create"


def test_a_new_cluster_is_creating_for_the_create_delay(emu: Emulator, ec: Any) -> None:
    emu.set_create_seconds(CHANGE_SECONDS)

    assert _create(ec, "mc-creating")["CacheClusterStatus"] == "creating"
    assert {n["CacheNodeStatus"] for n in _cluster(ec, "mc-creating")["CacheNodes"]} == {"creating"}
    assert _wait_available(ec, "mc-creating")["NumCacheNodes"] == 3


def test_scale_out_adds_creating_nodes_in_the_zones_asked_and_is_busy_until_done(ec: Any) -> None:
    _create(ec, "mc-out", nodes=2)

    modified = ec.modify_cache_cluster(
        CacheClusterId="mc-out",
        NumCacheNodes=4,
        NewAvailabilityZones=["us-east-1d", "us-east-1e"],
        ScaleConfig={"ScalePercentage": 50},
        ApplyImmediately=True,
    )["CacheCluster"]
    during = _cluster(ec, "mc-out")
    with pytest.raises(ClientError) as busy:
        ec.modify_cache_cluster(CacheClusterId="mc-out", NumCacheNodes=5, ApplyImmediately=True)
    after = _wait_available(ec, "mc-out")

    assert modified["CacheClusterStatus"] == "modifying"
    assert modified["PendingModifiedValues"] == {"NumCacheNodes": 4, "ScaleConfig": {"ScalePercentage": 50}}
    assert during["NumCacheNodes"] == 2
    assert [
        (n["CacheNodeId"], n["CacheNodeStatus"], n["CustomerAvailabilityZone"]) for n in during["CacheNodes"]
    ][2:] == [("0003", "creating", "us-east-1d"), ("0004", "creating", "us-east-1e")]
    assert _error(busy)[0] == "InvalidCacheClusterState"
    assert after["NumCacheNodes"] == 4
    assert after["PendingModifiedValues"] == {}
    assert {n["CacheNodeStatus"] for n in after["CacheNodes"]} == {"available"}


def test_scale_in_needs_the_ids_of_the_nodes_to_remove_as_aws_says(ec: Any) -> None:
    _create(ec, "mc-in", nodes=3)

    with pytest.raises(ClientError) as missing:
        ec.modify_cache_cluster(CacheClusterId="mc-in", NumCacheNodes=1, ApplyImmediately=True)
    with pytest.raises(ClientError) as unknown:
        ec.modify_cache_cluster(
            CacheClusterId="mc-in", NumCacheNodes=2, CacheNodeIdsToRemove=["0009"], ApplyImmediately=True
        )
    with pytest.raises(ClientError) as ids_on_scale_out:
        ec.modify_cache_cluster(
            CacheClusterId="mc-in", NumCacheNodes=4, CacheNodeIdsToRemove=["0001"], ApplyImmediately=True
        )
    modified = ec.modify_cache_cluster(
        CacheClusterId="mc-in", NumCacheNodes=1, CacheNodeIdsToRemove=["0001", "0003"], ApplyImmediately=True
    )["CacheCluster"]
    during = _cluster(ec, "mc-in")
    after = _wait_available(ec, "mc-in")

    assert _error(missing) == (
        "InvalidParameterCombination",
        "The number of CacheNodeIdsToRemove must match the number of nodes you are trying to remove, current"
        " number of cache nodes is 3, requested number of cache nodes is 1 and CacheNodeIdsToRemove supplied"
        " are 0",
    )
    assert _error(unknown)[0] == "InvalidParameterValue"
    assert _error(ids_on_scale_out)[0] == "InvalidParameterCombination"
    assert modified["PendingModifiedValues"] == {"NumCacheNodes": 1, "CacheNodeIdsToRemove": ["0001", "0003"]}
    assert {n["CacheNodeId"]: n["CacheNodeStatus"] for n in during["CacheNodes"]} == {
        "0001": "deleting",
        "0002": "available",
        "0003": "deleting",
    }
    assert [n["CacheNodeId"] for n in after["CacheNodes"]] == ["0002"]
    assert after["NumCacheNodes"] == 1


def test_without_apply_immediately_the_change_waits_and_an_equal_count_cancels_it(ec: Any) -> None:
    _create(ec, "mc-pending", nodes=2)

    ec.modify_cache_cluster(CacheClusterId="mc-pending", NumCacheNodes=3, ApplyImmediately=False)
    time.sleep(CHANGE_SECONDS * 2)
    waiting = _cluster(ec, "mc-pending")
    ec.modify_cache_cluster(CacheClusterId="mc-pending", NumCacheNodes=2, ApplyImmediately=False)
    cancelled = _cluster(ec, "mc-pending")

    assert waiting["CacheClusterStatus"] == "available"
    assert waiting["PendingModifiedValues"] == {"NumCacheNodes": 3}
    assert len(waiting["CacheNodes"]) == 2
    assert cancelled["PendingModifiedValues"] == {}


def test_vertical_scaling_with_scale_config_on_memcached_1_5_and_later(ec: Any) -> None:
    _create(ec, "mc-up", nodes=2)
    _create(ec, "mc-old", nodes=1, version="1.4.24")

    modified = ec.modify_cache_cluster(
        CacheClusterId="mc-up",
        CacheNodeType="cache.r7g.xlarge",
        ScaleConfig={"ScalePercentage": 50, "ScaleIntervalMinutes": 1},
        ApplyImmediately=True,
    )["CacheCluster"]
    during = _cluster(ec, "mc-up")
    after = _wait_available(ec, "mc-up")
    with pytest.raises(ClientError) as old_engine:
        ec.modify_cache_cluster(
            CacheClusterId="mc-old", CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True
        )
    with pytest.raises(ClientError) as unknown_type:
        ec.modify_cache_cluster(CacheClusterId="mc-up", CacheNodeType="cache.x9.huge", ApplyImmediately=True)

    assert modified["PendingModifiedValues"] == {
        "CacheNodeType": "cache.r7g.xlarge",
        "ScaleConfig": {"ScalePercentage": 50, "ScaleIntervalMinutes": 1},
    }
    assert (during["CacheClusterStatus"], during["CacheNodeType"]) == ("modifying", "cache.r7g.large")
    assert {n["CacheNodeStatus"] for n in during["CacheNodes"]} == {"modifying"}
    assert (after["CacheNodeType"], after["PendingModifiedValues"]) == ("cache.r7g.xlarge", {})
    assert _error(old_engine)[0] == "InvalidParameterCombination"
    assert _error(unknown_type)[0] == "InvalidParameterValue"


def test_a_stuck_cluster_stays_modifying(emu: Emulator, ec: Any) -> None:
    _create(ec, "mc-stuck", nodes=1)
    emu.stick("mc-stuck")

    ec.modify_cache_cluster(CacheClusterId="mc-stuck", NumCacheNodes=2, ApplyImmediately=True)
    time.sleep(CHANGE_SECONDS * 2)

    assert _cluster(ec, "mc-stuck")["CacheClusterStatus"] == "modifying"


def test_node_count_outside_1_to_40_is_refused(ec: Any) -> None:
    with pytest.raises(ClientError) as too_many:
        _create(ec, "mc-many", nodes=41)
    _create(ec, "mc-limit", nodes=40)
    with pytest.raises(ClientError) as add_past_limit:
        ec.modify_cache_cluster(CacheClusterId="mc-limit", NumCacheNodes=41, ApplyImmediately=True)

    assert _error(too_many)[0] == "InvalidParameterValue"
    assert _error(add_past_limit)[0] == "InvalidParameterValue"


def test_delete_is_refused_while_modifying_then_takes_the_change_delay(ec: Any) -> None:
    _create(ec, "mc-delete", nodes=1)
    ec.modify_cache_cluster(CacheClusterId="mc-delete", NumCacheNodes=2, ApplyImmediately=True)
    with pytest.raises(ClientError) as busy:
        ec.delete_cache_cluster(CacheClusterId="mc-delete")
    _wait_available(ec, "mc-delete")

    deleting = ec.delete_cache_cluster(CacheClusterId="mc-delete")["CacheCluster"]
    deadline = time.monotonic() + 5
    while any(c["CacheClusterId"] == "mc-delete" for c in ec.describe_cache_clusters()["CacheClusters"]):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert _error(busy)[0] == "InvalidCacheClusterState"
    assert deleting["CacheClusterStatus"] == "deleting"
    with pytest.raises(ClientError) as gone:
        _cluster(ec, "mc-delete")
    assert _error(gone)[0] == "CacheClusterNotFound"


def test_a_tagged_cluster_is_found_by_tag_and_type(client: Callable[[str], Any]) -> None:
    ec, tagging = client("elasticache"), client("resourcegroupstaggingapi")
    arn = _create(ec, "mc-tagged", nodes=1)["ARN"]
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "memcached-tag-test"}])

    tags = ec.list_tags_for_resource(ResourceName=arn)["TagList"]
    clusters = tagging.get_resources(
        TagFilters=[{"Key": "team", "Values": ["memcached-tag-test"]}],
        ResourceTypeFilters=["elasticache:cluster"],
    )["ResourceTagMappingList"]
    groups = tagging.get_resources(
        TagFilters=[{"Key": "team", "Values": ["memcached-tag-test"]}],
        ResourceTypeFilters=["elasticache:replicationgroup"],
    )["ResourceTagMappingList"]

    assert {(t["Key"], t["Value"]) for t in tags} == {
        (MANAGED["Key"], "true"),
        ("team", "memcached-tag-test"),
    }
    assert [r["ResourceARN"] for r in clusters] == [arn]
    assert arn.endswith(":cluster:mc-tagged")
    assert groups == []


def test_iam_decides_a_node_count_change_on_the_cluster_arn_and_its_tags(emu: Emulator, ec: Any) -> None:
    managed = _create(ec, "mc-iam-managed", nodes=1)["ARN"]
    ec.create_cache_cluster(
        CacheClusterId="mc-iam-other", Engine="memcached", CacheNodeType="cache.r7g.large", NumCacheNodes=1
    )
    limited = elasticache_client_allowed(
        emu,
        {
            "Action": "elasticache:ModifyCacheCluster",
            "Resource": managed.rsplit(":", 1)[0] + ":mc-iam-*",
            "Condition": {"StringEquals": {"aws:ResourceTag/elasticache-autoscaler:managed": "true"}},
        },
    )

    def add_node(cluster_id: str) -> str:
        try:
            limited.modify_cache_cluster(CacheClusterId=cluster_id, NumCacheNodes=2, ApplyImmediately=True)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    assert add_node("mc-iam-managed") == "ok"
    assert add_node("mc-iam-other") == "AccessDenied"
