"""The CloudWatch adapter on moto: every metric of every node, folded per shard and role, 500 a call."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from elasticache_autoscaler.adapters.cloudwatch import MAX_QUERIES, CloudWatch, metric_queries
from elasticache_autoscaler.models.snapshot import IS_MASTER_METRIC, MetricName, Role, Topology, apply_roles
from tests.unit.engine.builders import topology

END = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1")


def _put(client: Any, cluster_id: str, metric: MetricName | str, values: list[float]) -> None:
    client.put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[
            {
                "MetricName": str(metric),
                "Dimensions": [
                    {"Name": "CacheClusterId", "Value": cluster_id},
                    {"Name": "CacheNodeId", "Value": "0001"},
                ],
                "Timestamp": END - timedelta(minutes=len(values) - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def test_network_bytes_are_read_per_node_and_folded_per_shard_and_role(client: Any) -> None:
    topo = topology(shards=1, replicas=2)
    primary, first, second = (m.cluster_id for m in topo.shards[0].members)
    _put(client, primary, MetricName.NETWORK_BYTES_OUT, [1e9, 2e9])
    _put(client, first, MetricName.NETWORK_BYTES_OUT, [5e8, 7e8])
    _put(client, second, MetricName.NETWORK_BYTES_OUT, [9e8, 1e8])

    metrics = CloudWatch(client).read_metrics(topo, END, window_minutes=10)

    shard = topo.shards[0].shard_id
    assert metrics.values(MetricName.NETWORK_BYTES_OUT, Role.PRIMARY)[shard] == (1e9, 2e9)
    assert metrics.values(MetricName.NETWORK_BYTES_OUT, Role.REPLICA)[shard] == (9e8, 7e8)  # busiest replica


class Counting:
    """A CloudWatch client that records each GetMetricData request's size and answers with no data."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def get_metric_data(self, **request: Any) -> dict[str, Any]:
        self.sizes.append(len(request["MetricDataQueries"]))
        return {"MetricDataResults": []}


def test_a_large_group_is_read_in_requests_of_at_most_500_series() -> None:
    topo = _unknown_roles(topology(shards=10, replicas=5))  # 60 nodes x (9 metrics + IsMaster) = 600 series
    client = Counting()

    CloudWatch(client).read_metrics(topo, END, window_minutes=35)  # type: ignore[arg-type]

    assert len(metric_queries(topo, 60)) == 60 * (len(MetricName) + 1) == 600
    assert client.sizes == [MAX_QUERIES, 100]


def test_is_master_is_asked_only_where_describe_gave_no_roles() -> None:
    """Cluster mode disabled (``CurrentRole`` known): 9 metrics a node, no ``IsMaster`` (``apply_roles`` keeps
    known roles, so it would be paid for and never read); a shard without roles gets it for every member."""
    known = topology(shards=2, replicas=1)
    assert len(metric_queries(known, 60)) == 4 * len(MetricName)
    assert not any(q["Id"].endswith("_r") for q in metric_queries(known, 60))
    one_unknown = known.model_copy(update={"shards": (_unknown_roles(known).shards[0], known.shards[1])})
    assert sorted(q["Id"] for q in metric_queries(one_unknown, 60) if q["Id"].endswith("_r")) == [
        "s0_m0_r",
        "s0_m1_r",
    ]


# --- finding 1: roles in cluster mode enabled come from IsMaster ----------------------------------------


def _unknown_roles(topo: Topology) -> Topology:
    """The topology as DescribeReplicationGroups gives it for cluster mode enabled: no CurrentRole."""
    return apply_roles(
        topo.model_copy(
            update={
                "shards": tuple(
                    s.model_copy(
                        update={
                            "members": tuple(m.model_copy(update={"role": Role.UNKNOWN}) for m in s.members)
                        }
                    )
                    for s in topo.shards
                )
            }
        ),
        {},
    )


