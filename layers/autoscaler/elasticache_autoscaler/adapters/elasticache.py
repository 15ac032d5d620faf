"""ElastiCache: read a replication group's topology, and change it with absolute targets only.

Request builders are pure functions (tested with botocore's Stubber); the class makes the calls.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.catalog import Engine
from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError, GroupBusyError
from elasticache_autoscaler.models.snapshot import Member, Role, Shard, Topology

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient

ALREADY_THERE = {"NoOperationFault", "NoOperation"}
BUSY = {"InvalidReplicationGroupState", "InvalidReplicationGroupStateFault", "InvalidCacheClusterState"}


class ElastiCacheGateway(Protocol):
    def read_topology(self, group_id: str) -> Topology: ...
    def tags(self, group_id: str) -> dict[str, str]: ...
    def group_of_member(self, cache_cluster_id: str) -> str | None: ...
    def list_group_ids(self) -> list[str]: ...
    def set_replica_count(self, group_id: str, replicas_per_shard: int) -> str: ...


def _engine(value: str) -> Engine:
    return "valkey" if value.lower() == "valkey" else "redis"


def topology_from(
    group: Mapping[str, Any],
    members: Mapping[str, Mapping[str, Any]],
    allowed: Mapping[str, Any] | None = None,
) -> Topology:
    """Build the Topology from DescribeReplicationGroups' group, DescribeCacheClusters' members by id,
    and ListAllowedNodeTypeModifications' answer."""
    shards = []
    for node_group in group.get("NodeGroups", []):
        shard_members = []
        for m in node_group.get("NodeGroupMembers", []):
            cluster_id = m["CacheClusterId"]
            detail = members.get(cluster_id, {})
            shard_members.append(
                Member(
                    cluster_id=cluster_id,
                    role=Role.PRIMARY if m.get("CurrentRole", "primary") == "primary" else Role.REPLICA,
                    status=detail.get("CacheClusterStatus", group.get("Status", "unknown")),
                    availability_zone=m.get("PreferredAvailabilityZone"),
                )
            )
        if not any(m.role is Role.PRIMARY for m in shard_members) and shard_members:
            shard_members[0] = shard_members[0].model_copy(update={"role": Role.PRIMARY})
        shards.append(
            Shard(shard_id=node_group["NodeGroupId"], status=node_group.get("Status", "unknown"), members=tuple(shard_members))
        )
    first_member = next(iter(members.values()), {})
    pending = group.get("PendingModifiedValues") or {}
    return Topology(
        replication_group_id=group["ReplicationGroupId"],
        engine=_engine(group.get("Engine") or first_member.get("Engine", "redis")),
        engine_version=first_member.get("EngineVersion", ""),
        cluster_mode_enabled=bool(group.get("ClusterEnabled", False)),
        node_type=group.get("CacheNodeType") or first_member.get("CacheNodeType", ""),
        status=group.get("Status", "unknown"),
        shards=tuple(shards),
        multi_az=group.get("MultiAZ") == "enabled",
        automatic_failover=group.get("AutomaticFailover") in {"enabled", "enabling"},
        pending_modifications=tuple(sorted(k for k, v in pending.items() if v)),
        transit_encryption=bool(group.get("TransitEncryptionEnabled", False)),
        auth_token_enabled=bool(group.get("AuthTokenEnabled", False)),
        auth_token_last_modified=group.get("AuthTokenLastModifiedDate"),
        user_group_ids=tuple(group.get("UserGroupIds", [])),
        allowed_scale_up=tuple((allowed or {}).get("ScaleUpModifications", [])),
        allowed_scale_down=tuple((allowed or {}).get("ScaleDownModifications", [])),
    )


def replica_count_request(group_id: str, current: int, wanted: int) -> tuple[str, dict[str, Any]]:
    """The call and parameters that bring every shard to ``wanted`` replicas: an absolute target."""
    operation = "increase_replica_count" if wanted > current else "decrease_replica_count"
    return operation, {"ReplicationGroupId": group_id, "NewReplicaCount": wanted, "ApplyImmediately": True}


class ElastiCache:
    def __init__(self, client: "ElastiCacheClient | None" = None) -> None:
        self._client = client or aws.elasticache()

    def read_topology(self, group_id: str) -> Topology:
        try:
            groups = self._client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
        except ClientError as error:
            if error.response["Error"]["Code"] in {"ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"}:
                raise ClusterNotFoundError(f"replication group {group_id!r} does not exist") from None
            raise
        group = groups[0]
        members = {}
        for page in self._client.get_paginator("describe_cache_clusters").paginate(ShowCacheNodeInfo=False):
            for cluster in page["CacheClusters"]:
                if cluster.get("ReplicationGroupId") == group_id:
                    members[cluster["CacheClusterId"]] = cluster
        allowed = self._client.list_allowed_node_type_modifications(ReplicationGroupId=group_id)
        return topology_from(group, members, allowed)

    def tags(self, group_id: str) -> dict[str, str]:
        arn = self._client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]["ARN"]
        tags = self._client.list_tags_for_resource(ResourceName=arn).get("TagList", [])
        return {t["Key"]: t["Value"] for t in tags}

    def group_of_member(self, cache_cluster_id: str) -> str | None:
        try:
            clusters = self._client.describe_cache_clusters(CacheClusterId=cache_cluster_id)["CacheClusters"]
        except ClientError as error:
            if error.response["Error"]["Code"] in {"CacheClusterNotFound", "CacheClusterNotFoundFault"}:
                return None
            raise
        return clusters[0].get("ReplicationGroupId") if clusters else None

    def list_group_ids(self) -> list[str]:
        ids = []
        for page in self._client.get_paginator("describe_replication_groups").paginate():
            ids.extend(g["ReplicationGroupId"] for g in page["ReplicationGroups"])
        return ids

    def set_replica_count(self, group_id: str, replicas_per_shard: int) -> str:
        current = self.read_topology(group_id).replicas_per_shard
        operation, params = replica_count_request(group_id, current, replicas_per_shard)
        return self._call(operation, params)

    def _call(self, operation: str, params: dict[str, Any]) -> str:
        """Make one mutating call; "already there" is success, "busy" is a GroupBusyError to wait on."""
        try:
            getattr(self._client, operation)(**params)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            message = error.response["Error"].get("Message", "")
            if code in ALREADY_THERE or "Nothing to do" in message:
                return "already there"
            if code in BUSY:
                raise GroupBusyError(f"{operation}: {code}: {message}") from None
            raise ActionFailedError(f"{operation}: {code}: {message}") from None
        return operation
