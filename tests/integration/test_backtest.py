"""Backtest: a group's CloudWatch history (moto) and topology (Stubber) become a trace the twin replays."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from elasticache_autoscaler_cli.main import backtest_report
from elasticache_autoscaler_cli.simulator.backtest import (
    GIB,
    HISTORY_METRICS,
    history_queries,
    layout_of,
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
PRIMARIES = {"orders-0001-001", "orders-0002-001"}


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
    }


@pytest.fixture
def cloudwatch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("cloudwatch", region_name="us-east-1")
        # the last 20 minutes of the day carry data; the rest is filled from them.
        for member, reads in READS_PER_S.items():
            primary = member in PRIMARIES
            values = {
                "GetTypeCmds": reads * 60.0,
                "SetTypeCmds": 400 * 60.0,  # replicas report the replayed writes too: not counted twice
                "BytesUsedForCache": 3.0 * GIB,
                "CurrConnections": 250.0,
                "NetworkBytesOut": (reads + (400 if primary else 0)) * 60.0 * 300,
            }
            data: list[Any] = [
                {
                    "MetricName": name,
                    "Dimensions": [
                        {"Name": "CacheClusterId", "Value": member},
                        {"Name": "CacheNodeId", "Value": "0001"},
                    ],
                    "Timestamp": START + timedelta(minutes=m),
                    "Value": values[name],
                }
                for m in range(1420, 1440)
                for name, _ in HISTORY_METRICS
            ]
            for i in range(0, len(data), 500):
                client.put_metric_data(Namespace="AWS/ElastiCache", MetricData=data[i : i + 500])
        yield client


@pytest.fixture
def elasticache() -> Iterator[Any]:
    client = boto3.client(
        "elasticache", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "describe_replication_groups", {"ReplicationGroups": [group()]}, {"ReplicationGroupId": GROUP}
        )
        yield client
        stub.assert_no_pending_responses()


def test_history_becomes_a_trace_in_the_documented_format(cloudwatch: Any, elasticache: Any) -> None:
    trace, spec = read_history(GROUP, 1, END, elasticache, cloudwatch)

    assert len(trace) == 1440
    last = 1439
    assert trace.reads_per_s[last] == pytest.approx(4000)  # every member's GetTypeCmds / 60
    assert trace.writes_per_s[last] == pytest.approx(800)  # primaries only
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

    assert calls == [4 * len(HISTORY_METRICS)]


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
    layout = layout_of(group())
    queries = history_queries(layout.members)

    assert len({q["Id"] for q in queries}) == len(queries) == 20
    assert [m.primary for m in layout.members] == [True, False, True, False]
