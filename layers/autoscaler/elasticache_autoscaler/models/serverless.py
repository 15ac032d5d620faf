"""An ElastiCache Serverless cache as ``observe`` sees it: its status and its CacheUsageLimits.

Built by ``serverless_cache_from`` from one ``ServerlessCaches`` item of DescribeServerlessCaches. Pure.
"""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind

ServerlessEngine = Literal["valkey", "redis", "memcached"]

SERVERLESS_DIMENSION = "clusterId"
"""The CloudWatch dimension of a Serverless cache's metrics in AWS/ElastiCache, its name as the value (not
``CacheClusterId``, which is a node-based cluster's; ``aws cloudwatch list-metrics`` output in
open-constructs/aws-cdk-library#68, grafana/grafana-aws-sdk#151, cdklabs/cdk-monitoring-constructs#750)."""


class UsageLimits(WireModel):
    """CacheUsageLimits: ``DataStorage`` {Maximum, Minimum} in GB and ``ECPUPerSecond`` {Maximum, Minimum}.
    None: not set (no cap, or no pre-warmed floor). ``kind`` tells it apart from the other kinds' capacities
    in the workflow state and the decision log."""

    kind: Literal[CacheKind.SERVERLESS] = CacheKind.SERVERLESS

    data_storage_max_gb: int | None = Field(default=None, ge=1)
    data_storage_min_gb: int | None = Field(default=None, ge=1)
    ecpu_per_second_max: int | None = Field(default=None, ge=1)
    ecpu_per_second_min: int | None = Field(default=None, ge=1)

    def with_minimums(self, *, data_storage_gb: int | None, ecpu_per_second: int | None) -> "UsageLimits":
        """These limits with the minimums given set (None: that one stays), a maximum under its new
        minimum raised to it."""
        update: dict[str, int] = {}
        if data_storage_gb is not None:
            update["data_storage_min_gb"] = data_storage_gb
            if self.data_storage_max_gb is not None and self.data_storage_max_gb < data_storage_gb:
                update["data_storage_max_gb"] = data_storage_gb
        if ecpu_per_second is not None:
            update["ecpu_per_second_min"] = ecpu_per_second
            if self.ecpu_per_second_max is not None and self.ecpu_per_second_max < ecpu_per_second:
                update["ecpu_per_second_max"] = ecpu_per_second
        return self.model_copy(update=update)

    def describe(self) -> str:
        def span(low: int | None, high: int | None, unit: str) -> str:
            return f"{low if low is not None else '-'}..{high if high is not None else 'unlimited'} {unit}"

        return (
            f"data storage {span(self.data_storage_min_gb, self.data_storage_max_gb, 'GB')}, "
            f"{span(self.ecpu_per_second_min, self.ecpu_per_second_max, 'ECPU/s')}"
        )


class ServerlessCache(WireModel):
    name: str
    engine: ServerlessEngine
    major_engine_version: str
    status: str
    limits: UsageLimits

    def not_quiescent_because(self) -> str | None:
        """Why the cache cannot be changed now, or None when it is ``available``."""
        return None if self.status == "available" else f"serverless cache is {self.status}"


def _engine(value: str) -> ServerlessEngine:
    name = value.lower()
    if name in {"valkey", "redis", "memcached"}:
        return name  # type: ignore[return-value]  # narrowed by the membership test above
    raise ValueError(f"unknown serverless cache engine {value!r}")


def serverless_cache_from(item: Mapping[str, Any]) -> ServerlessCache:
    """One item of DescribeServerlessCaches' ``ServerlessCaches`` as a ServerlessCache."""
    limits = item.get("CacheUsageLimits") or {}
    storage = limits.get("DataStorage") or {}
    ecpu = limits.get("ECPUPerSecond") or {}
    unit = storage.get("Unit", "GB")
    if storage and unit != "GB":
        raise ValueError(f"serverless cache {item.get('ServerlessCacheName')!r}: DataStorage unit {unit!r}")
    return ServerlessCache(
        name=item["ServerlessCacheName"],
        engine=_engine(str(item.get("Engine", ""))),
        major_engine_version=item.get("MajorEngineVersion", ""),
        status=item.get("Status", "unknown"),
        limits=UsageLimits(
            data_storage_max_gb=storage.get("Maximum"),
            data_storage_min_gb=storage.get("Minimum"),
            ecpu_per_second_max=ecpu.get("Maximum"),
            ecpu_per_second_min=ecpu.get("Minimum"),
        ),
    )
