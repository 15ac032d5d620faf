"""Contract of every ElastiCache call the adapter makes, pinned with botocore's Stubber.

moto implements few of these calls, so the Stubber holds the contract: the exact request parameters
(``expected_params``), responses validated against botocore's own model, and the mapping of ElastiCache's
error codes to the workflow's errors. The Stubber answers in ``before-call``, ahead of botocore's retry
handler, so it cannot show retries: ``test_throttling_is_retried_by_botocore`` answers at ``before-send``
instead, below the retry handler, to show the standard retry mode at work.
"""

import copy
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.stub import ANY, Stubber

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
from elasticache_autoscaler.adapters.elasticache import (
    ALREADY_THERE_RESULT,
    DIRECT_LOOKUP_MAX_MEMBERS,
    PAGE_SIZE,
    ChangeNodeType,
    ElastiCache,
    group_arn_of_member,
    replica_count_request,
    shards_to_remove,
)
from elasticache_autoscaler.adapters.elasticache_credentials import ElastiCacheCredentials
from elasticache_autoscaler.errors import (
    ActionFailedError,
    ClusterNotFoundError,
    GroupBusyError,
    ThrottledError,
)
from elasticache_autoscaler.models.snapshot import MetricName, Role, Topology, apply_roles
from tests.fakes.adapters import topology
from tests.fakes.stubbed import offline_elasticache

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

GROUP = "orders"
ARN = f"arn:aws:elasticache:us-east-1:123456789012:replicationgroup:{GROUP}"
LARGE, XLARGE, MEDIUM = "cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.medium"


@pytest.fixture
def client() -> "ElastiCacheClient":
    return offline_elasticache()


@pytest.fixture
def adapter(client: "ElastiCacheClient") -> ElastiCache:
    return ElastiCache(client)


def _member_id(shard: int, node: int) -> str:
    return f"{GROUP}-{shard:04d}-{node:03d}"


def group_response(
    replicas: list[int], node_type: str = LARGE, status: str = "available", cluster_mode: bool | None = None
) -> dict[str, Any]:
    """DescribeReplicationGroups' answer for a group with ``replicas[i]`` replicas in shard i+1."""
    enabled = len(replicas) > 1 if cluster_mode is None else cluster_mode
    # As AWS answers: CurrentRole only in cluster mode disabled (botocore's model and examples-1.json).
    node_groups: list[dict[str, Any]] = [
        {
            "NodeGroupId": f"{s:04d}",
            "Status": status,
            "NodeGroupMembers": [
                {
                    "CacheClusterId": _member_id(s, n),
                    "CacheNodeId": "0001",
                    **({} if enabled else {"CurrentRole": "primary" if n == 1 else "replica"}),
                    "PreferredAvailabilityZone": f"us-east-1{'abc'[n % 3]}",
                }
                for n in range(1, count + 2)
            ],
        }
        for s, count in enumerate(replicas, start=1)
    ]
    return {
        "ReplicationGroups": [
            {
                "ReplicationGroupId": GROUP,
                "Status": status,
                "NodeGroups": node_groups,
                "MemberClusters": [m["CacheClusterId"] for ng in node_groups for m in ng["NodeGroupMembers"]],
                "ClusterEnabled": enabled,
                "CacheNodeType": node_type,
                "MultiAZ": "enabled",
                "AutomaticFailover": "enabled",
                "Engine": "valkey",
                "ARN": ARN,
            }
        ]
    }


def _cluster(cluster_id: str, group: str, node_type: str = LARGE) -> dict[str, Any]:
    return {
        "CacheClusterId": cluster_id,
        "ReplicationGroupId": group,
        "CacheClusterStatus": "available",
        "Engine": "valkey",
        "EngineVersion": "8.0.1",
        "CacheNodeType": node_type,
    }


def stub_members(stub: Stubber, members: list[str], node_type: str = LARGE) -> None:
    """DescribeCacheClusters as read_topology makes it: one call per member for a small group; for a larger
    one, pages of the account (another group's cluster among them, to be ignored) that stop at the page
    completing the group although the last page still names a next ``Marker``."""
    if len(members) <= DIRECT_LOOKUP_MAX_MEMBERS:
        for member in members:
            stub.add_response(
                "describe_cache_clusters",
                {"CacheClusters": [_cluster(member, GROUP, node_type)]},
                {"CacheClusterId": member, "ShowCacheNodeInfo": False},
            )
        return
    half = len(members) // 2
    stub.add_response(
        "describe_cache_clusters",
        {
            "CacheClusters": [_cluster(m, GROUP, node_type) for m in members[:half]]
            + [_cluster("other-001", "other")],
            "Marker": "page-2",
        },
        {"ShowCacheNodeInfo": False, "MaxRecords": PAGE_SIZE},
    )
    stub.add_response(
        "describe_cache_clusters",
        {"CacheClusters": [_cluster(m, GROUP, node_type) for m in members[half:]], "Marker": "page-3"},
        {"ShowCacheNodeInfo": False, "MaxRecords": PAGE_SIZE, "Marker": "page-2"},
    )


