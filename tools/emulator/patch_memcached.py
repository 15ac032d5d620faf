"""Memcached clusters that change over time, as the real service's do.

ministack creates a Memcached cluster as it does a Redis one, changes its node count at once and
keeps it ``available``. This module answers the Memcached calls itself (other engines go on to
ministack and patch_elasticache) with the records kept in ministack's ``_clusters`` and ``_tags``, so
tags, ListTagsForResource and the Resource Groups Tagging API keep working:

* ``CreateCacheCluster`` (Engine ``memcached``): ``NumCacheNodes`` nodes ``0001``..., spread over the
  ``PreferredAvailabilityZones`` or, with ``AZMode=cross-az``, over the region's zones; ``creating`` for
  the create delay;
* ``ModifyCacheCluster``: ``NumCacheNodes`` (absolute) with ``CacheNodeIdsToRemove`` on scale-in and
  ``NewAvailabilityZones`` on scale-out, or ``CacheNodeType`` (+ ``ScaleConfig``) on Memcached 1.5+; with
  ``ApplyImmediately`` the cluster is ``modifying`` (new nodes ``creating``, removed ones ``deleting``)
  for the change delay, otherwise the change only shows in ``PendingModifiedValues`` (AWS would wait
  for the maintenance window: here, forever);
* ``DeleteCacheCluster``: ``deleting`` for the change delay, then gone;
* ``DescribeCacheClusters``: ``CacheNodes`` only with ``ShowCacheNodeInfo=true`` (for every engine), as
  AWS answers; a Memcached cluster has its ``ConfigurationEndpoint``.

A change completes lazily at the start of the next ElastiCache request (patch_elasticache.SETTLE_HOOKS);
a cluster id listed as stuck (admin API) never completes.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ministack.services import elasticache as ec

from elasticache_autoscaler.catalog import catalog
from tools.emulator import patch_elasticache as base
from tools.emulator.admin import STATE

Params = base.Params
Response = base.Response

MAX_NODES = 40  # botocore's model: "For clusters running Memcached, this value must be between 1 and 40."
PORT = 11211
DEFAULT_VERSION = "1.6.22"
VERTICAL_SCALING_SINCE = (1, 5)  # AWS: node type changes need Memcached 1.5 or later
CLIENT_DOWNLOAD_PAGE = "https://console.aws.amazon.com/elasticache/home#client-download:"

_CACHE_NODES_XML = re.compile(r"<CacheNodes>.*?</CacheNodes>", re.DOTALL)
_PENDING_XML = re.compile(r"<PendingModifiedValues>.*?</PendingModifiedValues>", re.DOTALL)
_NOT_FOR_MEMCACHED_XML = re.compile(
    r"<ReplicationGroupId></ReplicationGroupId>|<SnapshotWindow>[^<]*</SnapshotWindow>"
    r"|<SnapshotRetentionLimit>[^<]*</SnapshotRetentionLimit>"
)
"""Members ministack renders for every cluster that AWS's Memcached answers (botocore ``examples-1.json``)
do not carry: a Memcached cluster is in no replication group and has no snapshots."""

_previous_cluster_xml_inner = base.cluster_xml_inner


def _is_memcached(cluster: dict[str, Any] | None) -> bool:
    return bool(cluster) and str(cluster.get("Engine", "")).lower() == "memcached"  # type: ignore[union-attr]


def _refuse(code: str, message: str, status: int = 400) -> base.Refused:
    return base.Refused(base._error(code, message, status))


# ---- rendering ---------------------------------------------------------------------------------
def _pending_xml(cluster: dict[str, Any]) -> str:
    """What AWS lists under ``PendingModifiedValues``: the change being applied, or the one waiting for
    the maintenance window."""
    pending = cluster.get("_mc_pending") or (cluster.get("_mc_change") or {}).get("pending") or {}
    xml = ""
    if "NumCacheNodes" in pending:
        xml += f"<NumCacheNodes>{pending['NumCacheNodes']}</NumCacheNodes>"
    if pending.get("CacheNodeIdsToRemove"):
        ids = "".join(f"<CacheNodeId>{i}</CacheNodeId>" for i in pending["CacheNodeIdsToRemove"])
        xml += f"<CacheNodeIdsToRemove>{ids}</CacheNodeIdsToRemove>"
    if pending.get("CacheNodeType"):
        xml += f"<CacheNodeType>{pending['CacheNodeType']}</CacheNodeType>"
    if scale := pending.get("ScaleConfig"):
        xml += "<ScaleConfig>" + "".join(f"<{k}>{v}</{k}>" for k, v in scale.items()) + "</ScaleConfig>"
    return f"<PendingModifiedValues>{xml}</PendingModifiedValues>"


def cluster_xml_inner(cluster: dict[str, Any]) -> str:
    rendered = _previous_cluster_xml_inner(cluster)
    if not _is_memcached(cluster):
        return rendered
    rendered = _PENDING_XML.sub(lambda _: _pending_xml(cluster), rendered, count=1)
    rendered = _NOT_FOR_MEMCACHED_XML.sub("", rendered)
    endpoint = cluster["ConfigurationEndpoint"]
    return (
        rendered
        + f"<ConfigurationEndpoint><Address>{endpoint['Address']}</Address><Port>{endpoint['Port']}</Port>"
        + "</ConfigurationEndpoint>"
        + f"<ClientDownloadLandingPage>{CLIENT_DOWNLOAD_PAGE}</ClientDownloadLandingPage>"
    )


def _without_nodes(response: Response) -> Response:
    status, headers, body = response
    return status, headers, _CACHE_NODES_XML.sub("", body.decode()).encode()


def _cluster_response(action: str, cluster: dict[str, Any]) -> Response:
    """Create/Modify/Delete answer without ``CacheNodes``, as AWS's examples of them have none."""
    return _without_nodes(ec._xml_cluster_response(f"{action}Response", f"{action}Result", cluster))