def test_finding1_cme_roles_come_from_is_master_and_fold_cpu_per_real_role(client: Any) -> None:
    """The second member listed is the primary (after a failover): its CPU is write CPU, the first's is
    read CPU, although the listing order says the opposite."""
    topo = _unknown_roles(topology(shards=2, replicas=1))
    (a, b), (c, d) = ((m.cluster_id for m in s.members) for s in topo.shards)
    for node, cpu, master in ((a, 70.0, 0.0), (b, 20.0, 1.0), (c, 15.0, 1.0), (d, 65.0, 0.0)):
        _put(client, node, MetricName.ENGINE_CPU, [cpu, cpu])
        _put(client, node, IS_MASTER_METRIC, [master, master])

    metrics = CloudWatch(client).read_metrics(topo, END, window_minutes=10)

    assert metrics.is_master == {a: 0.0, b: 1.0, c: 1.0, d: 0.0}
    assert metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY) == {"0001": (20.0, 20.0), "0002": (15.0, 15.0)}
    assert metrics.values(MetricName.ENGINE_CPU, Role.REPLICA) == {"0001": (70.0, 70.0), "0002": (65.0, 65.0)}
    resolved = apply_roles(topo, metrics.is_master)
    assert [[m.role for m in s.members] for s in resolved.shards] == [
        [Role.REPLICA, Role.PRIMARY],
        [Role.PRIMARY, Role.REPLICA],
    ]


def test_finding1_a_failover_changes_the_role_with_the_latest_is_master(client: Any) -> None:
    topo = _unknown_roles(topology(shards=2, replicas=1))
    a, b = (m.cluster_id for m in topo.shards[0].members)
    _put(client, a, IS_MASTER_METRIC, [1.0, 1.0, 0.0])  # a was primary, then failed over to b
    _put(client, b, IS_MASTER_METRIC, [0.0, 0.0, 1.0])

    metrics = CloudWatch(client).read_metrics(topo, END, window_minutes=10)

    roles = [m.role for m in apply_roles(topo, metrics.is_master).shards[0].members]
    assert roles == [Role.REPLICA, Role.PRIMARY]


@pytest.mark.parametrize(
    ("a", "b"),
    [(None, 1.0), (0.0, 0.0), (1.0, 1.0), (None, None)],
    ids=["one-missing", "no-primary", "two-primaries", "no-data"],
)
def test_finding1_missing_or_ambiguous_is_master_leaves_the_shard_unknown_and_its_cpu_unattributed(
    client: Any, a: float | None, b: float | None
) -> None:
    topo = _unknown_roles(topology(shards=2, replicas=1))
    first, second = (m.cluster_id for m in topo.shards[0].members)
    for node, master in ((first, a), (second, b)):
        _put(client, node, MetricName.ENGINE_CPU, [80.0])
        if master is not None:
            _put(client, node, IS_MASTER_METRIC, [master])

    metrics = CloudWatch(client).read_metrics(topo, END, window_minutes=10)

    resolved = apply_roles(topo, metrics.is_master)
    assert resolved.shards[0].roles_known is False
    assert "0001" in resolved.shards_with_unknown_roles
    # Never silently write (or read) CPU: the shard's CPU is under "unknown" only.
    assert "0001" not in metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY)
    assert "0001" not in metrics.values(MetricName.ENGINE_CPU, Role.REPLICA)
    assert metrics.values(MetricName.ENGINE_CPU, Role.UNKNOWN)["0001"] == (80.0,)
    assert resolved.replicas_per_shard == 1  # counts never need roles


def test_finding1_known_cmd_roles_are_kept_whatever_is_master_says() -> None:
    topo = topology(shards=1, replicas=1)  # CurrentRole-style known roles
    primary, replica = (m.cluster_id for m in topo.shards[0].members)
    resolved = apply_roles(topo, {primary: 0.0, replica: 1.0})
    assert resolved == topo
