"""ElastiCache: read a replication group's topology, and change it with absolute targets only.

Request builders are pure functions (tested with botocore's Stubber); the class makes the calls.
"""

import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler import concurrent_reads
from elasticache_autoscaler.adapters import aws, change_call
from elasticache_autoscaler.adapters.change_call import make_change
from elasticache_autoscaler.adapters.describe_one import describe_one
from elasticache_autoscaler.adapters.elasticache_tags import tags_of
from elasticache_autoscaler.adapters.error_codes import CLUSTER_NOT_FOUND, GROUP_BUSY, GROUP_NOT_FOUND
from elasticache_autoscaler.catalog import Engine
from elasticache_autoscaler.errors import ActionFailedError
from elasticache_autoscaler.models.snapshot import Member, Role, Shard, Topology

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_elasticache.type_defs import (
        AllowedNodeTypeModificationsMessageTypeDef,
        ConfigureShardTypeDef,
        DecreaseReplicaCountMessageTypeDef,
        IncreaseReplicaCountMessageTypeDef,
        ModifyReplicationGroupMessageTypeDef,
        ModifyReplicationGroupShardConfigurationMessageTypeDef,
    )


DIRECT_LOOKUP_MAX_MEMBERS = 10
"""Groups with at most this many members are read one ``DescribeCacheClusters(CacheClusterId=...)`` per
member; larger ones page the account (``PAGE_SIZE`` a call) and stop once every member is found."""
PAGE_SIZE = 100  # DescribeCacheClusters' MaxRecords maximum


MISSING_MEMBER_STATUS = "not found"


ALREADY_THERE_RESULT = change_call.ALREADY_THERE_RESULT
"""What a setter returns when the group already has the target (the one text every adapter returns)."""


def _with_missing(found: dict[str, Mapping[str, Any]], wanted: list[str]) -> dict[str, Mapping[str, Any]]:
    """``found`` plus a placeholder for every wanted member DescribeCacheClusters did not return."""
    missing = {cid: {"CacheClusterId": cid, "CacheClusterStatus": MISSING_MEMBER_STATUS} for cid in wanted}
    return {**missing, **found}


class ElastiCacheGateway(Protocol):
    """``set_*``: ``topology`` is the group as just read in the same step (None: the setter reads it)."""

    def read_topology(self, group_id: str) -> Topology: ...
    def tags(self, group_id: str) -> dict[str, str]: ...
    def read_topology_and_tags(
        self, group_id: str, *, node_types: bool = True
    ) -> tuple[Topology, dict[str, str]]: ...
    def read_topology_tags_and[T](
        self, group_id: str, beside: Callable[[Topology], T]
    ) -> tuple[Topology, dict[str, str], T]: ...
    def group_of_member(self, cache_cluster_id: str) -> str | None: ...
    def set_replica_count(
        self, group_id: str, replicas_per_shard: int, topology: Topology | None = None
    ) -> str: ...
    def set_shard_count(
        self, group_id: str, shards: int, shard_memory: Mapping[str, float], topology: Topology | None = None
    ) -> str: ...
    def set_node_type(self, group_id: str, node_type: str, topology: Topology | None = None) -> str: ...


def _engine(value: str) -> Engine:
    return "valkey" if value.lower() == "valkey" else "redis"


def _role(member: Mapping[str, Any]) -> Role:
    """``CurrentRole`` when the group reports it (cluster mode disabled), else ``UNKNOWN``: resolved later
    from the ``IsMaster`` metric (``apply_roles``), never guessed here."""
    role = member.get("CurrentRole")
    if role is None:
        return Role.UNKNOWN
    return Role.PRIMARY if role == "primary" else Role.REPLICA


def _cluster_mode_enabled(group: Mapping[str, Any]) -> bool:
    """``ClusterEnabled`` when present; otherwise (AWS's own example answer omits it) ``ClusterMode``, then
    the shape: more than one node group or a node group with ``Slots`` is only possible in cluster mode."""
    if "ClusterEnabled" in group:
        return bool(group["ClusterEnabled"])
    if "ClusterMode" in group:
        return str(group["ClusterMode"]).lower() != "disabled"
    node_groups = group.get("NodeGroups", [])
    return len(node_groups) > 1 or any("Slots" in ng for ng in node_groups)