def stub_read(
    stub: Stubber,
    replicas: list[int],
    *,
    node_type: str = LARGE,
    up: tuple[str, ...] = (XLARGE,),
    down: tuple[str, ...] = (MEDIUM,),
    cluster_mode: bool | None = None,
) -> None:
    """The calls of read_topology: the group, its members only (``stub_members``), the allowed types."""
    group = group_response(replicas, node_type, cluster_mode=cluster_mode)
    stub.add_response("describe_replication_groups", group, {"ReplicationGroupId": GROUP})
    stub_members(stub, group["ReplicationGroups"][0]["MemberClusters"], node_type)
    stub.add_response(
        "list_allowed_node_type_modifications",
        {"ScaleUpModifications": list(up), "ScaleDownModifications": list(down)},
        {"ReplicationGroupId": GROUP},
    )


# --- reads -------------------------------------------------------------------------------------------


def test_read_topology_reads_each_member_of_a_small_group_and_allowed_types(
    stub: Stubber, adapter: ElastiCache
) -> None:
    stub_read(stub, [2, 1])
    topo = adapter.read_topology(GROUP)
    assert topo.cluster_mode_enabled
    assert [s.shard_id for s in topo.shards] == ["0001", "0002"]
    assert [s.replica_count for s in topo.shards] == [2, 1]
    assert topo.replicas_per_shard == 1
    # Cluster mode enabled: no CurrentRole, so no role until IsMaster is read.
    assert {m.role for s in topo.shards for m in s.members} == {Role.UNKNOWN}
    assert topo.node_count == 5
    assert topo.engine == "valkey"
    assert topo.engine_version == "8.0.1"
    assert topo.allowed_scale_up == (XLARGE,)
    assert topo.allowed_scale_down == (MEDIUM,)
    assert topo.not_quiescent_because() is None


def test_read_topology_of_a_large_group_pages_and_stops_once_every_member_is_found(
    stub: Stubber, adapter: ElastiCache
) -> None:
    stub_read(stub, [2, 2, 2, 2])  # 12 members > DIRECT_LOOKUP_MAX_MEMBERS; no call for page-3
    topo = adapter.read_topology(GROUP)
    assert topo.node_count == 12
    assert topo.replicas_per_shard == 2
    assert all(m.status == "available" for s in topo.shards for m in s.members)


def test_a_member_gone_meanwhile_makes_the_group_not_quiescent(stub: Stubber, adapter: ElastiCache) -> None:
    group = group_response([1], cluster_mode=False)
    stub.add_response("describe_replication_groups", group, {"ReplicationGroupId": GROUP})
    first, second = group["ReplicationGroups"][0]["MemberClusters"]
    stub.add_response(
        "describe_cache_clusters",
        {"CacheClusters": [_cluster(first, GROUP)]},
        {"CacheClusterId": first, "ShowCacheNodeInfo": False},
    )
    stub.add_client_error(
        "describe_cache_clusters",
        "CacheClusterNotFound",
        "not found",
        404,
        expected_params={"CacheClusterId": second, "ShowCacheNodeInfo": False},
    )
    stub.add_response("list_allowed_node_type_modifications", {}, {"ReplicationGroupId": GROUP})
    topo = adapter.read_topology(GROUP)
    assert [m.status for m in topo.shards[0].members] == ["available", "not found"]
    assert topo.not_quiescent_because() == f"member {second} is not found"
    assert [m.role for m in topo.shards[0].members] == [Role.PRIMARY, Role.REPLICA]  # CurrentRole (CMD)


def test_read_topology_of_a_missing_group_is_cluster_not_found(stub: Stubber, adapter: ElastiCache) -> None:
    stub.add_client_error(
        "describe_replication_groups",
        "ReplicationGroupNotFoundFault",
        "Replication group orders not found.",
        http_status_code=404,
        expected_params={"ReplicationGroupId": GROUP},
    )
    with pytest.raises(ClusterNotFoundError, match="orders"):
        adapter.read_topology(GROUP)


def test_tags_are_read_by_the_groups_arn(stub: Stubber, adapter: ElastiCache) -> None:
    stub.add_response("describe_replication_groups", group_response([1]), {"ReplicationGroupId": GROUP})
    stub.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]},
        {"ResourceName": ARN},
    )
    assert adapter.tags(GROUP) == {"elasticache-autoscaler:managed": "true"}


def test_topology_and_tags_come_from_one_describe(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1])  # exactly one DescribeReplicationGroups is stubbed
    stub.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]},
        {"ResourceName": ARN},
    )
    topo, tags = adapter.read_topology_and_tags(GROUP)
    assert topo.replication_group_id == GROUP
    assert tags == {"elasticache-autoscaler:managed": "true"}


