"""The admin endpoint injects faults, sticks groups and counts calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.conftest import CHANGE_SECONDS
from tools.emulator.control import Emulator


def _create(ec: Any, group_id: str) -> None:
    ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="test",
        CacheNodeType="cache.r7g.large",
        NumNodeGroups=3,
        ReplicasPerNodeGroup=1,
    )


def test_next_calls_answer_the_injected_error(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create(ec, "faulty")
    emu.inject_fault("IncreaseReplicaCount", "InvalidReplicationGroupState", count=2)

    for _ in range(2):
        with pytest.raises(ClientError) as refused:
            ec.increase_replica_count(ReplicationGroupId="faulty", NewReplicaCount=2, ApplyImmediately=True)
        assert refused.value.response["Error"]["Code"] == "InvalidReplicationGroupState"
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    group = ec.increase_replica_count(ReplicationGroupId="faulty", NewReplicaCount=2, ApplyImmediately=True)

    assert group["ReplicationGroup"]["Status"] == "modifying"
    assert emu.state()["faults"] == []


def test_throttling_is_retried_by_botocore(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    emu.inject_fault("DescribeReplicationGroups", "Throttling", count=1, message="Rate exceeded")

    ec.describe_replication_groups()

    assert emu.counters()["DescribeReplicationGroups"] == 2


def test_throttling_without_retries_surfaces(emu: Emulator, client: Callable[[str], Any]) -> None:
    import boto3

    ec = boto3.client(
        "elasticache",
        endpoint_url=emu.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )
    emu.inject_fault("*", "Throttling", message="Rate exceeded")

    with pytest.raises(ClientError) as throttled:
        ec.describe_cache_clusters()

    assert throttled.value.response["Error"] == {
        "Type": "Sender",
        "Code": "Throttling",
        "Message": "Rate exceeded",
    }


def test_stuck_group_never_becomes_available(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create(ec, "stuck")
    emu.stick("stuck")

    ec.increase_replica_count(ReplicationGroupId="stuck", NewReplicaCount=2, ApplyImmediately=True)
    time.sleep(CHANGE_SECONDS * 2)

    assert (
        ec.describe_replication_groups(ReplicationGroupId="stuck")["ReplicationGroups"][0]["Status"]
        == "modifying"
    )
    emu.stick("stuck", stuck=False)
    assert (
        ec.describe_replication_groups(ReplicationGroupId="stuck")["ReplicationGroups"][0]["Status"]
        == "available"
    )


def test_counters_prove_no_mutating_call(emu: Emulator, client: Callable[[str], Any]) -> None:
    ec = client("elasticache")
    _create(ec, "counted")
    emu.reset()

    ec.describe_replication_groups(ReplicationGroupId="counted")
    ec.list_allowed_node_type_modifications(ReplicationGroupId="counted")

    counters = emu.counters()
    assert counters["DescribeReplicationGroups"] == 1
    assert counters.get("__mutating__", 0) == 0
    assert emu.mutating_calls() == []


def test_a_delay_after_applying_is_a_hung_call_whose_change_landed(
    emu: Emulator, client: Callable[[str], Any]
) -> None:
    """Latency / timeout injection: the caller gives up (read timeout), yet the change was applied."""
    import boto3
    from botocore.exceptions import ReadTimeoutError

    ec = client("elasticache")
    _create(ec, "hung")
    emu.delay("IncreaseReplicaCount", 3.0)
    impatient = boto3.client(
        "elasticache",
        endpoint_url=emu.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(read_timeout=1, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        impatient.increase_replica_count(ReplicationGroupId="hung", NewReplicaCount=2, ApplyImmediately=True)
    assert time.monotonic() - started < 2.5
    time.sleep(2.5)  # the held answer goes out; the change (0.3 s) has completed meanwhile
    group = ec.describe_replication_groups(ReplicationGroupId="hung")["ReplicationGroups"][0]
    assert {len(g["NodeGroupMembers"]) for g in group["NodeGroups"]} == {3}
    assert emu.counters()["IncreaseReplicaCount"] == 1
    assert emu.state()["faults"] == []


def test_a_delay_before_serving_answers_late_with_the_real_answer(
    emu: Emulator, client: Callable[[str], Any]
) -> None:
    ec = client("elasticache")
    _create(ec, "slow")
    emu.delay("DescribeReplicationGroups", 0.5, after_applying=False)
    started = time.monotonic()
    groups = ec.describe_replication_groups(ReplicationGroupId="slow")["ReplicationGroups"]
    assert time.monotonic() - started >= 0.5
    assert groups[0]["ReplicationGroupId"] == "slow"