def topology_from(
    group: Mapping[str, Any],
    members: Mapping[str, Mapping[str, Any]],
    allowed: Mapping[str, Any] | None = None,
) -> Topology:
    """Build the Topology from DescribeReplicationGroups' group, DescribeCacheClusters' members by id,
    and ListAllowedNodeTypeModifications' answer.

    Roles: from ``CurrentRole`` (cluster mode disabled). A shard whose members have none (cluster mode
    enabled, as AWS answers) has every member ``UNKNOWN`` until ``apply_roles`` reads ``IsMaster``; replica
    counts never depend on roles (members - 1 per shard)."""
    shards = []
    for node_group in group.get("NodeGroups", []):
        shard_members = []
        for m in node_group.get("NodeGroupMembers", []):
            cluster_id = m["CacheClusterId"]
            detail = members.get(cluster_id, {})
            shard_members.append(
                Member(
                    cluster_id=cluster_id,
                    role=_role(m),
                    status=detail.get("CacheClusterStatus", group.get("Status", "unknown")),
                    availability_zone=m.get("PreferredAvailabilityZone"),
                )
            )
        roles = {m.role for m in shard_members}
        if Role.UNKNOWN in roles:
            # Some members report CurrentRole and some do not: trust none of it.
            shard_members = [m.model_copy(update={"role": Role.UNKNOWN}) for m in shard_members]
        elif shard_members and Role.PRIMARY not in roles:
            # Cluster mode disabled, every member says replica (a failover in progress): as before, the
            # first member stands in for the primary.
            shard_members[0] = shard_members[0].model_copy(update={"role": Role.PRIMARY})
        shards.append(
            Shard(
                shard_id=node_group["NodeGroupId"],
                status=node_group.get("Status", "unknown"),
                members=tuple(shard_members),
            )
        )
    first_member = next(iter(members.values()), {})
    pending = group.get("PendingModifiedValues") or {}
    return Topology(
        replication_group_id=group["ReplicationGroupId"],
        engine=_engine(group.get("Engine") or first_member.get("Engine", "redis")),
        engine_version=first_member.get("EngineVersion", ""),
        cluster_mode_enabled=_cluster_mode_enabled(group),
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


# Each request is a boto3 ElastiCache method name and its keyword arguments, typed by the mypy-boto3 request
# TypedDict of that method: ``_call`` passes them to the typed client method, so mypy checks every field.
class IncreaseReplicas(NamedTuple):
    operation: Literal["increase_replica_count"]
    params: "IncreaseReplicaCountMessageTypeDef"


class DecreaseReplicas(NamedTuple):
    operation: Literal["decrease_replica_count"]
    params: "DecreaseReplicaCountMessageTypeDef"


class ChangeShardCount(NamedTuple):
    operation: Literal["modify_replication_group_shard_configuration"]
    params: "ModifyReplicationGroupShardConfigurationMessageTypeDef"


class ChangeNodeType(NamedTuple):
    operation: Literal["modify_replication_group"]
    params: "ModifyReplicationGroupMessageTypeDef"


Request = IncreaseReplicas | DecreaseReplicas | ChangeShardCount | ChangeNodeType
"""One mutating call the product makes (an absolute target), ready for ``ElastiCache._call``."""


def replica_count_request(topology: Topology, wanted: int) -> Request | None:
    """The one call that brings every shard to at least / at most ``wanted`` replicas, or None when
    every shard already has exactly ``wanted``.

    An absolute target, never a delta. When every shard has the same count the call carries
    ``NewReplicaCount``; otherwise ``ReplicaConfiguration`` names each shard to change with its own
    absolute count (shards already past the target in the other direction are left alone). Removal never
    names members: ElastiCache removes replicas only, never a primary, and no shard is taken below
    ``wanted`` (the floor), because every shard named gets exactly ``wanted``.
    """
    if wanted < 0:
        raise ActionFailedError(f"replica count {wanted} is negative")
    counts = {shard.shard_id: shard.replica_count for shard in topology.shards}
    below = [shard_id for shard_id, n in counts.items() if n < wanted]
    above = [shard_id for shard_id, n in counts.items() if n > wanted]
    change = below or above
    if not change:
        return None
    group_id = topology.replication_group_id
    if len(change) == len(counts) and len(set(counts.values())) == 1:
        if below:
            return IncreaseReplicas(
                "increase_replica_count",
                {"ReplicationGroupId": group_id, "NewReplicaCount": wanted, "ApplyImmediately": True},
            )
        return DecreaseReplicas(
            "decrease_replica_count",
            {"ReplicationGroupId": group_id, "NewReplicaCount": wanted, "ApplyImmediately": True},
        )
    shards: list[ConfigureShardTypeDef] = [
        {"NodeGroupId": shard_id, "NewReplicaCount": wanted} for shard_id in change
    ]
    if below:
        return IncreaseReplicas(
            "increase_replica_count",
            {"ReplicationGroupId": group_id, "ReplicaConfiguration": shards, "ApplyImmediately": True},
        )
    return DecreaseReplicas(
        "decrease_replica_count",
        {"ReplicationGroupId": group_id, "ReplicaConfiguration": shards, "ApplyImmediately": True},
    )


def shards_to_remove(topology: Topology, count: int, shard_memory: Mapping[str, float]) -> list[str]:
    """The ``count`` shards holding the least data, by ``shard_memory`` (memory % by shard id, e.g. the
    latest ``MetricName.MEMORY`` value per shard from the snapshot's Metrics; lower goes first).

    The snapshot carries no per-shard data size, so memory use stands in for it: removing the emptiest
    shards moves the fewest slots' data. A shard with no memory figure goes after every shard with one,
    and among those the highest shard id goes first (the most recently added shard). Ties: highest id.
    """
    ids = [shard.shard_id for shard in topology.shards]
    by_id_desc = sorted(ids, reverse=True)
    known = sorted((i for i in by_id_desc if i in shard_memory), key=lambda i: shard_memory[i])
    unknown = [i for i in by_id_desc if i not in shard_memory]
    return (known + unknown)[:count]


def shard_count_request(topology: Topology, wanted: int, shard_memory: Mapping[str, float]) -> Request | None:
    """``ModifyReplicationGroupShardConfiguration`` to ``NodeGroupCount=wanted`` (absolute), naming the
    shards to remove on a scale-in (see ``shards_to_remove``); None when the group has ``wanted`` shards."""
    if not topology.cluster_mode_enabled:
        raise ActionFailedError(
            f"{topology.replication_group_id}: cluster mode is disabled, it has one shard"
        )
    if wanted < 1:
        raise ActionFailedError(f"shard count {wanted} is below 1")
    current = topology.shard_count
    if wanted == current:
        return None
    params: ModifyReplicationGroupShardConfigurationMessageTypeDef = {
        "ReplicationGroupId": topology.replication_group_id,
        "NodeGroupCount": wanted,
        "ApplyImmediately": True,
    }
    if wanted < current:
        params["NodeGroupsToRemove"] = shards_to_remove(topology, current - wanted, shard_memory)
    return ChangeShardCount("modify_replication_group_shard_configuration", params)


def node_type_request(topology: Topology, node_type: str) -> Request | None:
    """``ModifyReplicationGroup`` to ``CacheNodeType=node_type`` with ``ApplyImmediately=True``; None
    when the group already has it. Refused (ActionFailedError) unless ListAllowedNodeTypeModifications
    lists the type for this group, as a scale-up or a scale-down."""
    if node_type == topology.node_type:
        return None
    if node_type not in topology.allowed_scale_up and node_type not in topology.allowed_scale_down:
        raise ActionFailedError(
            f"{topology.replication_group_id}: {topology.node_type} -> {node_type} is not an allowed "
            "node type modification (ListAllowedNodeTypeModifications)"
        )
    return ChangeNodeType(
        "modify_replication_group",
        {
            "ReplicationGroupId": topology.replication_group_id,
            "CacheNodeType": node_type,
            "ApplyImmediately": True,
        },
    )


def describe_group(client: "ElastiCacheClient", group_id: str) -> dict[str, Any]:
    """DescribeReplicationGroups' record of one group; ClusterNotFoundError when it does not exist."""
    return dict(
        describe_one(
            lambda: client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"],
            GROUP_NOT_FOUND,
            f"replication group {group_id!r}",
        )
    )


def group_arn_of_member(member_arn: str, group_id: str) -> str:
    """The ARN of a member's replication group: ``arn:<partition>:elasticache:<region>:<account>:`` then
    ``replicationgroup:<id>``, as the member's own is that prefix and ``cluster:<member id>`` (the
    Service Authorization Reference's ARN formats for both resource types)."""
    parts = member_arn.split(":")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "elasticache" or parts[5] != "cluster":
        raise ValueError(f"not a cache cluster's ARN: {member_arn!r}")
    return ":".join([*parts[:5], "replicationgroup", group_id])


def describe_members(
    client: "ElastiCacheClient", group: Mapping[str, Any], *, at_once: bool = False
) -> dict[str, Mapping[str, Any]]:
    """DescribeCacheClusters' record of each of the group's members (``MemberClusters``), by id.

    Only the group's members, never every cache cluster of the account. A group of at most
    ``DIRECT_LOOKUP_MAX_MEMBERS`` members (every cluster-mode-disabled group: at most 6 nodes; a small
    clustered one) is read with one ``CacheClusterId=`` call per member: at most 10 calls, whatever the
    size of the account. A larger group (up to 500 nodes) would cost a call per node that way, so it
    pages the account instead, ``PAGE_SIZE`` clusters a call, and stops at the page that completes the
    group. A member the group names but DescribeCacheClusters does not know (deleted meanwhile) reads
    as ``MISSING_MEMBER_STATUS``: never quiescent, so nothing acts on a group that is changing.
    ``at_once``: the per-member reads are sent together (``concurrent_reads``), not one after another.
    """
    wanted = list(group.get("MemberClusters") or ())
    if not wanted:
        wanted = [
            m["CacheClusterId"] for ng in group.get("NodeGroups", []) for m in ng.get("NodeGroupMembers", [])
        ]
    found: dict[str, Mapping[str, Any]] = {}
    if len(wanted) <= DIRECT_LOOKUP_MAX_MEMBERS:

        def member(cluster_id: str) -> list[Mapping[str, Any]]:
            try:
                answer = client.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=False)
            except ClientError as error:
                if error.response["Error"]["Code"] in CLUSTER_NOT_FOUND:
                    return []
                raise
            return list(answer["CacheClusters"])

        answers = concurrent_reads.each(member, wanted) if at_once else [member(c) for c in wanted]
        found.update({c["CacheClusterId"]: c for answer in answers for c in answer})
        return _with_missing(found, wanted)
    remaining = set(wanted)
    pages = client.get_paginator("describe_cache_clusters").paginate(
        ShowCacheNodeInfo=False, PaginationConfig={"PageSize": PAGE_SIZE}
    )
    for page in pages:
        for cluster in page["CacheClusters"]:
            if cluster["CacheClusterId"] in remaining:
                found[cluster["CacheClusterId"]] = cluster
                remaining.discard(cluster["CacheClusterId"])
        if not remaining:
            break
    return _with_missing(found, wanted)