def test_topology_and_tags_without_node_types_send_no_list_allowed_node_type_modifications(
    stub: Stubber, adapter: ElastiCache
) -> None:
    """Act's read for any change but a node type: the group, its members and its tags only."""
    group = group_response([1])
    stub.add_response("describe_replication_groups", group, {"ReplicationGroupId": GROUP})
    stub_members(stub, group["ReplicationGroups"][0]["MemberClusters"], LARGE)
    stub.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]},
        {"ResourceName": ARN},
    )
    topo, tags = adapter.read_topology_and_tags(GROUP, node_types=False)
    stub.assert_no_pending_responses()
    assert (topo.replicas_per_shard, topo.allowed_scale_up, topo.allowed_scale_down) == (1, (), ())
    assert tags == {"elasticache-autoscaler:managed": "true"}


def test_a_setter_given_the_steps_topology_reads_nothing_more(stub: Stubber, adapter: ElastiCache) -> None:
    topo = topology(GROUP, shards=1, replicas=1)
    stub.add_response(
        "increase_replica_count",
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {"ReplicationGroupId": GROUP, "NewReplicaCount": 2, "ApplyImmediately": True},
    )
    assert adapter.set_replica_count(GROUP, 2, topo) == "increase_replica_count"


def test_group_of_member(stub: Stubber, adapter: ElastiCache) -> None:
    stub.add_response(
        "describe_cache_clusters",
        {"CacheClusters": [_cluster("orders-0001-001", GROUP)]},
        {"CacheClusterId": "orders-0001-001"},
    )
    stub.add_client_error(
        "describe_cache_clusters",
        "CacheClusterNotFound",
        "not found",
        404,
        expected_params={"CacheClusterId": "gone-001"},
    )
    assert adapter.group_of_member("orders-0001-001") == GROUP
    assert adapter.group_of_member("gone-001") is None


def test_an_alarms_member_gives_its_groups_tags_in_one_more_call(stub: Stubber, adapter: ElastiCache) -> None:
    """on_alarm's path: the member's DescribeCacheClusters answer (its ``ARN``) names the group's ARN, so the
    tags follow without a DescribeReplicationGroups (which the Stubber would refuse: none is stubbed)."""
    stub.add_response(
        "describe_cache_clusters",
        {
            "CacheClusters": [
                _cluster("orders-0001-001", GROUP)
                | {"ARN": "arn:aws:elasticache:us-east-1:123456789012:cluster:orders-0001-001"}
            ]
        },
        {"CacheClusterId": "orders-0001-001"},
    )
    stub.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]},
        {"ResourceName": ARN},
    )
    assert adapter.group_of_member("orders-0001-001") == GROUP
    assert adapter.tags(GROUP) == {"elasticache-autoscaler:managed": "true"}
    stub.assert_no_pending_responses()


def test_the_tags_of_a_group_gone_since_its_arn_was_learned_are_cluster_not_found(
    stub: Stubber, adapter: ElastiCache
) -> None:
    stub.add_response("describe_replication_groups", group_response([1]), {"ReplicationGroupId": GROUP})
    stub.add_response("list_tags_for_resource", {"TagList": []}, {"ResourceName": ARN})
    stub.add_client_error(
        "list_tags_for_resource",
        "ReplicationGroupNotFoundFault",
        "Replication group orders not found",
        404,
        expected_params={"ResourceName": ARN},
    )
    assert adapter.tags(GROUP) == {}  # the first read learns the ARN from DescribeReplicationGroups
    with pytest.raises(ClusterNotFoundError, match="orders"):
        adapter.tags(GROUP)
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("member_arn", "group_arn"),
    [
        (
            "arn:aws:elasticache:us-east-1:123456789012:cluster:orders-0001-001",
            "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:orders",
        ),
        (
            "arn:aws-us-gov:elasticache:us-gov-west-1:123456789012:cluster:orders-002",
            "arn:aws-us-gov:elasticache:us-gov-west-1:123456789012:replicationgroup:orders",
        ),
        (
            "arn:aws-cn:elasticache:cn-north-1:123456789012:cluster:orders-001",
            "arn:aws-cn:elasticache:cn-north-1:123456789012:replicationgroup:orders",
        ),
    ],
)
def test_group_arn_of_member(member_arn: str, group_arn: str) -> None:
    assert group_arn_of_member(member_arn, GROUP) == group_arn


@pytest.mark.parametrize(
    "not_a_member",
    [
        "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:orders",
        "arn:aws:elasticache:us-east-1:cluster:orders-001",
        "orders-001",
    ],
)
def test_group_arn_of_member_refuses_what_is_not_a_cache_clusters_arn(not_a_member: str) -> None:
    with pytest.raises(ValueError, match="not a cache cluster's ARN"):
        group_arn_of_member(not_a_member, GROUP)


