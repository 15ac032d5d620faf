"""Serverless caches whose changes take time, with AWS's limits on ``CacheUsageLimits``.

ministack serves Create/Describe/Modify/DeleteServerlessCache (records, rendering, tags, engine changes)
but, without Docker, a cache is ``available`` at once, a change is instantaneous, a delete is gone at
once, ``memcached`` is refused and any ``CacheUsageLimits`` are accepted. This module wraps those calls:

* ``CacheUsageLimits`` are checked as AWS documents them: ``DataStorage`` 1-5,000 GB (``Unit`` ``GB``),
  ``ECPUPerSecond`` 1,000-15,000,000, each minimum at most its maximum (all zeros still remove the
  limits, ministack's reading of AWS's pre-scaling guide);
* a created cache is ``creating`` for the create delay, a modified one ``modifying`` for the change
  delay (a raised minimum can take up to an hour on AWS), a deleted one ``deleting`` for the change
  delay; meanwhile Modify/Delete answer ``InvalidServerlessCacheStateFault``;
* ``Engine=memcached`` (major version 1.6) is served;
* the Resource Groups Tagging API can tag and untag a serverless cache (ministack knew only the other
  ElastiCache resources there);
* IAM sees the cache's ARN as the resource of a call that names a ``ServerlessCacheName`` (ministack: ``*``).

A change completes lazily at the start of the next ElastiCache request (patch_elasticache.SETTLE_HOOKS);
a cache name listed as stuck (admin API) never completes.
"""

from __future__ import annotations

import time
from typing import Any

from ministack.services import elasticache as ec
from ministack.services import tagging

from tools.emulator import patch_elasticache as base
from tools.emulator.admin import STATE

Params = base.Params
Response = base.Response

LIMITS = {"DataStorage": (1, 5_000), "ECPUPerSecond": (1_000, 15_000_000)}
MEMCACHED_VERSIONS = {"1.6": "1.6.22"}

_original_create = ec._create_serverless_cache
_original_modify = ec._modify_serverless_cache
_original_delete = ec._delete_serverless_cache
_original_resolve_for_tagging = tagging._resolve_elasticache_resource


def _refuse(code: str, message: str, status: int = 400) -> base.Refused:
    return base.Refused(base._error(code, message, status))


def _check_limits(p: Params) -> None:
    """Refused (InvalidParameterValue) unless every given limit is in AWS's documented range."""
    values: dict[str, dict[str, int]] = {}
    for part in LIMITS:
        for bound in ("Minimum", "Maximum"):
            raw = base._p(p, f"CacheUsageLimits.{part}.{bound}")
            if raw:
                values.setdefault(part, {})[bound] = int(raw)
    if values and not any(v for part in values.values() for v in part.values()):
        return  # all zeros: remove the limits
    unit = base._p(p, "CacheUsageLimits.DataStorage.Unit")
    if "DataStorage" in values and unit != "GB":
        raise _refuse(
            "InvalidParameterValue", f"Invalid DataStorage Unit: {unit or '(none)'}. Valid value: GB."
        )
    for part, bounds in values.items():
        low, high = LIMITS[part]
        for bound, value in bounds.items():
            if not low <= value <= high:
                raise _refuse(
                    "InvalidParameterValue",
                    f"{part} {bound} {value} is out of range: it must be between {low} and {high}.",
                )
        if bounds.get("Minimum", 0) > bounds.get("Maximum", high):
            raise _refuse(
                "InvalidParameterCombination",
                f"{part} Minimum {bounds['Minimum']} must not be greater than Maximum {bounds['Maximum']}.",
            )


def _cache(p: Params) -> dict[str, Any] | None:
    cache: dict[str, Any] | None = ec._serverless_caches.get(base._p(p, "ServerlessCacheName").lower())
    return cache


def _require_available(cache: dict[str, Any]) -> None:
    if cache["Status"] != "available" or cache.get("_until"):
        raise _refuse(
            "InvalidServerlessCacheStateFault",
            f"Serverless cache {cache['ServerlessCacheName']} is not in available state"
            f" (status: {cache['Status']}).",
        )


def _begin(cache: dict[str, Any], status: str, seconds: float) -> None:
    if seconds > 0:
        cache["Status"], cache["_until"] = status, time.time() + seconds


def create_serverless_cache(p: Params) -> Response:
    _check_limits(p)
    result: Response = _original_create(p)
    cache = _cache(p)
    if result[0] == 200 and cache is not None and cache["Status"] == "available":
        _begin(cache, "creating", STATE.create_seconds)
        result = _render("CreateServerlessCache", cache)
    return result


def modify_serverless_cache(p: Params) -> Response:
    cache = _cache(p)
    if cache is not None:
        _require_available(cache)
    _check_limits(p)
    result: Response = _original_modify(p)
    if result[0] == 200 and cache is not None and cache["Status"] == "available":
        _begin(cache, "modifying", STATE.change_seconds)
        result = _render("ModifyServerlessCache", cache)
    return result


def delete_serverless_cache(p: Params) -> Response:
    cache = _cache(p)
    if cache is None or base._p(p, "FinalSnapshotName"):
        result: Response = _original_delete(p)  # its NotFound / snapshot refusal
        return result
    _require_available(cache)
    if STATE.change_seconds <= 0:
        result = _original_delete(p)
        return result
    _begin(cache, "deleting", STATE.change_seconds)
    cache["_deleting"] = True
    return _render("DeleteServerlessCache", cache)


def _render(action: str, cache: dict[str, Any]) -> Response:
    result: Response = ec._xml(
        200,
        f"{action}Response",
        f"<{action}Result><ServerlessCache>{ec._serverless_cache_xml(cache)}</ServerlessCache></{action}Result>",
    )
    return result


def settle(now: float) -> None:
    """Complete every due serverless change of the caller's account and region."""
    for cache in list(ec._serverless_caches.values()):
        until = cache.get("_until")
        if not until or now < until or cache["ServerlessCacheName"] in STATE.stuck:
            continue
        cache["_until"] = None
        if cache.get("_deleting"):
            _original_delete({"ServerlessCacheName": [cache["ServerlessCacheName"]]})
        else:
            cache["Status"] = "available"


def _resolve_for_tagging(svc: Any, arn: str) -> None:
    """The Tagging API's TagResources/UntagResources accept a serverless cache's ARN, as AWS does."""
    resource = arn.split(":", 5)[-1] if arn.count(":") >= 5 else ""
    kind, _, name = resource.partition(":")
    if kind != "serverlesscache":
        _original_resolve_for_tagging(svc, arn)
    elif name not in svc._serverless_caches:
        raise tagging._ResourceNotFound(arn)


def install() -> None:
    """After patch_elasticache.install."""
    base.patch_arn_for_iam("ServerlessCacheName", "serverlesscache", lower=True)
    ec._SERVERLESS_ENGINE_VERSIONS.setdefault("memcached", MEMCACHED_VERSIONS)
    ec._SERVERLESS_DEFAULT_MAJOR.setdefault("memcached", "1.6")
    tagging._resolve_elasticache_resource = _resolve_for_tagging
    base.OWN_HANDLERS.update(
        {
            "CreateServerlessCache": create_serverless_cache,
            "ModifyServerlessCache": modify_serverless_cache,
            "DeleteServerlessCache": delete_serverless_cache,
        }
    )
    base.SETTLE_HOOKS.append(settle)