class ElastiCache:
    def __init__(self, client: "ElastiCacheClient | None" = None, *, at_once: bool | None = None) -> None:
        """``at_once`` (default: when no client is given, i.e. the Lambdas' own): the reads that follow
        DescribeReplicationGroups (members, allowed node types, tags) are sent together. A given client
        (botocore's Stubber in the contract tests, the operator CLI) is read one call after another, in
        the order the contract tests expect."""
        self._client = client or aws.elasticache()
        # Mutating calls go through a client that never re-sends them (adapters.aws.CHANGES).
        self._changes = client or aws.elasticache_changes()
        self._at_once = client is None if at_once is None else at_once
        self._group_arns: dict[str, str] = {}
        """Each group's ARN, once known: a fixed function of the partition, region, account and id."""

    def read_topology(self, group_id: str) -> Topology:
        return self._topology(self._describe(group_id))

    def tags(self, group_id: str) -> dict[str, str]:
        """The group's tags: one ListTagsForResource once its ARN is known (on_alarm learns it from the
        member an alarm names, ``group_of_member``), else after a describe. A group gone is
        ``ClusterNotFoundError`` either way (ListTagsForResource answers
        ``ReplicationGroupNotFoundFault``)."""
        arn = self._group_arns.get(group_id)
        if arn is None:
            return tags_of(self._client, self._describe(group_id)["ARN"])
        return describe_one(
            lambda: [tags_of(self._client, arn)], GROUP_NOT_FOUND, f"replication group {group_id!r}"
        )

    def _describe(self, group_id: str) -> dict[str, Any]:
        group = describe_group(self._client, group_id)
        if group.get("ARN"):
            self._group_arns[group_id] = group["ARN"]
        return group

    def read_topology_and_tags(
        self, group_id: str, *, node_types: bool = True
    ) -> tuple[Topology, dict[str, str]]:
        """The topology and the tags from one DescribeReplicationGroups (observe needs both). Without
        ``node_types`` no ListAllowedNodeTypeModifications is sent (the topology allows no node type change):
        Act changing anything but the node type needs none."""
        return self._topology_and_tags(self._describe(group_id), node_types=node_types)

    def read_topology_tags_and[T](
        self, group_id: str, beside: Callable[[Topology], T]
    ) -> tuple[Topology, dict[str, str], T]:
        """``read_topology_and_tags`` and ``beside(outline)`` at once. ``outline`` is the group as its
        DescribeReplicationGroups answer alone gives it: its shards, members and roles (each member's status
        the group's, no node types). ``beside`` runs with it while the reads that complete the topology
        (members, node types, tags) are sent: Observe reads the group's metrics so, as their queries need
        only the members."""
        group = self._describe(group_id)
        outline = topology_from(group, {})
        if self._at_once:
            (topology, tags), extra = concurrent_reads.both(
                lambda: self._topology_and_tags(group), lambda: beside(outline)
            )
            return topology, tags, extra
        topology, tags = self._topology_and_tags(group)
        return topology, tags, beside(outline)

    def _topology_and_tags(
        self, group: Mapping[str, Any], *, node_types: bool = True
    ) -> tuple[Topology, dict[str, str]]:
        if self._at_once:
            return concurrent_reads.both(
                lambda: self._topology(group, node_types=node_types),
                lambda: tags_of(self._client, group["ARN"]),
            )
        return self._topology(group, node_types=node_types), tags_of(self._client, group["ARN"])

    def _topology(self, group: Mapping[str, Any], *, node_types: bool = True) -> Topology:
        def allowed() -> "AllowedNodeTypeModificationsMessageTypeDef | None":
            if not node_types:
                return None
            return self._client.list_allowed_node_type_modifications(
                ReplicationGroupId=group["ReplicationGroupId"]
            )

        if self._at_once:
            members, modifications = concurrent_reads.both(
                lambda: describe_members(self._client, group, at_once=True), allowed
            )
        else:
            members, modifications = describe_members(self._client, group), allowed()
        return topology_from(group, members, modifications)

    def group_of_member(self, cache_cluster_id: str) -> str | None:
        try:
            clusters = self._client.describe_cache_clusters(CacheClusterId=cache_cluster_id)["CacheClusters"]
        except ClientError as error:
            if error.response["Error"]["Code"] in CLUSTER_NOT_FOUND:
                return None
            raise
        group_id = clusters[0].get("ReplicationGroupId") if clusters else None
        if group_id is not None:
            with contextlib.suppress(KeyError, ValueError):  # no usable ARN: tags() describes the group
                self._group_arns[group_id] = group_arn_of_member(clusters[0]["ARN"], group_id)
        return group_id

    # Each setter works on the freshest state, right before the call: the ``topology`` its caller has just
    # read in the same step (act: one topology read per step), or, without one, a read of its own. It makes
    # at most one call.

    def set_replica_count(
        self, group_id: str, replicas_per_shard: int, topology: Topology | None = None
    ) -> str:
        return self._call(replica_count_request(topology or self.read_topology(group_id), replicas_per_shard))

    def set_shard_count(
        self, group_id: str, shards: int, shard_memory: Mapping[str, float], topology: Topology | None = None
    ) -> str:
        return self._call(shard_count_request(topology or self.read_topology(group_id), shards, shard_memory))

    def set_node_type(self, group_id: str, node_type: str, topology: Topology | None = None) -> str:
        return self._call(node_type_request(topology or self.read_topology(group_id), node_type))

    def _call(self, request: Request | None) -> str:
        """Make one mutating call and return its operation name (``change_call.make_change``): no request
        is "already there"; ``InvalidReplicationGroupState`` (and member-busy codes) GroupBusyError, to wait
        and re-read; a missing group ClusterNotFoundError."""
        if request is None:
            return ALREADY_THERE_RESULT
        return make_change(
            request.operation,
            request.params,
            lambda: self._send(request),
            busy=GROUP_BUSY,
            not_found=GROUP_NOT_FOUND,
        )

    def _send(self, request: Request) -> None:
        """The typed client call of ``request`` (mypy checks its keyword arguments against the method's)."""
        match request:
            case IncreaseReplicas(params=params):
                self._changes.increase_replica_count(**params)
            case DecreaseReplicas(params=params):
                self._changes.decrease_replica_count(**params)
            case ChangeShardCount(params=params):
                self._changes.modify_replication_group_shard_configuration(**params)
            case ChangeNodeType(params=params):
                self._changes.modify_replication_group(**params)