# ---- nodes ---------------------------------------------------------------------------------------
def _zones() -> list[str]:
    return [f"{ec.get_region()}{letter}" for letter in "abcdef"]


def _node(cluster_id: str, number: int, zone: str, status: str) -> dict[str, Any]:
    return {
        "CacheNodeId": f"{number:04d}",
        "CacheNodeStatus": status,
        "CacheNodeCreateTime": time.time(),
        "Endpoint": {"Address": f"{cluster_id}.{number:04d}.emulator.cache.local", "Port": PORT},
        "ParameterGroupStatus": "in-sync",
        "CustomerAvailabilityZone": zone,
    }


def _placement(cluster: dict[str, Any], count: int, zones: list[str]) -> list[str]:
    """Zones for ``count`` new nodes: the ones asked for, else round robin (cross-az) or the cluster's."""
    if zones:
        return zones
    if cluster["_az_mode"] == "cross-az":
        used = len(cluster["CacheNodes"])
        return [_zones()[(used + i) % len(_zones())] for i in range(count)]
    first = cluster["CacheNodes"][0]["CustomerAvailabilityZone"] if cluster["CacheNodes"] else _zones()[0]
    return [first] * count


def _add_nodes(cluster: dict[str, Any], zones: list[str], status: str) -> list[str]:
    numbers = [int(n["CacheNodeId"]) for n in cluster["CacheNodes"]]
    start = max(numbers, default=0) + 1
    added = [_node(cluster["CacheClusterId"], start + i, zone, status) for i, zone in enumerate(zones)]
    cluster["CacheNodes"].extend(added)
    _set_preferred_zone(cluster)
    return [n["CacheNodeId"] for n in added]


def _set_preferred_zone(cluster: dict[str, Any]) -> None:
    zones = {n["CustomerAvailabilityZone"] for n in cluster["CacheNodes"]}
    cluster["PreferredAvailabilityZone"] = zones.pop() if len(zones) == 1 else "Multiple"


