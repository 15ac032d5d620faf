"""A fleet on the emulator: GetResources that pages, hundreds of groups made at once, executions held.

* ``GetResources`` honours ``ResourcesPerPage`` (default 50, as AWS) and ``PaginationToken``: ministack
  answers every match in one page, which would hide a discovery loop that stops after the first.
* ``GetResources`` and ``StartExecution`` are counted in the admin counters (``tagging.GetResources``,
  ``sfn.StartExecution``): the server's side of a tick's request count.
* ``POST /_emulator/fleet/groups`` ``{"prefix": "fleet", "count": 500, "tags": {"k": "v"}}`` creates
  1-node replication groups ``<prefix>-000`` ... in-process, through the same code as
  CreateReplicationGroup (500 HTTP calls under IAM evaluation take minutes on a small machine);
  ``DELETE /_emulator/fleet/groups`` ``{"prefix": "fleet"}`` removes them again.
* ``POST /_emulator/fleet/hold`` ``{"name_prefix": "schedule-fleet"}``: executions whose name starts with
  the prefix are started (``RUNNING``, listed, named, duplicates refused) but never walked, so that a
  500-group tick can be measured without 500 workflows competing for the machine;
  ``DELETE /_emulator/fleet/hold`` drops the held executions and the hold. ``GET`` lists their names.
"""

from __future__ import annotations

import contextvars
import json
import threading
from typing import Any

from ministack.services import elasticache as ec
from ministack.services import stepfunctions, tagging

from tools.emulator import admin, patch_elasticache
from tools.emulator.admin import STATE

DEFAULT_RESOURCES_PER_PAGE = 50

_original_get_resources = tagging._get_resources
_original_start_execution = stepfunctions._start_execution
_original_run_execution = stepfunctions._run_execution

_lock = threading.Lock()
_hold_prefixes: set[str] = set()
_held: dict[str, contextvars.Context] = {}  # execution ARN -> the context it was started in


def _get_resources(data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    STATE.record_call("tagging.GetResources", {}, mutating=False)
    if data.get("ResourceARNList"):
        return _original_get_resources(data)  # type: ignore[no-any-return]
    status, headers, body = _original_get_resources(
        {k: v for k, v in data.items() if k not in ("PaginationToken", "ResourcesPerPage")}
    )
    if status != 200:
        return status, headers, body
    everything = json.loads(body)["ResourceTagMappingList"]
    start = int(data.get("PaginationToken") or 0)
    size = int(data.get("ResourcesPerPage") or DEFAULT_RESOURCES_PER_PAGE)
    page = everything[start : start + size]
    token = str(start + size) if start + size < len(everything) else ""
    return status, headers, json.dumps({"ResourceTagMappingList": page, "PaginationToken": token}).encode()


def _start_execution(data: dict[str, Any]) -> Any:
    STATE.record_call("sfn.StartExecution", {}, mutating=False)
    return _original_start_execution(data)


def _run_execution(exec_arn: str) -> None:
    name = exec_arn.rsplit(":", 1)[-1]
    with _lock:
        if any(name.startswith(prefix) for prefix in _hold_prefixes):
            _held[exec_arn] = contextvars.copy_context()
            return
    _original_run_execution(exec_arn)


def _create_groups(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    prefix, count = str(body["prefix"]), int(body["count"])
    tags = {str(k): str(v) for k, v in dict(body.get("tags", {})).items()}
    created: list[str] = []
    for index in range(count):
        params: dict[str, list[str]] = {
            "ReplicationGroupId": [f"{prefix}-{index:03d}"],
            "ReplicationGroupDescription": ["fleet on the local emulator"],
            "Engine": ["valkey"],
            "CacheNodeType": ["cache.r7g.large"],
            "NumCacheClusters": ["1"],
        }
        for n, (key, value) in enumerate(tags.items(), start=1):
            params[f"Tags.Tag.{n}.Key"] = [key]
            params[f"Tags.Tag.{n}.Value"] = [value]
        status, _, answer = patch_elasticache.create_replication_group(params)
        if status != 200:
            return status, {"error": answer.decode(), "created": len(created)}
        created.append(params["ReplicationGroupId"][0])
    return 200, {"created": len(created)}


def _delete_groups(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    prefix = str(body["prefix"]) + "-"
    doomed = [g for g in list(ec._replication_groups.keys()) if g.startswith(prefix)]
    for group_id in doomed:
        group = ec._replication_groups.pop(group_id)
        ec._tags.pop(group["ARN"], None)
        for member in group["MemberClusters"]:
            cluster = ec._clusters.pop(member, None)
            if cluster is not None:
                ec._tags.pop(cluster["CacheClusterArn"], None)
    return 200, {"deleted": len(doomed)}


def _hold(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    with _lock:
        _hold_prefixes.add(str(body["name_prefix"]))
    return _held_names({})


def _held_names(_body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    with _lock:
        return 200, {"prefixes": sorted(_hold_prefixes), "held": sorted(a.rsplit(":", 1)[-1] for a in _held)}


def _release(_body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    with _lock:
        dropped = dict(_held)
        _held.clear()
        _hold_prefixes.clear()
    for arn, context in dropped.items():
        context.run(stepfunctions._executions.pop, arn, None)
    return 200, {"dropped": len(dropped)}


def install() -> None:
    tagging._HANDLERS["GetResources"] = _get_resources
    stepfunctions._start_execution = _start_execution
    stepfunctions._run_execution = _run_execution
    admin.EXTRA_ROUTES.update(
        {
            ("POST", "/fleet/groups"): _create_groups,
            ("DELETE", "/fleet/groups"): _delete_groups,
            ("POST", "/fleet/hold"): _hold,
            ("GET", "/fleet/hold"): _held_names,
            ("DELETE", "/fleet/hold"): _release,
        }
    )
