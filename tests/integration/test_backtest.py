"""Backtest: a group's CloudWatch history (moto) and topology (Stubber) become a trace the twin replays.

The group answers as AWS answers a cluster-mode-enabled group (no ``CurrentRole``): the primaries are
known only from ``IsMaster``, and here shard 0002's primary is its *second* member (a failover happened)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from elasticache_autoscaler.adapters.cloudwatch import node_queries, query_index
from elasticache_autoscaler.adapters.elasticache import topology_from
from elasticache_autoscaler.models.snapshot import IS_MASTER_METRIC
from elasticache_autoscaler_cli.main import backtest_report
from elasticache_autoscaler_cli.simulator.backtest import (
    GIB,
    HISTORY_METRICS,
    PERIOD_SECONDS,
    read_history,
)
from elasticache_autoscaler_cli.simulator.timing import ActionTimings

GROUP = "orders"
END = datetime.now(UTC).replace(second=0, microsecond=0)
START = END - timedelta(days=1)
# shard 0001 takes 3/4 of the reads: its hot share is about 0.7 of all commands.
READS_PER_S = {
    "orders-0001-001": 1500,
    "orders-0001-002": 1500,
    "orders-0002-001": 500,
    "orders-0002-002": 500,
}
PRIMARIES = {"orders-0001-001", "orders-0002-002"}


def group() -> dict[str, Any]:
    def members(shard: str) -> list[dict[str, Any]]:
        return [
            {"CacheClusterId": f"{GROUP}-{shard}-001", "CacheNodeId": "0001"},
            {"CacheClusterId": f"{GROUP}-{shard}-002", "CacheNodeId": "0001"},
        ]

    return {
        "ReplicationGroupId": GROUP,
        "Status": "available",
        "Engine": "valkey",
        "ClusterEnabled": True,
        "CacheNodeType": "cache.r7g.large",
        "MultiAZ": "enabled",
        "NodeGroups": [
            {"NodeGroupId": "0001", "Status": "available", "NodeGroupMembers": members("0001")},
            {"NodeGroupId": "0002", "Status": "available", "NodeGroupMembers": members("0002")},
        ],
        "MemberClusters": list(READS_PER_S),
    }


def _put_history(client: Any, with_roles: bool) -> None:
    """The last 20 minutes of the day carry data; the rest is filled from them."""
    for member, reads in READS_PER_S.items():
        primary = member in PRIMARIES
        values = {
            "GetTypeCmds": reads * 60.0,
            "SetTypeCmds": 400 * 60.0 if primary else 390 * 60.0,  # replicas replay (and lag) the writes
            "BytesUsedForCache": 3.0 * GIB,
            "CurrConnections": 250.0,
            "NetworkBytesOut": (reads + (400 if primary else 0)) * 60.0 * 300,
        } | ({IS_MASTER_METRIC: 1.0 if primary else 0.0} if with_roles else {})
        data: list[Any] = [
            {
                "MetricName": name,
                "Dimensions": [
                    {"Name": "CacheClusterId", "Value": member},
                    {"Name": "CacheNodeId", "Value": "0001"},
                ],
                "Timestamp": START + timedelta(minutes=m),
                "Value": value,
            }
            for m in range(1420, 1440)
            for name, value in values.items()
        ]
        for i in range(0, len(data), 500):
            client.put_metric_data(Namespace="AWS/ElastiCache", MetricData=data[i : i + 500])


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


@pytest.fixture
def cloudwatch(aws_env: None) -> Any:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    _put_history(client, with_roles=True)
    return client


@pytest.fixture
def elasticache() -> Iterator[Any]:
    """The runtime adapter's reads: the group, each member (a small group: one call each), allowed types."""
    client = boto3.client(
        "elasticache", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "describe_replication_groups", {"ReplicationGroups": [group()]}, {"ReplicationGroupId": GROUP}
        )
        for member in READS_PER_S:
            stub.add_response(
                "describe_cache_clusters",
                {"CacheClusters": [{"CacheClusterId": member, "CacheClusterStatus": "available"}]},
                {"CacheClusterId": member, "ShowCacheNodeInfo": False},
            )
        stub.add_response(
            "list_allowed_node_type_modifications",
            {"ScaleUpModifications": []},
            {"ReplicationGroupId": GROUP},
        )
        yield client
        stub.assert_no_pending_responses()


def test_history_becomes_a_trace_in_the_documented_format(cloudwatch: Any, elasticache: Any) -> None:
    trace, spec = read_history(GROUP, 1, END, elasticache, cloudwatch)

    assert len(trace) == 1440
    last = 1439
    assert trace.reads_per_s[last] == pytest.approx(4000)  # every member's GetTypeCmds / 60
    assert trace.writes_per_s[last] == pytest.approx(800)  # primaries only, known from IsMaster
    assert trace.dataset_gib[last] == pytest.approx(6.0)  # primaries only
    assert trace.connections[last] == 1000
    assert trace.avg_item_bytes[last] == pytest.approx(300)
    assert trace.reads_per_s[0] == pytest.approx(4000)  # filled backward from the first known minute
    assert (spec.engine, spec.cluster_mode, spec.shards, spec.replicas_per_shard, spec.multi_az) == (
        "valkey",
        "enabled",
        2,
        1,
        True,
    )
    assert spec.hot_shard_share == pytest.approx((3000 + 800) / (4000 + 1600), abs=0.01)


def test_history_is_read_in_one_batched_get_metric_data_pass(cloudwatch: Any, elasticache: Any) -> None:
    calls: list[int] = []
    original = cloudwatch.get_metric_data

    def counting(**kwargs: Any) -> Any:
        calls.append(len(kwargs["MetricDataQueries"]))
        return original(**kwargs)

    cloudwatch.get_metric_data = counting
    read_history(GROUP, 1, END, elasticache, cloudwatch)

    assert calls == [4 * (len(HISTORY_METRICS) + 1)]  # and IsMaster per member


def test_the_backtest_reports_what_the_autoscaler_would_have_done_and_cost(
    cloudwatch: Any, elasticache: Any
) -> None:
    trace, spec = read_history(GROUP, 1, END, elasticache, cloudwatch)

    report = backtest_report(trace, spec, None, ActionTimings())

    ours = report["autoscaler"]
    assert isinstance(ours, dict)
    assert {"cost_usd", "breach_minutes", "actions", "reversals", "node_hours"} <= set(ours)
    as_is = report["as_is"]
    assert isinstance(as_is, dict)
    assert as_is["cost_usd"] == pytest.approx(4 * 0.1752 * 24, rel=1e-3)


def test_every_member_and_metric_has_its_own_query_id() -> None:
    queries = node_queries(topology_from(group(), {}), HISTORY_METRICS, PERIOD_SECONDS)

    assert len({q["Id"] for q in queries}) == len(queries) == 4 * (len(HISTORY_METRICS) + 1)
    assert {query_index(q["Id"]) for q in queries} == {
        (s, m, k) for s in range(2) for m in range(2) for k in (*range(len(HISTORY_METRICS)), None)
    }


def test_without_is_master_no_member_is_taken_for_a_primary(aws_env: None, elasticache: Any) -> None:
    """No IsMaster datapoints: each shard counts its busiest member's writes (the primary's 400/s, never a
    replica's 390/s because it is listed first, never both)."""
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    _put_history(cloudwatch, with_roles=False)

    trace, _ = read_history(GROUP, 1, END, elasticache, cloudwatch)

    assert trace.writes_per_s[1439] == pytest.approx(800)
    assert trace.dataset_gib[1439] == pytest.approx(6.0)