def _set_status(cluster: dict[str, Any], status: str, node_ids: list[str] | None = None) -> None:
    for node in cluster["CacheNodes"]:
        if node_ids is None or node["CacheNodeId"] in node_ids:
            node["CacheNodeStatus"] = status


def _begin(cluster: dict[str, Any], kind: str, seconds: float, **extra: Any) -> None:
    cluster["_mc_change"] = {"kind": kind, "until": time.time() + seconds, **extra}
    cluster["CacheClusterStatus"] = {"create": "creating", "delete": "deleting"}.get(kind, "modifying")


def settle(now: float) -> None:
    """Complete every due Memcached change of the caller's account and region."""
    for cluster in list(ec._clusters.values()):
        change = cluster.get("_mc_change")
        if change and now >= change["until"] and cluster["CacheClusterId"] not in STATE.stuck:
            _complete(cluster, change)


def _complete(cluster: dict[str, Any], change: dict[str, Any]) -> None:
    cluster["_mc_change"] = None
    if change["kind"] == "delete":
        ec._clusters.pop(cluster["CacheClusterId"], None)
        ec._tags.pop(cluster["CacheClusterArn"], None)
        ec._record_event(cluster["CacheClusterId"], "cache-cluster", "Cache cluster deleted")
        return
    removing = set(change.get("removing", ()))
    cluster["CacheNodes"] = [n for n in cluster["CacheNodes"] if n["CacheNodeId"] not in removing]
    if change.get("node_type"):
        cluster["CacheNodeType"] = change["node_type"]
    _set_status(cluster, "available")
    _set_preferred_zone(cluster)
    cluster["NumCacheNodes"] = len(cluster["CacheNodes"])
    cluster["CacheClusterStatus"] = "available"
    ec._record_event(cluster["CacheClusterId"], "cache-cluster", f"Modification ({change['kind']}) complete")


# ---- CreateCacheCluster --------------------------------------------------------------------------
def _node_count(raw: str) -> int:
    count = int(raw or "1")
    if not 1 <= count <= MAX_NODES:
        raise _refuse(
            "InvalidParameterValue",
            f"For clusters running Memcached, NumCacheNodes must be between 1 and {MAX_NODES}.",
        )
    return count


def _check_node_type(node_type: str) -> None:
    if not node_type:
        raise _refuse(
            "InvalidParameterValue", "The parameter CacheNodeType must be provided and must not be null."
        )
    if node_type not in catalog():
        raise _refuse("InvalidParameterValue", f"Invalid CacheNodeType: {node_type}")


def _check_zones(zones: list[str], count: int, parameter: str) -> None:
    if zones and len(zones) != count:
        raise _refuse(
            "InvalidParameterValue",
            f"The number of Availability Zones in {parameter} ({len(zones)}) must match the number of cache"
            f" nodes being created ({count}).",
        )
    if unknown := [z for z in zones if z not in _zones()]:
        raise _refuse("InvalidParameterValue", f"Invalid Availability Zone(s): {', '.join(unknown)}.")


