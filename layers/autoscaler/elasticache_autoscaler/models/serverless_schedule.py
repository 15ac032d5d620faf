"""A Serverless cache's scheduled window (``schedules`` of its policy): the CacheUsageLimits *minimums* to
hold from ``prewarmLeadSeconds`` before each window starts until it ends (pre-warming: AWS applies a raised
minimum within 60 minutes), then the policy's ``baseMinimums`` again (``engine.serverless_schedules``).

Example::

    {"name": "black-friday", "cron": "0 8 27 11 *", "timeZone": "America/New_York",
     "durationMinutes": 720, "minimums": {"dataStorageGb": 20, "ecpuPerSecond": 50000}}

A replication group's capacity fields (``minShards``, ``minReplicasPerShard``, ``minNodeType``) are refused by
name: they mean nothing to a Serverless cache, and a policy copied from a group must fail loudly.
"""

from typing import Any, Self

from pydantic import Field, model_validator

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.schedule import ScheduleWindow

_GROUP_FIELDS = {
    "minShards": "min_shards",
    "minReplicasPerShard": "min_replicas_per_shard",
    "minNodeType": "min_node_type",
}


class Minimums(WireModel):
    """CacheUsageLimits minimums: ``DataStorage.Minimum`` (GB) and ``ECPUPerSecond.Minimum``, in the ranges
    AWS documents for the limits (1-5,000 GB, 1,000-15,000,000 ECPU/s). None: not set (in ``baseMinimums``:
    the autoscaler leaves that minimum alone)."""

    data_storage_gb: int | None = Field(default=None, ge=1, le=5000)
    ecpu_per_second: int | None = Field(default=None, ge=1000, le=15_000_000)

    def describe(self) -> str:
        parts = []
        if self.data_storage_gb is not None:
            parts.append(f"data storage >= {self.data_storage_gb} GB")
        if self.ecpu_per_second is not None:
            parts.append(f">= {self.ecpu_per_second} ECPU/s")
        return ", ".join(parts) or "no minimum"


class ServerlessSchedule(ScheduleWindow):
    minimums: Minimums

    @model_validator(mode="before")
    @classmethod
    def _no_group_capacity(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        misplaced = sorted(str(key) for key in data if key in _GROUP_FIELDS or key in _GROUP_FIELDS.values())
        if misplaced:
            raise ValueError(
                f"schedule {data.get('name', '?')}: {', '.join(misplaced)} does not apply to a Serverless "
                "cache's schedule (it holds minimums.dataStorageGb and minimums.ecpuPerSecond)"
            )
        return data

    @model_validator(mode="after")
    def _holds_a_minimum(self) -> Self:
        if self.minimums.data_storage_gb is None and self.minimums.ecpu_per_second is None:
            raise ValueError(
                f"schedule {self.name}: give at least one of minimums.dataStorageGb, minimums.ecpuPerSecond"
            )
        return self
