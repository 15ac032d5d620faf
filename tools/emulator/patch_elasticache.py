"""ElastiCache replication groups that change over time, as the real service's do.

ministack keeps every group ``available`` and its topology calls instantaneous. This module takes
over the replication-group calls (create, replica count, shard configuration, node type, AUTH
token, allowed node types), keeps the records in ministack's own stores (so Describe*, tags,
delete and persistence keep working) and adds a pending *change* to each group:

* a change moves the group, the affected shards and members to ``modifying`` (new members
  ``creating``, removed ones ``deleting``) and completes ``change_seconds`` later;
* completion is applied lazily at the start of every ElastiCache request (no timer threads);
* a group listed as *stuck* (admin API) never completes.

Every ElastiCache request is also counted, checked against the injected faults and, when it
mutates, recorded with its secrets redacted (see admin.py).

Seams for the redis-server ACL mapping: ``AUTH_TOKEN_HOOKS`` (ModifyReplicationGroup with an
AuthToken) and ``USER_PASSWORD_HOOKS`` (ModifyUser) are called after the emulator accepted the
change; append a callable to them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from ministack.services import elasticache as ec

from elasticache_autoscaler.catalog import allowed_modifications, catalog
from tools.emulator.admin import STATE, Fault

Params = dict[str, list[str]]
Response = tuple[int, dict[str, str], bytes]

MAX_REPLICAS = 5


@dataclass(frozen=True)
class AuthTokenChange:
    """What a hook learns about an accepted AUTH token change (the token itself included)."""

    replication_group_id: str
    strategy: str  # ROTATE | SET | DELETE
    token: str | None
    valid_tokens: tuple[str, ...]  # tokens that authenticate once the change is applied
    member_cluster_ids: tuple[str, ...]


@dataclass(frozen=True)
class UserPasswordChange:
    user_id: str
    passwords: tuple[str, ...]
    no_password_required: bool
    user_name: str | None = None  # the name clients log in with (defaults to user_id)
    access_string: str | None = None


AUTH_TOKEN_HOOKS: list[Callable[[AuthTokenChange], None]] = []
USER_PASSWORD_HOOKS: list[Callable[[UserPasswordChange], None]] = []
SETTLE_HOOKS: list[Callable[[float], None]] = []
"""Called with the time at the start of every ElastiCache request, after the groups settled: other kinds of
cache (patch_memcached, patch_serverless) complete their due changes there."""

_original_handle_request = ec.handle_request
_original_rg_xml = ec._rg_xml
_original_cluster_xml_inner = ec._cluster_xml_inner
_original_modify_rg = ec._modify_replication_group
_original_modify_user = ec._modify_user
_original_create_user = ec._create_user


# ---- parameters ------------------------------------------------------------------------------
def _p(p: Params, key: str, default: str = "") -> str:
    value = p.get(key)
    return value[0] if value else default


def _flag(p: Params, key: str, default: bool = False) -> bool:
    raw = _p(p, key)
    return default if raw == "" else raw.lower() == "true"


def _list(p: Params, name: str) -> list[str]:
    """Query-protocol list ``Name.<member>.N`` in index order."""
    pattern = re.compile(rf"^{re.escape(name)}\.[A-Za-z]+\.(\d+)$")
    found = sorted((int(m.group(1)), v[0]) for k, v in p.items() if (m := pattern.match(k)))
    return [v for _, v in found]


def _struct_list(p: Params, name: str) -> list[dict[str, str]]:
    """Query-protocol list of structures ``Name.<member>.N.Field``."""
    pattern = re.compile(rf"^{re.escape(name)}\.[A-Za-z]+\.(\d+)\.([A-Za-z]+)$")
    items: dict[int, dict[str, str]] = {}
    for key, value in p.items():
        if m := pattern.match(key):
            items.setdefault(int(m.group(1)), {})[m.group(2)] = value[0]
    return [items[i] for i in sorted(items)]


# ---- responses -------------------------------------------------------------------------------
def _error(code: str, message: str, status: int = 400) -> Response:
    result: Response = ec._error(code, escape(message), status)
    return result


def _rg_response(action: str, rg: dict[str, Any]) -> Response:
    result: Response = ec._xml(
        200,
        f"{action}Response",
        f"<{action}Result><ReplicationGroup>{ec._rg_xml(rg)}</ReplicationGroup></{action}Result>",
    )
    return result


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


_CMD_ONLY_MEMBER_XML = re.compile(r"<CurrentRole>[^<]*</CurrentRole>|<ReadEndpoint>.*?</ReadEndpoint>")
"""``NodeGroupMember`` elements botocore's model documents as cluster-mode-disabled only: AWS leaves them out
of a cluster-mode-enabled group's answer (its example DescribeReplicationGroups of "clustered-redis" has
neither), and ministack sent them for every group. The emulator keeps ``CurrentRole`` in its own records."""


def rg_xml(rg: dict[str, Any]) -> str:
    """ministack's rendering plus the fields it lacks, minus the cluster-mode-disabled-only members in a
    cluster-mode-enabled group (see tests/emulator/test_conformance.py)."""
    pending = ""
    change = rg.get("_change") or {}
    if change.get("kind") == "shards":
        progress = "<ProgressPercentage>0.0</ProgressPercentage>"
        pending += f"<Resharding><SlotMigration>{progress}</SlotMigration></Resharding>"
    if change.get("auth_status"):
        pending += f"<AuthTokenStatus>{change['auth_status']}</AuthTokenStatus>"
    extra = f"<PendingModifiedValues>{pending}</PendingModifiedValues>"
    if rg.get("_auth_token_modified"):
        extra += f"<AuthTokenLastModifiedDate>{_iso(rg['_auth_token_modified'])}</AuthTokenLastModifiedDate>"
    if rg.get("_created"):
        extra += f"<ReplicationGroupCreateTime>{_iso(rg['_created'])}</ReplicationGroupCreateTime>"
    rendered = str(_original_rg_xml(rg))
    if rg.get("ClusterEnabled"):
        rendered = _CMD_ONLY_MEMBER_XML.sub("", rendered)
    return rendered + extra


_NOT_IN_MODEL_CLUSTER_XML = re.compile(r"<CacheClusterArn>[^<]*</CacheClusterArn>")
"""ministack sends a ``CacheCluster`` both ``ARN`` (the model's member) and ``CacheClusterArn`` (no such
member in botocore's model: AWS never sends it)."""


def cluster_xml_inner(cluster: dict[str, Any]) -> str:
    pending = ""
    if cluster.get("_pending_node_type"):
        pending = f"<CacheNodeType>{cluster['_pending_node_type']}</CacheNodeType>"
    return (
        _NOT_IN_MODEL_CLUSTER_XML.sub("", str(_original_cluster_xml_inner(cluster)))
        + f"<PendingModifiedValues>{pending}</PendingModifiedValues>"
    )


# ---- topology helpers ------------------------------------------------------------------------
def _member_id(rg: dict[str, Any], ng_id: str, index: int) -> str:
    if rg.get("ClusterEnabled"):
        return f"{rg['ReplicationGroupId']}-{ng_id}-{index:03d}"
    return f"{rg['ReplicationGroupId']}-{index:03d}"


def _az(index: int) -> str:
    return f"{ec.get_region()}{'abcdef'[index % 6]}"


def _endpoint() -> dict[str, Any]:
    return {"Address": ec.REDIS_DEFAULT_HOST, "Port": ec.REDIS_DEFAULT_PORT}


def _new_member(rg: dict[str, Any], ng: dict[str, Any], role: str, status: str) -> dict[str, Any]:
    """Append a member to shard ``ng`` and register its cache cluster record."""
    used = [int(m["CacheClusterId"].rsplit("-", 1)[1]) for m in ng["NodeGroupMembers"]]
    index = max(used, default=0) + 1
    cluster_id = _member_id(rg, ng["NodeGroupId"], index)
    member = {
        "CacheClusterId": cluster_id,
        "CacheNodeId": "0001",
        "CurrentRole": role,
        "PreferredAvailabilityZone": _az(index - 1),
        "ReadEndpoint": _endpoint(),
    }
    ng["NodeGroupMembers"].append(member)
    rg["MemberClusters"].append(cluster_id)
    now = time.time()
    arn = ec._arn_cluster(cluster_id)
    ec._clusters[cluster_id] = {
        "CacheClusterId": cluster_id,
        "CacheClusterArn": arn,
        "CacheClusterStatus": status,
        "Engine": rg["Engine"],
        "EngineVersion": rg["EngineVersion"],
        "CacheNodeType": rg["CacheNodeType"],
        "NumCacheNodes": 1,
        "CacheClusterCreateTime": now,
        "PreferredAvailabilityZone": member["PreferredAvailabilityZone"],
        "CacheParameterGroup": {
            "CacheParameterGroupName": rg["CacheParameterGroupName"],
            "ParameterApplyStatus": "in-sync",
        },
        "CacheSubnetGroupName": rg["CacheSubnetGroupName"],
        "AutoMinorVersionUpgrade": rg["AutoMinorVersionUpgrade"],
        "SecurityGroups": rg["SecurityGroups"],
        "ReplicationGroupId": rg["ReplicationGroupId"],
        "SnapshotRetentionLimit": rg["SnapshotRetentionLimit"],
        "SnapshotWindow": rg["SnapshotWindow"],
        "PreferredMaintenanceWindow": rg["PreferredMaintenanceWindow"],
        "LogDeliveryConfigurations": [],
        "AtRestEncryptionEnabled": rg["AtRestEncryptionEnabled"],
        "AuthTokenEnabled": rg["AuthTokenEnabled"],
        "TransitEncryptionEnabled": rg["TransitEncryptionEnabled"],
        "TransitEncryptionMode": rg["TransitEncryptionMode"],
        "CacheNodes": [
            {
                "CacheNodeId": "0001",
                "CacheNodeStatus": status,
                "CacheNodeCreateTime": now,
                "Endpoint": _endpoint(),
                "ParameterGroupStatus": "in-sync",
            }
        ],
        "_docker_container_id": None,
        "_endpoint": _endpoint(),
    }
    ec._tags[arn] = [dict(t) for t in ec._tags.get(rg["ARN"], [])]
    return member


def _set_member_status(cluster_id: str, status: str) -> None:
    cluster = ec._clusters.get(cluster_id)
    if cluster:
        cluster["CacheClusterStatus"] = status
        for node in cluster.get("CacheNodes", []):
            node["CacheNodeStatus"] = status


def _replicas(ng: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in ng["NodeGroupMembers"] if m["CurrentRole"] != "primary"]


def _begin(rg: dict[str, Any], kind: str, seconds: float | None = None, **extra: Any) -> None:
    """Start a change: the group goes ``modifying`` until ``seconds`` (default: the delay) pass."""
    delay = STATE.change_seconds if seconds is None else seconds
    rg["_change"] = {"kind": kind, "until": time.time() + delay, **extra}
    rg["Status"] = "creating" if kind == "create" else "modifying"


def _group(p: Params) -> dict[str, Any]:
    rg_id = _p(p, "ReplicationGroupId")
    rg: dict[str, Any] | None = ec._replication_groups.get(rg_id)
    if not rg:
        raise Refused(_error("ReplicationGroupNotFoundFault", f"Replication group {rg_id} not found", 404))
    return rg


def _require_available(rg: dict[str, Any]) -> None:
    """Refused (InvalidReplicationGroupState) unless the group, every shard and member is available."""
    statuses = [rg["Status"]] + [ng["Status"] for ng in rg["NodeGroups"]]
    statuses += [ec._clusters.get(c, {}).get("CacheClusterStatus", "available") for c in rg["MemberClusters"]]
    if rg.get("_change") or any(s != "available" for s in statuses):
        raise Refused(
            _error(
                "InvalidReplicationGroupState",
                f"Replication group {rg['ReplicationGroupId']} is not in available state"
                f" (status: {rg['Status']}).",
            )
        )


def settle() -> None:
    """Complete every due change of the groups in the caller's account and region."""
    now = time.time()
    for rg in list(ec._replication_groups.values()):
        change = rg.get("_change")
        if change and now >= change["until"] and rg["ReplicationGroupId"] not in STATE.stuck:
            _complete(rg, change)
        lagging = rg.get("_lagging_members")
        if lagging and now >= lagging["until"]:
            for cluster_id in lagging["members"]:
                _set_member_status(cluster_id, "available")
            rg["_lagging_members"] = None
    for user in list(ec._users.values()):
        if user.get("_until") and now >= user["_until"] and user["UserId"] not in STATE.stuck:
            user["Status"], user["_until"] = "active", None
    for hook in SETTLE_HOOKS:
        hook(now)


def _lag_members(rg: dict[str, Any], members: list[str]) -> None:
    """Keep new members ``creating`` a while after the group is ``available`` again, as AWS can."""
    if STATE.member_lag_seconds > 0 and members:
        for cluster_id in members:
            _set_member_status(cluster_id, "creating")
        rg["_lagging_members"] = {"until": time.time() + STATE.member_lag_seconds, "members": members}


def _complete(rg: dict[str, Any], change: dict[str, Any]) -> None:
    creating = [
        c for c in rg["MemberClusters"] if ec._clusters.get(c, {}).get("CacheClusterStatus") == "creating"
    ]
    removing = set(change.get("removing", ()))
    for ng in rg["NodeGroups"]:
        ng["NodeGroupMembers"] = [m for m in ng["NodeGroupMembers"] if m["CacheClusterId"] not in removing]
    removed_shards = set(change.get("removing_shards", ()))
    rg["NodeGroups"] = [ng for ng in rg["NodeGroups"] if ng["NodeGroupId"] not in removed_shards]
    rg["MemberClusters"] = [c for c in rg["MemberClusters"] if c not in removing]
    for cluster_id in removing:
        cluster = ec._clusters.pop(cluster_id, None)
        if cluster:
            ec._tags.pop(cluster["CacheClusterArn"], None)
    if change.get("node_type"):
        rg["CacheNodeType"] = change["node_type"]
    if change.get("auth_status"):
        rg["_auth_token_modified"] = time.time()
        rg["AuthTokenEnabled"] = change["auth_strategy"] != "DELETE"
    for cluster_id in rg["MemberClusters"]:
        cluster = ec._clusters.get(cluster_id)
        if cluster:
            cluster["CacheNodeType"] = rg["CacheNodeType"]
            cluster["AuthTokenEnabled"] = rg["AuthTokenEnabled"]
            cluster.pop("_pending_node_type", None)
        _set_member_status(cluster_id, "available")
    for ng in rg["NodeGroups"]:
        ng["Status"] = "available"
    rg["_num_node_groups"] = len(rg["NodeGroups"])
    rg["_replicas_per_node_group"] = len(_replicas(rg["NodeGroups"][0])) if rg["NodeGroups"] else 0
    rg["Status"] = "available"
    rg["_change"] = None
    _lag_members(rg, creating)
    ec._record_event(
        rg["ReplicationGroupId"], "replication-group", f"Modification ({change['kind']}) complete"
    )


# ---- CreateReplicationGroup ------------------------------------------------------------------
def _cluster_mode(p: Params, shard_configs: list[dict[str, str]]) -> bool:
    mode = _p(p, "ClusterMode").lower()
    if mode in ("enabled", "compatible"):
        return True
    if mode == "disabled":
        return False
    return (
        int(_p(p, "NumNodeGroups", "1")) > 1
        or len(shard_configs) > 1
        or "cluster.on" in _p(p, "CacheParameterGroupName")
    )


def create_replication_group(p: Params) -> Response:  # noqa: C901, PLR0911, PLR0912
    rg_id = _p(p, "ReplicationGroupId")
    if not rg_id:
        return _error("InvalidParameterValue", "The parameter ReplicationGroupId must be provided.")
    if rg_id in ec._replication_groups:
        return _error("ReplicationGroupAlreadyExists", f"Replication group {rg_id} already exists")
    if error := ec._validate_create_replication_group_request(p):
        return error  # type: ignore[no-any-return]
    shard_configs = _struct_list(p, "NodeGroupConfiguration")
    enabled = _cluster_mode(p, shard_configs)
    shards = int(_p(p, "NumNodeGroups") or len(shard_configs) or 1)
    if _p(p, "ReplicasPerNodeGroup"):
        replicas = [int(_p(p, "ReplicasPerNodeGroup"))] * shards
    elif shard_configs and all("ReplicaCount" in c for c in shard_configs):
        replicas = [int(c["ReplicaCount"]) for c in shard_configs]
    else:
        replicas = [max(int(_p(p, "NumCacheClusters", "1")) - 1, 0)] * shards
    if not enabled and shards > 1:
        return _error("InvalidParameterCombination", "Cluster mode disabled supports a single node group.")
    if shards < 1 or shards > 500:
        return _error("InvalidParameterValue", "NumNodeGroups must be between 1 and 500.")
    if any(r < 0 or r > MAX_REPLICAS for r in replicas):
        return _error(
            "InvalidParameterValue", "The number of replicas per node group must be between 0 and 5."
        )
    transit = _flag(p, "TransitEncryptionEnabled")
    token = _p(p, "AuthToken")
    if token and not transit:
        return _error(
            "InvalidParameterValue", "The AUTH token is only supported when encryption-in-transit is enabled"
        )
    failover = _flag(p, "AutomaticFailoverEnabled", default=enabled)
    multi_az = _flag(p, "MultiAZEnabled")
    if enabled and not failover:
        return _error("InvalidParameterCombination", "Automatic failover must be enabled for cluster mode.")
    if (failover or multi_az) and min(replicas) < 1:
        return _error(
            "InvalidParameterCombination",
            "Automatic failover and Multi-AZ need at least one replica per shard.",
        )
    engine = _p(p, "Engine", "redis").lower()
    version = _p(p, "EngineVersion") or ("8.0" if engine == "valkey" else "7.1")
    node_type = _p(p, "CacheNodeType", "cache.t3.micro")
    arn = ec._arn_replication_group(rg_id)
    now = time.time()
    rg: dict[str, Any] = {
        "ReplicationGroupId": rg_id,
        "Description": _p(p, "ReplicationGroupDescription"),
        "Status": "available",
        "MemberClusters": [],
        "NodeGroups": [],
        "SnapshottingClusterId": "",
        "SnapshotRetentionLimit": int(_p(p, "SnapshotRetentionLimit", "0")),
        "SnapshotWindow": _p(p, "SnapshotWindow", "05:00-06:00"),
        "Engine": engine,
        "EngineVersion": version,
        "ClusterEnabled": enabled,
        "ClusterMode": "enabled" if enabled else "disabled",
        "CacheNodeType": node_type,
        "CacheParameterGroupName": _p(p, "CacheParameterGroupName")
        or ec._default_param_group_for_engine(engine, version, cluster_enabled=enabled),
        "CacheSubnetGroupName": _p(p, "CacheSubnetGroupName", "default"),
        "PreferredMaintenanceWindow": _p(p, "PreferredMaintenanceWindow", "sun:05:00-sun:06:00"),
        "SecurityGroups": [{"SecurityGroupId": s, "Status": "active"} for s in _list(p, "SecurityGroupIds")],
        "AuthTokenEnabled": bool(token),
        "TransitEncryptionEnabled": transit,
        "TransitEncryptionMode": (_p(p, "TransitEncryptionMode") or "required") if transit else None,
        "AtRestEncryptionEnabled": _flag(p, "AtRestEncryptionEnabled", default=engine == "valkey"),
        "_auth_tokens": [token] if token else [],
        "_auth_token_modified": now if token else None,
        "AutoMinorVersionUpgrade": _flag(p, "AutoMinorVersionUpgrade", default=True),
        "AutomaticFailover": "enabled" if failover else "disabled",
        "MultiAZ": "enabled" if multi_az else "disabled",
        "LogDeliveryConfigurations": [],
        "UserGroupIds": _list(p, "UserGroupIds"),
        "ConfigurationEndpoint": (
            {"Address": f"clustercfg.{rg_id}.emulator.cache.local", "Port": ec.REDIS_DEFAULT_PORT}
            if enabled
            else None
        ),
        "ARN": arn,
        "_created": now,
        "_num_node_groups": shards,
        "_replicas_per_node_group": replicas[0],
        "_docker_container_ids": [],
        "_change": None,
    }
    ec._tags[arn] = ec._extract_tags(p)
    status = "creating" if STATE.create_seconds > 0 else "available"
    for index in range(shards):
        ng_id = (
            shard_configs[index].get("NodeGroupId") if index < len(shard_configs) else None
        ) or f"{index + 1:04d}"
        ng: dict[str, Any] = {
            "NodeGroupId": ng_id,
            "Status": status,
            "PrimaryEndpoint": _endpoint(),
            "ReaderEndpoint": _endpoint(),
            "NodeGroupMembers": [],
        }
        rg["NodeGroups"].append(ng)
        _new_member(rg, ng, "primary", status)
        for _ in range(replicas[index]):
            _new_member(rg, ng, "replica", status)
    if status == "creating":
        _begin(rg, "create", STATE.create_seconds)
    ec._replication_groups[rg_id] = rg
    ec._record_event(rg_id, "replication-group", "Replication group created")
    ec._stamp_replication_group_on_user_groups(rg_id, rg["UserGroupIds"])
    if token:
        change = AuthTokenChange(rg_id, "SET", token, (token,), tuple(rg["MemberClusters"]))
        for hook in AUTH_TOKEN_HOOKS:
            hook(change)
    return _rg_response("CreateReplicationGroup", rg)


# ---- replica count ---------------------------------------------------------------------------
class Refused(Exception):
    """Raised with the error response a request earns."""

    def __init__(self, response: Response) -> None:
        super().__init__(response[2][:200])
        self.response = response


def _replica_targets(p: Params, rg: dict[str, Any]) -> dict[str, int]:
    per_shard = _struct_list(p, "ReplicaConfiguration")
    if per_shard:
        return {c["NodeGroupId"]: int(c["NewReplicaCount"]) for c in per_shard}
    if not _p(p, "NewReplicaCount"):
        raise Refused(
            _error("InvalidParameterValue", "Either NewReplicaCount or ReplicaConfiguration is required.")
        )
    count = int(_p(p, "NewReplicaCount"))
    return {ng["NodeGroupId"]: count for ng in rg["NodeGroups"]}


def _replica_precheck(p: Params, action: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The group and its per-shard replica targets (empty for ReplicasToRemove), or Refused."""
    rg = _group(p)
    if not _flag(p, "ApplyImmediately"):
        raise Refused(_error("InvalidParameterValue", f"{action} requires ApplyImmediately=true."))
    _require_available(rg)
    if action == "DecreaseReplicaCount" and _list(p, "ReplicasToRemove"):
        if _p(p, "NewReplicaCount") or _struct_list(p, "ReplicaConfiguration"):
            raise Refused(
                _error(
                    "InvalidParameterCombination", "Specify ReplicasToRemove or a replica count, not both."
                )
            )
        return rg, {}
    targets = _replica_targets(p, rg)
    if unknown := set(targets) - {ng["NodeGroupId"] for ng in rg["NodeGroups"]}:
        raise Refused(
            _error("InvalidParameterValue", f"Unknown node group(s): {', '.join(sorted(unknown))}.")
        )
    if any(t < 0 or t > MAX_REPLICAS for t in targets.values()):
        raise Refused(
            _error("InvalidParameterValue", "The number of replicas per node group must be between 0 and 5.")
        )
    return rg, targets


def increase_replica_count(p: Params) -> Response:
    rg, targets = _replica_precheck(p, "IncreaseReplicaCount")
    shards = [ng for ng in rg["NodeGroups"] if ng["NodeGroupId"] in targets]
    if any(targets[ng["NodeGroupId"]] < len(_replicas(ng)) for ng in shards):
        return _error("InvalidParameterValue", "NewReplicaCount is lower than the current replica count.")
    if all(targets[ng["NodeGroupId"]] == len(_replicas(ng)) for ng in shards):
        return _error("NoOperationFault", "The replica count is already at the requested value.")
    _begin(rg, "replicas")
    for ng in shards:
        missing = targets[ng["NodeGroupId"]] - len(_replicas(ng))
        if missing > 0:
            ng["Status"] = "modifying"
            for _ in range(missing):
                _new_member(rg, ng, "replica", "creating")
    ec._record_event(rg["ReplicationGroupId"], "replication-group", "Increasing replica count")
    return _rg_response("IncreaseReplicaCount", rg)


def decrease_replica_count(p: Params) -> Response:  # noqa: C901, PLR0912
    rg, targets = _replica_precheck(p, "DecreaseReplicaCount")
    min_replicas = 1 if rg["AutomaticFailover"] == "enabled" or rg["MultiAZ"] == "enabled" else 0
    removing: list[str] = []
    if targets:
        shards = [ng for ng in rg["NodeGroups"] if ng["NodeGroupId"] in targets]
        if any(targets[ng["NodeGroupId"]] > len(_replicas(ng)) for ng in shards):
            return _error(
                "InvalidParameterValue", "NewReplicaCount is higher than the current replica count."
            )
        if all(targets[ng["NodeGroupId"]] == len(_replicas(ng)) for ng in shards):
            return _error("NoOperationFault", "The replica count is already at the requested value.")
        for ng in shards:
            extra = len(_replicas(ng)) - targets[ng["NodeGroupId"]]
            if extra > 0:
                removing += [m["CacheClusterId"] for m in _replicas(ng)[-extra:]]
    else:
        removing = _list(p, "ReplicasToRemove")
        roles = {
            m["CacheClusterId"]: m["CurrentRole"] for ng in rg["NodeGroups"] for m in ng["NodeGroupMembers"]
        }
        if unknown := [c for c in removing if c not in roles]:
            return _error("InvalidParameterValue", f"Unknown replica(s): {', '.join(unknown)}.")
        if any(roles[c] == "primary" for c in removing):
            return _error("InvalidParameterValue", "A primary cannot be removed with DecreaseReplicaCount.")
    for ng in rg["NodeGroups"]:
        left = [m for m in _replicas(ng) if m["CacheClusterId"] not in removing]
        if len(left) < min_replicas:
            return _error(
                "InvalidParameterCombination",
                "Automatic failover / Multi-AZ needs at least one replica per node group.",
            )
    _begin(rg, "replicas", removing=removing)
    for ng in rg["NodeGroups"]:
        if any(m["CacheClusterId"] in removing for m in ng["NodeGroupMembers"]):
            ng["Status"] = "modifying"
    for cluster_id in removing:
        _set_member_status(cluster_id, "deleting")
    ec._record_event(rg["ReplicationGroupId"], "replication-group", "Decreasing replica count")
    return _rg_response("DecreaseReplicaCount", rg)


# ---- shards ----------------------------------------------------------------------------------
def modify_shard_configuration(p: Params) -> Response:  # noqa: C901, PLR0911, PLR0912
    rg = _group(p)
    rg_id = rg["ReplicationGroupId"]
    if not rg.get("ClusterEnabled"):
        return _error(
            "InvalidParameterValue", f"Replication group {rg_id} does not have cluster mode enabled."
        )
    if not _flag(p, "ApplyImmediately"):
        return _error(
            "InvalidParameterValue", "ModifyReplicationGroupShardConfiguration requires ApplyImmediately."
        )
    _require_available(rg)
    target = int(_p(p, "NodeGroupCount", "0"))
    if target < 1 or target > 500:
        return _error("InvalidParameterValue", "NodeGroupCount must be between 1 and 500.")
    current = [ng["NodeGroupId"] for ng in rg["NodeGroups"]]
    to_remove, to_retain = _list(p, "NodeGroupsToRemove"), _list(p, "NodeGroupsToRetain")
    if target == len(current):
        return _error("InvalidReplicationGroupState", "Cluster is already balanced. Nothing to do.")
    if target > len(current):
        _begin(rg, "shards")
        per_shard = len(_replicas(rg["NodeGroups"][0]))
        numbers = [int(n) for n in current if n.isdigit()]
        for number in range(max(numbers, default=0) + 1, max(numbers, default=0) + 1 + target - len(current)):
            ng: dict[str, Any] = {
                "NodeGroupId": f"{number:04d}",
                "Status": "creating",
                "PrimaryEndpoint": _endpoint(),
                "ReaderEndpoint": _endpoint(),
                "NodeGroupMembers": [],
            }
            rg["NodeGroups"].append(ng)
            _new_member(rg, ng, "primary", "creating")
            for _ in range(per_shard):
                _new_member(rg, ng, "replica", "creating")
        for ng in rg["NodeGroups"]:
            if ng["Status"] == "available":
                ng["Status"] = "modifying"
        return _rg_response("ModifyReplicationGroupShardConfiguration", rg)
    if bool(to_remove) == bool(to_retain):
        return _error(
            "InvalidParameterCombination",
            "Exactly one of NodeGroupsToRemove or NodeGroupsToRetain is required.",
        )
    if unknown := [n for n in to_remove + to_retain if n not in current]:
        return _error("InvalidParameterValue", f"Unknown node group(s): {', '.join(unknown)}.")
    removed = to_remove or [n for n in current if n not in to_retain]
    if len(current) - len(removed) != target:
        return _error(
            "InvalidParameterValue", "NodeGroupCount does not match the node groups to remove/retain."
        )
    members = [
        m["CacheClusterId"]
        for ng in rg["NodeGroups"]
        if ng["NodeGroupId"] in removed
        for m in ng["NodeGroupMembers"]
    ]
    _begin(rg, "shards", removing=members, removing_shards=removed)
    for ng in rg["NodeGroups"]:
        ng["Status"] = "deleting" if ng["NodeGroupId"] in removed else "modifying"
    for cluster_id in members:
        _set_member_status(cluster_id, "deleting")
    return _rg_response("ModifyReplicationGroupShardConfiguration", rg)


# ---- ModifyReplicationGroup ------------------------------------------------------------------
_OWN_MODIFY_KEYS = ("CacheNodeType", "AuthToken", "AuthTokenUpdateStrategy")


def modify_replication_group(p: Params) -> Response:  # noqa: C901, PLR0911, PLR0912
    rg = _group(p)
    rg_id = rg["ReplicationGroupId"]
    _require_available(rg)
    node_type = _p(p, "CacheNodeType")
    strategy = _p(p, "AuthTokenUpdateStrategy").upper()
    token = _p(p, "AuthToken")
    if node_type and (token or strategy):
        return _error(
            "InvalidParameterCombination", "AuthToken cannot be modified together with CacheNodeType."
        )
    if node_type:
        if node_type not in catalog():
            return _error("InvalidParameterValue", f"Invalid CacheNodeType: {node_type}")
        if node_type == rg["CacheNodeType"]:
            return _error("InvalidParameterCombination", "No modifications were requested.")
    if token or strategy:
        strategy = strategy or "ROTATE"
        if not rg.get("TransitEncryptionEnabled"):
            return _error(
                "InvalidParameterValue",
                "The AUTH token modification is only supported when encryption-in-transit is enabled",
            )
        if strategy not in ("ROTATE", "SET", "DELETE"):
            return _error("InvalidParameterValue", f"Invalid AuthTokenUpdateStrategy: {strategy}")
        if (strategy == "DELETE") == bool(token):
            return _error(
                "InvalidParameterValue", "AuthToken is required for ROTATE and SET, refused for DELETE."
            )
    rest = {k: v for k, v in p.items() if k not in _OWN_MODIFY_KEYS}
    status, headers, body = _original_modify_rg(rest)
    if status != 200:
        return status, headers, body
    if node_type and not _flag(p, "ApplyImmediately"):
        # Without ApplyImmediately AWS waits for the maintenance window: here, forever.
        for cluster_id in rg["MemberClusters"]:
            ec._clusters.get(cluster_id, {})["_pending_node_type"] = node_type
    elif node_type:
        _begin(rg, "node-type", node_type=node_type)
        for ng in rg["NodeGroups"]:
            ng["Status"] = "modifying"
        for cluster_id in rg["MemberClusters"]:
            _set_member_status(cluster_id, "modifying")
            ec._clusters.get(cluster_id, {})["_pending_node_type"] = node_type
    if strategy:
        ec._update_auth_token(rg, token or None, strategy)
        _begin(
            rg,
            "auth-token",
            auth_status="ROTATING" if strategy == "ROTATE" else "SETTING",
            auth_strategy=strategy,
        )
        for cluster_id in rg["MemberClusters"]:
            _set_member_status(cluster_id, "modifying")
        change = AuthTokenChange(
            rg_id, strategy, token or None, tuple(rg.get("_auth_tokens") or ()), tuple(rg["MemberClusters"])
        )
        for hook in AUTH_TOKEN_HOOKS:
            hook(change)
    return _rg_response("ModifyReplicationGroup", rg)


def _user_change(user: dict[str, Any], p: Params) -> UserPasswordChange:
    return UserPasswordChange(
        user["UserId"],
        tuple(_list(p, "Passwords")),
        _flag(p, "NoPasswordRequired"),
        user.get("UserName") or user["UserId"],
        user.get("AccessString"),
    )


def _password_auth(p: Params) -> dict[str, Any]:
    count = len(_list(p, "Passwords"))
    return (
        {"Type": "password", "PasswordCount": count} if count else {"Type": "no-password", "PasswordCount": 0}
    )


def create_user(p: Params) -> Response:
    if len(_list(p, "Passwords")) > 2:
        return _error("InvalidParameterValue", "A user can have at most two passwords.")
    result: Response = _original_create_user(p)
    if result[0] == 200:
        user = ec._users[_p(p, "UserId")]
        user["Authentication"] = _password_auth(p)
        for hook in USER_PASSWORD_HOOKS:
            hook(_user_change(user, p))
    return result


def modify_user(p: Params) -> Response:
    """ModifyUser replaces the whole password list (one or two); the user is ``modifying`` for the change
    delay, and a second change meanwhile is refused with ``InvalidUserState``, as AWS does."""
    user = ec._users.get(_p(p, "UserId"))
    if user is not None and user.get("Status") != "active":
        return _error("InvalidUserState", f"User {user['UserId']} is not in active state.")
    passwords = _list(p, "Passwords")
    if len(passwords) > 2:
        return _error("InvalidParameterValue", "A user can have at most two passwords.")
    if passwords and _flag(p, "NoPasswordRequired"):
        return _error("InvalidParameterCombination", "Passwords and NoPasswordRequired are exclusive.")
    result: Response = _original_modify_user(p)
    if result[0] == 200 and user is not None:
        if passwords or _flag(p, "NoPasswordRequired"):
            user["Authentication"] = _password_auth(p)
        if STATE.change_seconds > 0:
            user["Status"], user["_until"] = "modifying", time.time() + STATE.change_seconds
        for hook in USER_PASSWORD_HOOKS:
            hook(_user_change(user, p))
        result = ec._xml(
            200, "ModifyUserResponse", f"<ModifyUserResult>{ec._user_xml(user)}</ModifyUserResult>"
        )
    return result


# ---- ListAllowedNodeTypeModifications --------------------------------------------------------
def list_allowed_node_type_modifications(p: Params) -> Response:
    rg_id, cluster_id = _p(p, "ReplicationGroupId"), _p(p, "CacheClusterId")
    if rg_id:
        node_type = _group(p)["CacheNodeType"]
    elif cluster_id:
        cluster = ec._clusters.get(cluster_id)
        if not cluster:
            return _error("CacheClusterNotFound", f"Cache cluster {cluster_id} not found", 404)
        node_type = cluster["CacheNodeType"]
    else:
        return _error(
            "InvalidParameterCombination", "Either ReplicationGroupId or CacheClusterId is required."
        )
    # AWS answers for every existing group; for a type outside the catalog (an older generation) the
    # honest answer is "none known", not an error.
    up, down = allowed_modifications(node_type) if node_type in catalog() else ((), ())

    def members(types: tuple[str, ...]) -> str:
        return "".join(f"<member>{t}</member>" for t in types)

    result: Response = ec._xml(
        200,
        "ListAllowedNodeTypeModificationsResponse",
        "<ListAllowedNodeTypeModificationsResult>"
        f"<ScaleUpModifications>{members(up)}</ScaleUpModifications>"
        f"<ScaleDownModifications>{members(down)}</ScaleDownModifications>"
        "</ListAllowedNodeTypeModificationsResult>",
    )
    return result


def delete_replication_group_guard(p: Params) -> None:
    rg = ec._replication_groups.get(_p(p, "ReplicationGroupId"))
    if rg:
        _require_available(rg)


OWN_HANDLERS: dict[str, Callable[[Params], Response | None]] = {
    "CreateReplicationGroup": create_replication_group,
    "IncreaseReplicaCount": increase_replica_count,
    "DecreaseReplicaCount": decrease_replica_count,
    "ModifyReplicationGroupShardConfiguration": modify_shard_configuration,
    "ModifyReplicationGroup": modify_replication_group,
    "ModifyUser": modify_user,
    "CreateUser": create_user,
    "ListAllowedNodeTypeModifications": list_allowed_node_type_modifications,
}
"""The calls the emulator answers itself; a handler that returns None leaves the call to ministack (a
handler for one kind of cache, e.g. Memcached's ModifyCacheCluster, passes the others on)."""


def _is_mutating(action: str) -> bool:
    return not action.startswith(("Describe", "List"))


async def handle_request(
    method: str, path: str, headers: dict[str, str], body: bytes, query_params: Params
) -> Response:
    params: Params = dict(query_params)
    if method == "POST" and body:
        params.update(parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    action = _p(params, "Action")
    STATE.record_call(
        action, {k: v[0] for k, v in params.items() if k != "Action"}, mutating=_is_mutating(action)
    )
    fault = STATE.take_fault(action)
    await _injected_latency(fault, applied=False)
    if fault and fault.code and not fault.after_applying:
        return _error(fault.code, fault.message, fault.status)
    result = await _serve(
        action, params, method=method, path=path, headers=headers, body=body, query_params=query_params
    )
    await _injected_latency(fault, applied=True)
    # A fault "after applying": the change landed, but the caller hears an error (a lost answer, or
    # another writer's identical change winning the race, which ElastiCache reports as NoOperationFault).
    return _error(fault.code, fault.message, fault.status) if fault and fault.code else result


async def _injected_latency(fault: Fault | None, *, applied: bool) -> None:
    """Latency / timeout injection (``delay_seconds``): hold the answer before serving the call, or after
    it took effect (``after_applying``: a hung call whose change landed, the caller may give up)."""
    if fault is not None and fault.delay_seconds > 0 and fault.after_applying == applied:
        await asyncio.sleep(fault.delay_seconds)


async def _serve(
    action: str,
    params: Params,
    *,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    query_params: Params,
) -> Response:
    settle()
    try:
        if action == "DeleteReplicationGroup":
            delete_replication_group_guard(params)
        if (handler := OWN_HANDLERS.get(action)) and (own := handler(params)) is not None:
            return own
    except Refused as refused:
        return refused.response
    except (KeyError, ValueError) as exc:
        return _error("InvalidParameterValue", f"Invalid request: {exc}")
    result: Response = await _original_handle_request(method, path, headers, body, query_params)
    return result


def patch_arn_for_iam(parameter: str, resource: str, *, lower: bool = False) -> None:
    """IAM: an ElastiCache call that names ``parameter`` (``UserId``, ``ServerlessCacheName``) is decided on
    that resource's ARN (``...:<resource>:<value>``), as on AWS (ministack said ``*``), so that a policy
    scoped to ``<resource>:*`` (and its ``aws:ResourceTag`` conditions) decides it. ``lower``: AWS keeps the
    id in lower case."""
    from ministack.core import iam_actions

    original = iam_actions.extract_resource_arn

    def extract_resource_arn(  # noqa: PLR0917 - ministack's signature
        service: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        query_params: dict[str, Any],
        region: str,
        account_id: str,
    ) -> str:
        arn: str = original(service, method, path, headers, body, query_params, region, account_id)
        named = query_params.get(parameter) if service == "elasticache" else None
        if arn == "*" and named:
            value = str(named[0] if isinstance(named, list) else named)
            return f"arn:aws:elasticache:{region}:{account_id}:{resource}:{value.lower() if lower else value}"
        return arn

    iam_actions.extract_resource_arn = extract_resource_arn


def _patch_resource_tags_for_iam() -> None:
    """IAM: ``aws:ResourceTag/<key>`` resolves from an ElastiCache resource's tags, as on AWS (ministack's
    evaluator reads tags only for a few services, so a tag-conditioned Allow never matched)."""
    from ministack.services import tagging

    tagging._RESOURCE_TAG_COLLECTORS.setdefault("elasticache", tagging._collect_elasticache)


def install() -> None:
    patch_arn_for_iam("UserId", "user")
    _patch_resource_tags_for_iam()
    ec.handle_request = handle_request
    ec._rg_xml = rg_xml
    ec._cluster_xml_inner = cluster_xml_inner
    # CloudFormation's provisioner calls the private create function directly.
    ec._create_replication_group = create_replication_group