def create_cache_cluster(p: Params) -> Response | None:
    if base._p(p, "Engine").lower() != "memcached":
        return None
    cluster_id = base._p(p, "CacheClusterId").lower()
    if cluster_id in ec._clusters:
        raise _refuse("CacheClusterAlreadyExists", f"Cache cluster {cluster_id} already exists.")
    count = _node_count(base._p(p, "NumCacheNodes"))
    node_type = base._p(p, "CacheNodeType")
    _check_node_type(node_type)
    if base._p(p, "AuthToken"):
        raise _refuse("InvalidParameterCombination", "AuthToken is not supported for the Memcached engine.")
    az_mode = base._p(p, "AZMode", "single-az")
    if az_mode not in ("single-az", "cross-az"):
        raise _refuse(
            "InvalidParameterValue", f"Invalid AZMode: {az_mode}. Valid values: single-az, cross-az."
        )
    zones = base._list(p, "PreferredAvailabilityZones")
    _check_zones(zones, count, "PreferredAvailabilityZones")
    if not zones and base._p(p, "PreferredAvailabilityZone"):
        zones = [base._p(p, "PreferredAvailabilityZone")] * count
        _check_zones(zones, count, "PreferredAvailabilityZone")
    version = base._p(p, "EngineVersion") or DEFAULT_VERSION
    arn = ec._arn_cluster(cluster_id)
    cluster: dict[str, Any] = {
        "CacheClusterId": cluster_id,
        "CacheClusterArn": arn,
        "CacheClusterStatus": "available",
        "Engine": "memcached",
        "EngineVersion": version,
        "CacheNodeType": node_type,
        "NumCacheNodes": count,
        "CacheClusterCreateTime": time.time(),
        "PreferredAvailabilityZone": "",
        "PreferredMaintenanceWindow": base._p(p, "PreferredMaintenanceWindow", "sun:05:00-sun:06:00"),
        "CacheParameterGroup": {
            "CacheParameterGroupName": base._p(p, "CacheParameterGroupName")
            or ec._default_param_group_for_engine("memcached", version),
            "ParameterApplyStatus": "in-sync",
        },
        "CacheSubnetGroupName": base._p(p, "CacheSubnetGroupName", "default"),
        "AutoMinorVersionUpgrade": base._flag(p, "AutoMinorVersionUpgrade", default=True),
        "SecurityGroups": [
            {"SecurityGroupId": s, "Status": "active"} for s in base._list(p, "SecurityGroupIds")
        ],
        "ReplicationGroupId": "",
        "SnapshotRetentionLimit": 0,
        "SnapshotWindow": "",
        "LogDeliveryConfigurations": [],
        "AuthTokenEnabled": False,
        "TransitEncryptionEnabled": base._flag(p, "TransitEncryptionEnabled"),
        "TransitEncryptionMode": None,
        "AtRestEncryptionEnabled": False,
        "CacheNodes": [],
        "ConfigurationEndpoint": {"Address": f"{cluster_id}.cfg.emulator.cache.local", "Port": PORT},
        "_endpoint": {"Address": f"{cluster_id}.cfg.emulator.cache.local", "Port": PORT},
        "_docker_container_id": None,
        "_az_mode": az_mode,
        "_mc_change": None,
        "_mc_pending": None,
    }
    status = "creating" if STATE.create_seconds > 0 else "available"
    _add_nodes(cluster, _placement(cluster, count, zones), status)
    if status == "creating":
        _begin(cluster, "create", STATE.create_seconds)
    ec._clusters[cluster_id] = cluster
    ec._tags[arn] = ec._extract_tags(p)
    ec._record_event(cluster_id, "cache-cluster", "Cache cluster created")
    return _cluster_response("CreateCacheCluster", cluster)


# ---- ModifyCacheCluster --------------------------------------------------------------------------
def _key(cluster_id: str) -> str:
    """The stored id: AWS keeps cluster ids in lower case and finds them in any case (records made by
    ministack or patch_elasticache may keep the case they were given)."""
    return cluster_id if cluster_id in ec._clusters else cluster_id.lower()


def _cluster(p: Params) -> dict[str, Any] | None:
    cluster: dict[str, Any] | None = ec._clusters.get(_key(base._p(p, "CacheClusterId")))
    return cluster if _is_memcached(cluster) else None


def _require_available(cluster: dict[str, Any]) -> None:
    if cluster["CacheClusterStatus"] != "available" or cluster.get("_mc_change"):
        raise _refuse(
            "InvalidCacheClusterState",
            f"Cache cluster {cluster['CacheClusterId']} is not in available state"
            f" (status: {cluster['CacheClusterStatus']}).",
        )