# --- replicas ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replicas", "wanted", "operation", "shape"),
    [
        ([1], 2, "increase_replica_count", {"NewReplicaCount": 2}),
        ([2, 2, 2], 3, "increase_replica_count", {"NewReplicaCount": 3}),
        ([2], 1, "decrease_replica_count", {"NewReplicaCount": 1}),
        ([2, 2], 0, "decrease_replica_count", {"NewReplicaCount": 0}),
        # Uneven shards: only the shards to change are named, each with the absolute target.
        (
            [3, 2, 1],
            1,
            "decrease_replica_count",
            {
                "ReplicaConfiguration": [
                    {"NodeGroupId": "0001", "NewReplicaCount": 1},
                    {"NodeGroupId": "0002", "NewReplicaCount": 1},
                ]
            },
        ),
        (
            [1, 2, 3],
            2,
            "increase_replica_count",
            {"ReplicaConfiguration": [{"NodeGroupId": "0001", "NewReplicaCount": 2}]},
        ),
    ],
)
def test_set_replica_count_sends_an_absolute_target(  # noqa: PLR0917 - pytest parameters
    stub: Stubber,
    adapter: ElastiCache,
    replicas: list[int],
    wanted: int,
    operation: str,
    shape: dict[str, Any],
) -> None:
    stub_read(stub, replicas)
    stub.add_response(
        operation,
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {"ReplicationGroupId": GROUP, **shape, "ApplyImmediately": True},
    )
    assert adapter.set_replica_count(GROUP, wanted) == operation


def test_set_replica_count_already_there_makes_no_call(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [2, 2])
    assert adapter.set_replica_count(GROUP, 2) == ALREADY_THERE_RESULT


def test_replica_removal_never_takes_a_shard_below_the_target_nor_a_primary() -> None:
    topo = topology(GROUP, shards=3, replicas=1).model_copy()
    # Shards 0001..0003 with 1 replica each: removal to 0 names every shard; primaries are never named.
    operation, params = replica_count_request(topo, 0) or ("", {})
    assert operation == "decrease_replica_count"
    assert params == {"ReplicationGroupId": GROUP, "NewReplicaCount": 0, "ApplyImmediately": True}
    assert "ReplicasToRemove" not in params


# --- shards ------------------------------------------------------------------------------------------


def test_add_shards_sends_node_group_count(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1, 1])
    stub.add_response(
        "modify_replication_group_shard_configuration",
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {"ReplicationGroupId": GROUP, "NodeGroupCount": 4, "ApplyImmediately": True},
    )
    assert adapter.set_shard_count(GROUP, 4, {}) == "modify_replication_group_shard_configuration"


def test_remove_shards_names_the_emptiest(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1, 1, 1, 1])
    stub.add_response(
        "modify_replication_group_shard_configuration",
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {
            "ReplicationGroupId": GROUP,
            "NodeGroupCount": 2,
            "ApplyImmediately": True,
            "NodeGroupsToRemove": ["0003", "0001"],
        },
    )
    memory = {"0001": 22.0, "0002": 61.5, "0003": 12.0, "0004": 40.0}
    assert adapter.set_shard_count(GROUP, 2, memory) == "modify_replication_group_shard_configuration"


def test_remove_shards_without_memory_falls_back_to_the_highest_ids(
    stub: Stubber, adapter: ElastiCache
) -> None:
    stub_read(stub, [1, 1, 1])
    stub.add_response(
        "modify_replication_group_shard_configuration",
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {
            "ReplicationGroupId": GROUP,
            "NodeGroupCount": 1,
            "ApplyImmediately": True,
            "NodeGroupsToRemove": ["0003", "0002"],
        },
    )
    assert adapter.set_shard_count(GROUP, 1, {}) == "modify_replication_group_shard_configuration"


def test_shards_to_remove_puts_known_memory_first_then_highest_id() -> None:
    topo = topology(GROUP, shards=4, replicas=1)
    assert shards_to_remove(topo, 3, {"0002": 50.0, "0001": 10.0}) == ["0001", "0002", "0004"]
    assert shards_to_remove(topo, 2, {"0001": 5.0, "0003": 5.0}) == ["0003", "0001"]


def test_shard_count_already_there_makes_no_call(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1, 1])
    assert adapter.set_shard_count(GROUP, 2, {}) == ALREADY_THERE_RESULT


def test_shards_of_a_cluster_mode_disabled_group_are_refused(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1], cluster_mode=False)
    with pytest.raises(ActionFailedError, match="cluster mode is disabled"):
        adapter.set_shard_count(GROUP, 2, {})


# --- node type ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("node_type", [XLARGE, MEDIUM])
def test_set_node_type_to_an_allowed_type(stub: Stubber, adapter: ElastiCache, node_type: str) -> None:
    stub_read(stub, [1])
    stub.add_response(
        "modify_replication_group",
        {"ReplicationGroup": {"ReplicationGroupId": GROUP, "Status": "modifying"}},
        {"ReplicationGroupId": GROUP, "CacheNodeType": node_type, "ApplyImmediately": True},
    )
    assert adapter.set_node_type(GROUP, node_type) == "modify_replication_group"


def test_a_node_type_not_listed_is_refused_without_a_call(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1], up=("cache.r7g.2xlarge",), down=())
    with pytest.raises(ActionFailedError, match="not an allowed"):
        adapter.set_node_type(GROUP, XLARGE)


def test_the_same_node_type_is_already_there(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1])
    assert adapter.set_node_type(GROUP, LARGE) == ALREADY_THERE_RESULT


