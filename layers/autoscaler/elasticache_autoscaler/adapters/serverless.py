"""ElastiCache Serverless: read a cache and set its CacheUsageLimits, always as absolute values.

Request builders are pure functions (tested with botocore's Stubber); the class makes the calls.
"""

from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from elasticache_autoscaler.adapters.change_call import change_once
from elasticache_autoscaler.adapters.describe_one import describe_one
from elasticache_autoscaler.adapters.elasticache_clients import ElastiCacheClients
from elasticache_autoscaler.adapters.elasticache_tags import tags_of
from elasticache_autoscaler.adapters.error_codes import SERVERLESS_BUSY, SERVERLESS_NOT_FOUND
from elasticache_autoscaler.errors import ActionFailedError
from elasticache_autoscaler.models.serverless import ServerlessCache, UsageLimits, serverless_cache_from

if TYPE_CHECKING:
    from mypy_boto3_elasticache.type_defs import (
        CacheUsageLimitsTypeDef,
        DataStorageTypeDef,
        ECPUPerSecondTypeDef,
        ModifyServerlessCacheRequestTypeDef,
        ServerlessCacheTypeDef,
    )


class ChangeUsageLimits(NamedTuple):
    """One ModifyServerlessCache call, typed by mypy-boto3's request TypedDict."""

    operation: Literal["modify_serverless_cache"]
    params: "ModifyServerlessCacheRequestTypeDef"


class ServerlessGateway(Protocol):
    def read_cache(self, name: str) -> ServerlessCache: ...
    def read_cache_and_tags(self, name: str) -> tuple[ServerlessCache, dict[str, str]]: ...
    def set_usage_limits(
        self, name: str, limits: UsageLimits, cache: ServerlessCache | None = None
    ) -> str: ...


def _usage_limits(limits: UsageLimits) -> "CacheUsageLimitsTypeDef":
    """The whole CacheUsageLimits, every limit the target has (absolute, never a change by so much)."""
    storage: DataStorageTypeDef = {"Unit": "GB"}
    if limits.data_storage_max_gb is not None:
        storage["Maximum"] = limits.data_storage_max_gb
    if limits.data_storage_min_gb is not None:
        storage["Minimum"] = limits.data_storage_min_gb
    ecpu: ECPUPerSecondTypeDef = {}
    if limits.ecpu_per_second_max is not None:
        ecpu["Maximum"] = limits.ecpu_per_second_max
    if limits.ecpu_per_second_min is not None:
        ecpu["Minimum"] = limits.ecpu_per_second_min
    result: CacheUsageLimitsTypeDef = {}
    if len(storage) > 1:
        result["DataStorage"] = storage
    if ecpu:
        result["ECPUPerSecond"] = ecpu
    return result


def usage_limits_request(cache: ServerlessCache, limits: UsageLimits) -> ChangeUsageLimits | None:
    """ModifyServerlessCache with the absolute ``CacheUsageLimits`` of ``limits``; None when the cache has
    them already. Refused when a minimum exceeds its maximum or the target sets no limit at all."""
    if limits == cache.limits:
        return None
    pairs = (
        ("DataStorage", limits.data_storage_min_gb, limits.data_storage_max_gb),
        ("ECPUPerSecond", limits.ecpu_per_second_min, limits.ecpu_per_second_max),
    )
    for name, low, high in pairs:
        if low is not None and high is not None and low > high:
            raise ActionFailedError(f"{cache.name}: {name} minimum {low} is above its maximum {high}")
    usage = _usage_limits(limits)
    if not usage:
        raise ActionFailedError(f"{cache.name}: a usage limits change must set at least one limit")
    return ChangeUsageLimits(
        "modify_serverless_cache", {"ServerlessCacheName": cache.name, "CacheUsageLimits": usage}
    )


class ServerlessCaches(ElastiCacheClients):
    def read_cache(self, name: str) -> ServerlessCache:
        return serverless_cache_from(self._describe(name))

    def read_cache_and_tags(self, name: str) -> tuple[ServerlessCache, dict[str, str]]:
        """The cache and its tags (ListTagsForResource on the ARN DescribeServerlessCaches reports)."""
        item = self._describe(name)
        return serverless_cache_from(item), tags_of(self._client, item["ARN"])

    def _describe(self, name: str) -> "ServerlessCacheTypeDef":
        return describe_one(
            lambda: self._client.describe_serverless_caches(ServerlessCacheName=name)["ServerlessCaches"],
            SERVERLESS_NOT_FOUND,
            f"serverless cache {name!r}",
        )

    def set_usage_limits(self, name: str, limits: UsageLimits, cache: ServerlessCache | None = None) -> str:
        return change_once(
            usage_limits_request(cache or self.read_cache(name), limits),
            lambda params: self._changes.modify_serverless_cache(**params),
            busy=SERVERLESS_BUSY,
            not_found=SERVERLESS_NOT_FOUND,
        )