def _version(cluster: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", cluster["EngineVersion"])[:2])


def _scale_config(p: Params) -> dict[str, int]:
    scale = {
        k: int(base._p(p, f"ScaleConfig.{k}"))
        for k in ("ScalePercentage", "ScaleIntervalMinutes")
        if base._p(p, f"ScaleConfig.{k}")
    }
    if "ScalePercentage" in scale and not 1 <= scale["ScalePercentage"] <= 100:
        raise _refuse("InvalidParameterValue", "ScalePercentage must be between 1 and 100.")
    if scale.get("ScaleIntervalMinutes", 0) < 0:
        raise _refuse("InvalidParameterValue", "ScaleIntervalMinutes must not be negative.")
    return scale


def _node_type_change(cluster: dict[str, Any], node_type: str, scale: dict[str, int]) -> dict[str, Any]:
    if _version(cluster) < VERTICAL_SCALING_SINCE:
        raise _refuse(
            "InvalidParameterCombination",
            f"Changing the node type of a Memcached cluster requires engine version 1.5 or later;"
            f" {cluster['CacheClusterId']} runs {cluster['EngineVersion']}.",
        )
    _check_node_type(node_type)
    if node_type == cluster["CacheNodeType"]:
        raise _refuse("InvalidParameterCombination", "No modifications were requested.")
    return {"CacheNodeType": node_type, **({"ScaleConfig": scale} if scale else {})}


def _node_count_change(cluster: dict[str, Any], p: Params, target: int) -> dict[str, Any] | None:
    """The pending values of a node count change, ``None`` to cancel a pending one (target = current)."""
    current = len(cluster["CacheNodes"])
    pending = (cluster.get("_mc_pending") or {}).get("NumCacheNodes", current)
    to_remove = base._list(p, "CacheNodeIdsToRemove")
    zones = base._list(p, "NewAvailabilityZones")
    if target == current:  # "any pending add or remove requests are canceled" (ModifyCacheCluster)
        if to_remove or zones:
            raise _refuse(
                "InvalidParameterCombination",
                "CacheNodeIdsToRemove and NewAvailabilityZones need a node count other than the current one.",
            )
        return None
    if target < max(current, pending):
        count = max(current, pending) - target
        if len(to_remove) != count:
            raise _refuse(
                "InvalidParameterCombination",
                "The number of CacheNodeIdsToRemove must match the number of nodes you are trying to remove,"
                f" current number of cache nodes is {current}, requested number of cache nodes is {target}"
                f" and CacheNodeIdsToRemove supplied are {len(to_remove)}",
            )
        known = {n["CacheNodeId"] for n in cluster["CacheNodes"]}
        unknown = [i for i in to_remove if i not in known]
        if unknown or len(set(to_remove)) != len(to_remove):
            raise _refuse(
                "InvalidParameterValue", f"Invalid cache node id(s) to remove: {unknown or to_remove}."
            )
        if zones:
            raise _refuse(
                "InvalidParameterCombination",
                "NewAvailabilityZones is only valid when NumCacheNodes is greater than the number of"
                " cache nodes.",
            )
        return {"NumCacheNodes": target, "CacheNodeIdsToRemove": to_remove}
    if to_remove:
        raise _refuse(
            "InvalidParameterCombination",
            "CacheNodeIdsToRemove is only valid when NumCacheNodes is less than the existing number of"
            " cache nodes.",
        )
    _check_zones(zones, target - current, "NewAvailabilityZones")
    return {"NumCacheNodes": target, "_zones": zones}


def modify_cache_cluster(p: Params) -> Response | None:
    cluster = _cluster(p)
    if cluster is None:
        return None
    _require_available(cluster)
    raw_count, node_type = base._p(p, "NumCacheNodes"), base._p(p, "CacheNodeType")
    scale = _scale_config(p)
    if raw_count and node_type and int(raw_count) != len(cluster["CacheNodes"]):
        raise _refuse(
            "InvalidParameterCombination", "NumCacheNodes and CacheNodeType cannot be changed in one request."
        )
    change: dict[str, Any] | None = None
    cancels = False
    if node_type:
        change = _node_type_change(cluster, node_type, scale)
    elif raw_count:
        change = _node_count_change(cluster, p, _node_count(raw_count))
        if change is not None and scale:  # ScaleConfig paces horizontal scaling too
            change["ScaleConfig"] = scale
        cancels = change is None and bool(cluster.get("_mc_pending"))
        if change is None and not cancels:
            raise _refuse("InvalidParameterCombination", "No modifications were requested.")
    elif scale or base._list(p, "CacheNodeIdsToRemove") or base._list(p, "NewAvailabilityZones"):
        raise _refuse(
            "InvalidParameterCombination",
            "ScaleConfig, CacheNodeIdsToRemove and NewAvailabilityZones need NumCacheNodes or CacheNodeType.",
        )
    else:
        return None  # no scaling field: ministack applies the rest (maintenance window, parameter group...)
    if cancels:
        cluster["_mc_pending"] = None
    elif change is not None and not base._flag(p, "ApplyImmediately"):
        # AWS applies it in the next maintenance window: here, never. The latest request replaces it.
        cluster["_mc_pending"] = {k: v for k, v in change.items() if not k.startswith("_")}
    elif change is not None:
        _apply(cluster, change)
    ec._record_event(cluster["CacheClusterId"], "cache-cluster", "Cache cluster modified")
    return _cluster_response("ModifyCacheCluster", cluster)


def _apply(cluster: dict[str, Any], change: dict[str, Any]) -> None:
    cluster["_mc_pending"] = None
    pending = {k: v for k, v in change.items() if not k.startswith("_")}
    if "CacheNodeType" in change:
        _begin(cluster, "node-type", STATE.change_seconds, node_type=change["CacheNodeType"], pending=pending)
        _set_status(cluster, "modifying")
        return
    removing = change.get("CacheNodeIdsToRemove", [])
    _begin(cluster, "nodes", STATE.change_seconds, removing=removing, pending=pending)
    _set_status(cluster, "deleting", removing)
    missing = change["NumCacheNodes"] - len(cluster["CacheNodes"])
    if missing > 0:
        _add_nodes(cluster, _placement(cluster, missing, change.get("_zones", [])), "creating")


# ---- DeleteCacheCluster / DescribeCacheClusters ----------------------------------------------------
def delete_cache_cluster(p: Params) -> Response | None:
    cluster = _cluster(p)
    if cluster is None:
        return None
    _require_available(cluster)
    _begin(cluster, "delete", STATE.change_seconds)
    _set_status(cluster, "deleting")
    return _cluster_response("DeleteCacheCluster", cluster)


def describe_cache_clusters(p: Params) -> Response | None:
    cluster_id = base._p(p, "CacheClusterId")
    if cluster_id and _key(cluster_id) not in ec._clusters:
        raise _refuse("CacheClusterNotFound", f"CacheCluster not found: {cluster_id}", 404)
    result: Response = ec._describe_cache_clusters({**p, "CacheClusterId": [_key(cluster_id)]})
    return result if base._flag(p, "ShowCacheNodeInfo") else _without_nodes(result)


def install() -> None:
    """After patch_elasticache.install (it wraps that module's cluster rendering and request handling)."""
    ec._cluster_xml_inner = cluster_xml_inner
    base.OWN_HANDLERS.update(
        {
            "CreateCacheCluster": create_cache_cluster,
            "ModifyCacheCluster": modify_cache_cluster,
            "DeleteCacheCluster": delete_cache_cluster,
            "DescribeCacheClusters": describe_cache_clusters,
        }
    )
    base.SETTLE_HOOKS.append(settle)