# --- error mapping -----------------------------------------------------------------------------------

SCALE_CALLS: list[tuple[str, list[int], Mapping[str, Any], dict[str, Any]]] = [
    ("increase_replica_count", [1], {"wanted": 2}, {"NewReplicaCount": 2}),
    ("decrease_replica_count", [2], {"wanted": 1}, {"NewReplicaCount": 1}),
    ("modify_replication_group_shard_configuration", [1, 1], {"shards": 3}, {"NodeGroupCount": 3}),
    ("modify_replication_group", [1], {"node_type": XLARGE}, {"CacheNodeType": XLARGE}),
]


def _set(adapter: ElastiCache, how: Mapping[str, Any]) -> str:
    if "wanted" in how:
        return adapter.set_replica_count(GROUP, how["wanted"])
    if "shards" in how:
        return adapter.set_shard_count(GROUP, how["shards"], {})
    return adapter.set_node_type(GROUP, how["node_type"])


@pytest.mark.parametrize(
    ("operation", "replicas", "how", "shape"), SCALE_CALLS, ids=[c[0] for c in SCALE_CALLS]
)
@pytest.mark.parametrize(
    ("code", "message", "outcome"),
    [
        ("NoOperationFault", "No operation is needed.", ALREADY_THERE_RESULT),
        ("InvalidReplicationGroupState", "Cluster is already balanced. Nothing to do.", ALREADY_THERE_RESULT),
        (
            "InvalidReplicationGroupState",
            "Replication group orders is not in available state.",
            GroupBusyError,
        ),
        (
            "InvalidCacheClusterState",
            "Cache cluster orders-0001-002 is not in available state.",
            GroupBusyError,
        ),
        ("ReplicationGroupNotFoundFault", "Replication group orders not found.", ClusterNotFoundError),
        ("InsufficientCacheClusterCapacity", "Insufficient capacity.", ActionFailedError),
        (
            "InvalidParameterValue",
            "The number of replicas per node group must be between 0 and 5.",
            ActionFailedError,
        ),
    ],
)
def test_error_mapping(  # noqa: PLR0917 - pytest parameters
    stub: Stubber,
    adapter: ElastiCache,
    operation: str,
    replicas: list[int],
    how: Mapping[str, Any],
    shape: dict[str, Any],
    code: str,
    message: str,
    outcome: str | type[Exception],
) -> None:
    stub_read(stub, replicas)
    stub.add_client_error(
        operation,
        code,
        message,
        http_status_code=400,
        expected_params={"ReplicationGroupId": GROUP, **shape, "ApplyImmediately": True},
    )
    if isinstance(outcome, str):
        assert _set(adapter, how) == outcome
    else:
        with pytest.raises(outcome, match=code):
            _set(adapter, how)


# --- throttling --------------------------------------------------------------------------------------

_NS = "http://elasticache.amazonaws.com/doc/2015-02-02/"
_THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
    b"</Error><RequestId>r-1</RequestId></ErrorResponse>"
)
_INCREASED = (
    f'<IncreaseReplicaCountResponse xmlns="{_NS}"><IncreaseReplicaCountResult><ReplicationGroup>'
    f"<ReplicationGroupId>{GROUP}</ReplicationGroupId><Status>modifying</Status></ReplicationGroup>"
    "</IncreaseReplicaCountResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata>"
    "</IncreaseReplicaCountResponse>"
).encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def _answer_at_send(client: "ElastiCacheClient", answer: Callable[..., AWSResponse]) -> None:
    """Answer IncreaseReplicaCount at ``before-send``: below botocore's retry handler, unlike the Stubber."""
    handler = cast("Callable[..., None]", answer)  # the stubs type handlers as returning None
    client.meta.events.register("before-send.elasticache.IncreaseReplicaCount", handler)


def test_throttling_is_retried_by_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    """Throttling, then success: one successful call for the adapter, two HTTP attempts on the wire."""
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)
    client = offline_elasticache()
    bodies = [(400, _THROTTLED), (200, _INCREASED)]
    sent: list[str] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        body = request.body
        sent.append(body.decode() if isinstance(body, bytes) else str(body))
        status, body = bodies.pop(0)
        return AWSResponse(request.url, status, HTTPHeaders(), _Raw(body))

    _answer_at_send(client, answer)
    request = replica_count_request(topology(GROUP, shards=1, replicas=1), 2)
    assert request is not None
    assert ElastiCache(client)._call(request) == "increase_replica_count"
    assert len(sent) == 2
    assert bodies == []
    assert sent[0] == sent[1]  # the retry resends the same absolute target
    assert "NewReplicaCount=2" in sent[0]
    assert "ApplyImmediately=true" in sent[0]


def test_throttling_past_the_retry_budget_is_throttled_not_an_action_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding 5: a throttled call was not applied; the workflow retries Act (which re-reads first) and,
    exhausted, records the decision skipped: never an action failure, never counted toward the breaker."""
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _seconds: None)
    client = offline_elasticache()
    attempts: list[int] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        attempts.append(1)
        return AWSResponse(request.url, 400, HTTPHeaders(), _Raw(_THROTTLED))

    _answer_at_send(client, answer)
    request = replica_count_request(topology(GROUP, shards=1, replicas=1), 2)
    assert request is not None
    with pytest.raises(ThrottledError, match="Throttling"):
        ElastiCache(client)._call(request)
    # this client's own retries (aws.RETRIES: 5 attempts in all); production changes use aws.CHANGES
    assert len(attempts) == 5


# --- finding 1: AWS's own example answers (botocore examples-1.json) ---------------------------------


def _aws_examples() -> dict[str, list[dict[str, Any]]]:
    """botocore's ``data/elasticache/2015-02-02/examples-1.json``, as installed (AWS's published examples)."""
    loader = botocore.session.get_session().get_component("data_loader")
    examples: dict[str, list[dict[str, Any]]] = loader.load_service_model("elasticache", "examples-1")[
        "examples"
    ]
    return examples


def _example_member(cluster_id: str, group_id: str) -> dict[str, Any]:
    """examples-1.json's DescribeCacheClusters record (a Memcached cluster, the only example there), made a
    Redis OSS replication group member: id, engine and ReplicationGroupId replaced, the Memcached-only
    ConfigurationEndpoint and NumCacheNodes > 1 dropped; every other field as AWS wrote it."""
    example: dict[str, Any] = copy.deepcopy(
        _aws_examples()["DescribeCacheClusters"][0]["output"]["CacheClusters"][0]
    )
    example.pop("ConfigurationEndpoint", None)
    return example | {
        "CacheClusterId": cluster_id,
        "ReplicationGroupId": group_id,
        "Engine": "redis",
        "EngineVersion": "7.1",
        "NumCacheNodes": 1,
    }


def _is_master_results(
    ids: dict[str, tuple[int, int]], primaries: set[str], cpu: dict[str, float]
) -> dict[str, Any]:
    """A GetMetricData answer: IsMaster and EngineCPUUtilization per node (query ids by cluster id)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    results = []
    engine_cpu = list(MetricName).index(MetricName.ENGINE_CPU)
    for cluster_id, (s, m) in ids.items():
        results.append(
            {"Id": f"s{s}_m{m}_r", "Timestamps": [now], "Values": [1.0 if cluster_id in primaries else 0.0]}
        )
        results.append({"Id": f"s{s}_m{m}_k{engine_cpu}", "Timestamps": [now], "Values": [cpu[cluster_id]]})
    return {"MetricDataResults": [r | {"StatusCode": "Complete"} for r in results]}


def test_finding1_aws_example_cme_response_is_read_correctly(stub: Stubber, adapter: ElastiCache) -> None:
    """AWS's example DescribeReplicationGroups answer for a clustered group ("clustered-redis": 2 shards of
    2 nodes, no CurrentRole, no ClusterEnabled) gives 2 shards of 1 replica, and roles only from IsMaster:
    here the *second* listed node of shard 0001 is its primary, so its CPU is write CPU."""
    examples = _aws_examples()
    answer = examples["DescribeReplicationGroups"][0]["output"]
    group = answer["ReplicationGroups"][0]
    group_id = group["ReplicationGroupId"]
    stub.add_response("describe_replication_groups", answer, {"ReplicationGroupId": group_id})
    for member in group["MemberClusters"]:
        stub.add_response(
            "describe_cache_clusters",
            {"CacheClusters": [_example_member(member, group_id)]},
            {"CacheClusterId": member, "ShowCacheNodeInfo": False},
        )
    stub.add_response(
        "list_allowed_node_type_modifications",
        examples["ListAllowedNodeTypeModifications"][0]["output"],
        {"ReplicationGroupId": group_id},
    )

    topo = adapter.read_topology(group_id)

    assert topo.cluster_mode_enabled
    assert [s.shard_id for s in topo.shards] == ["0001", "0002"]
    assert topo.replicas_per_shard == 1
    assert [s.replica_count for s in topo.shards] == [1, 1]
    assert topo.node_count == 4
    assert topo.engine == "redis"
    assert topo.node_type == "cache.t2.medium"  # no CacheNodeType on the example group: the members'
    assert topo.not_quiescent_because() is None
    # No CurrentRole: no member is taken for a primary from DescribeReplicationGroups.
    assert {m.role for s in topo.shards for m in s.members} == {Role.UNKNOWN}
    assert topo.shards_with_unknown_roles == ("0001", "0002")
    assert replica_count_request(topo, 1) is None  # already 1 replica per shard: no call
    assert replica_count_request(topo, 2) == (
        "increase_replica_count",
        {"ReplicationGroupId": group_id, "NewReplicaCount": 2, "ApplyImmediately": True},
    )

    # Roles from IsMaster, read in the CloudWatch adapter's one GetMetricData call.
    cloudwatch = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    ids = {m.cluster_id: (s, i) for s, shard in enumerate(topo.shards) for i, m in enumerate(shard.members)}
    primaries = {"clustered-redis-0001-002", "clustered-redis-0002-001"}
    cpu = {
        "clustered-redis-0001-001": 75.0,  # a hot replica: read CPU, never write CPU
        "clustered-redis-0001-002": 20.0,
        "clustered-redis-0002-001": 30.0,
        "clustered-redis-0002-002": 10.0,
    }
    with Stubber(cloudwatch) as cw_stub:
        cw_stub.add_response(
            "get_metric_data",
            _is_master_results(ids, primaries, cpu),
            {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampAscending"},
        )
        metrics = CloudWatch(cloudwatch).read_metrics(topo, datetime.now(UTC), window_minutes=60)
        cw_stub.assert_no_pending_responses()

    resolved = apply_roles(topo, metrics.is_master)
    assert [[m.role for m in s.members] for s in resolved.shards] == [
        [Role.REPLICA, Role.PRIMARY],
        [Role.PRIMARY, Role.REPLICA],
    ]
    assert resolved.shards_with_unknown_roles == ()
    assert metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY) == {"0001": (20.0,), "0002": (30.0,)}
    assert metrics.values(MetricName.ENGINE_CPU, Role.REPLICA) == {"0001": (75.0,), "0002": (10.0,)}


def test_finding1_aws_example_cmd_response_keeps_current_role(stub: Stubber, adapter: ElastiCache) -> None:
    """AWS's example ModifyReplicationGroup answer is a cluster-mode-disabled group with CurrentRole: read
    as a DescribeReplicationGroups answer, its roles come from CurrentRole, as before."""
    examples = _aws_examples()
    group = examples["ModifyReplicationGroup"][0]["output"]["ReplicationGroup"]
    group_id = group["ReplicationGroupId"]
    stub.add_response(
        "describe_replication_groups", {"ReplicationGroups": [group]}, {"ReplicationGroupId": group_id}
    )
    for member in group["MemberClusters"]:
        stub.add_response(
            "describe_cache_clusters",
            {"CacheClusters": [_example_member(member, group_id)]},
            {"CacheClusterId": member, "ShowCacheNodeInfo": False},
        )
    stub.add_response("list_allowed_node_type_modifications", {}, {"ReplicationGroupId": group_id})

    topo = adapter.read_topology(group_id)

    assert not topo.cluster_mode_enabled
    assert topo.replicas_per_shard == 2
    assert [m.role for m in topo.shards[0].members] == [Role.PRIMARY, Role.REPLICA, Role.REPLICA]
    assert topo.shards_with_unknown_roles == ()


def test_finding9_a_request_with_a_field_the_product_never_sends_is_refused_before_any_call(
    stub: Stubber, adapter: ElastiCache
) -> None:
    """Given a ModifyReplicationGroup that would also change the engine version, when the adapter is asked
    to make it, then it raises naming the field and ElastiCache is never called (the Stubber has no
    response queued: any call would fail the test with a different error)."""
    request = ChangeNodeType(
        "modify_replication_group",
        {
            "ReplicationGroupId": GROUP,
            "CacheNodeType": LARGE,
            "EngineVersion": "7.1",
            "ApplyImmediately": True,
        },
    )
    with pytest.raises(ActionFailedError, match="EngineVersion"):
        adapter._call(request)
    stub.assert_no_pending_responses()


def test_mutating_calls_are_never_resent_by_botocore() -> None:
    """A read timeout or a 5xx may follow an applied change: botocore must not send it again."""
    from elasticache_autoscaler.adapters import aws

    # botocore-stubs declare Config's options as __init__ arguments only; Config stores them as attributes.
    options = vars(aws.CHANGES)
    assert options["retries"] == {"mode": "standard", "total_max_attempts": 1}
    assert options["read_timeout"] == 10


def test_rotation_reads_the_group_through_the_same_parse_as_scaling(
    stub: Stubber, client: "ElastiCacheClient"
) -> None:
    """The credential adapter reads AWS's example group with the scaling adapter's own calls and parse
    (describe_group, describe_members, topology_from): the same quiescence, and the member a group names but
    DescribeCacheClusters no longer knows keeps the group busy for a token change too."""
    examples = _aws_examples()
    answer = examples["DescribeReplicationGroups"][0]["output"]
    group = answer["ReplicationGroups"][0]
    group_id = group["ReplicationGroupId"]
    stub.add_response("describe_replication_groups", answer, {"ReplicationGroupId": group_id})
    *present, gone = group["MemberClusters"]
    for member in present:
        stub.add_response(
            "describe_cache_clusters",
            {"CacheClusters": [_example_member(member, group_id)]},
            {"CacheClusterId": member, "ShowCacheNodeInfo": False},
        )
    stub.add_client_error(
        "describe_cache_clusters",
        "CacheClusterNotFound",
        expected_params={"CacheClusterId": gone, "ShowCacheNodeInfo": False},
    )

    auth = ElastiCacheCredentials(client).group_auth(group_id)

    assert auth.topology.shard_count == 2
    assert auth.topology.node_count == 4
    assert gone in (auth.busy_because() or "")
    # AWS's example has no ConfigurationEndpoint: the first shard's primary endpoint, else none.
    endpoint = group.get("ConfigurationEndpoint") or group["NodeGroups"][0].get("PrimaryEndpoint")
    assert (auth.host, auth.port) == ((endpoint["Address"], endpoint["Port"]) if endpoint else (None, None))
    assert auth.auth_token_status is None


class _AnsweringClient:
    """The answers of ``stub_read`` (and the tags), from any thread: botocore's Stubber expects one call after
    another, so the reads sent together are checked with this instead. With a barrier, every read that
    follows DescribeReplicationGroups waits until all of them are in flight: read one after another, the
    first waits alone and the barrier's timeout breaks it."""

    def __init__(self, replicas: list[int], barrier: threading.Barrier | None = None) -> None:
        self.group = group_response(replicas)
        self.barrier = barrier

    def _arrive(self) -> None:
        if self.barrier is not None:
            self.barrier.wait()

    def describe_replication_groups(self, **params: Any) -> dict[str, Any]:
        assert params == {"ReplicationGroupId": GROUP}
        return self.group

    def describe_cache_clusters(self, **params: Any) -> dict[str, Any]:
        assert params.keys() == {"CacheClusterId", "ShowCacheNodeInfo"}
        self._arrive()
        return {"CacheClusters": [_cluster(params["CacheClusterId"], GROUP)]}

    def list_allowed_node_type_modifications(self, **params: Any) -> dict[str, Any]:
        assert params == {"ReplicationGroupId": GROUP}
        self._arrive()
        return {"ScaleUpModifications": [XLARGE], "ScaleDownModifications": [MEDIUM]}

    def list_tags_for_resource(self, **params: Any) -> dict[str, Any]:
        assert params == {"ResourceName": ARN}
        self._arrive()
        return {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]}


def test_the_lambdas_adapter_sends_the_reads_after_the_group_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Members, allowed node types and tags in one round (the alarm's path to its first change is shorter by
    that many calls), with the same topology and tags as read one after another."""
    replicas = [2, 1]  # 5 members
    members = sum(r + 1 for r in replicas)
    together = _AnsweringClient(replicas, threading.Barrier(members + 2, timeout=5))
    alone = _AnsweringClient(replicas)
    at_once = ElastiCache(cast("ElastiCacheClient", together), at_once=True)
    in_turn = ElastiCache(cast("ElastiCacheClient", alone))  # a given client: one call after another
    assert at_once.read_topology_and_tags(GROUP) == in_turn.read_topology_and_tags(GROUP)
    # The Lambdas build the adapter without a client (adapters.aws makes it): it reads at once.
    monkeypatch.setattr(aws, "elasticache", lambda: cast("ElastiCacheClient", together))
    monkeypatch.setattr(aws, "elasticache_changes", lambda: cast("ElastiCacheClient", together))
    assert ElastiCache().read_topology_and_tags(GROUP) == in_turn.read_topology_and_tags(GROUP)


def test_the_metrics_are_read_beside_the_reads_that_complete_the_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Observe's read: what runs ``beside`` (the metrics) is in flight with the members, the node types and
    the tags (one round after DescribeReplicationGroups, not two), given the group's outline: its shards and
    members in order, as the complete topology has them."""
    replicas = [2, 1]  # 5 members
    members = sum(r + 1 for r in replicas)
    barrier = threading.Barrier(members + 3, timeout=5)
    outlines: list[Topology] = []

    def beside(outline: Topology) -> str:
        outlines.append(outline)
        barrier.wait()
        return "metrics"

    at_once = ElastiCache(cast("ElastiCacheClient", _AnsweringClient(replicas, barrier)), at_once=True)
    topology, tags, metrics = at_once.read_topology_tags_and(GROUP, beside)
    in_turn = ElastiCache(cast("ElastiCacheClient", _AnsweringClient(replicas)))
    assert (topology, tags) == in_turn.read_topology_and_tags(GROUP)
    assert metrics == "metrics"
    [outline] = outlines
    assert [[m.cluster_id for m in s.members] for s in outline.shards] == [
        [m.cluster_id for m in s.members] for s in topology.shards
    ]
    assert [[m.role for m in s.members] for s in outline.shards] == [
        [m.role for m in s.members] for s in topology.shards
    ]
    assert (outline.allowed_scale_up, outline.allowed_scale_down) == ((), ())


def test_read_one_after_another_beside_follows_the_groups_reads(stub: Stubber, adapter: ElastiCache) -> None:
    stub_read(stub, [1])
    stub.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": "elasticache-autoscaler:managed", "Value": "true"}]},
        {"ResourceName": ARN},
    )
    topology, tags, members = adapter.read_topology_tags_and(
        GROUP, lambda outline: [m.cluster_id for s in outline.shards for m in s.members]
    )
    stub.assert_no_pending_responses()
    assert members == [m.cluster_id for s in topology.shards for m in s.members]
    assert tags == {"elasticache-autoscaler:managed": "true"}
