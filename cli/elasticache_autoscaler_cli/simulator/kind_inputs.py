"""The cluster file of a Memcached cluster or a Serverless cache (the trace is the same CSV as a group's).

A cluster file with a ``kind`` is one of these; without one it is a replication group's (``inputs``)::

    {"kind": "memcached", "node_type": "cache.r7g.large", "nodes": 3, "engine_version": "1.6.22"}

    {"kind": "serverless", "engine": "valkey", "data_storage_max_gb": 10, "ecpu_per_second_max": 50000}

A Serverless cache's limits are its CacheUsageLimits at minute 0 (``data_storage_min_gb`` and
``ecpu_per_second_min`` too); a limit left out is not set. The trace's reads and writes are its commands
(an ECPU per command and KiB transferred), ``dataset_gib`` the data it holds, ``avg_item_bytes`` their size.
"""

import json
from typing import Annotated, Literal, Self

from pydantic import Field, TypeAdapter, model_validator

from elasticache_autoscaler.catalog import UnknownNodeTypeError, node_type
from elasticache_autoscaler.models.kind_policy import MEMCACHED_MAX_NODES
from elasticache_autoscaler.models.serverless import ServerlessEngine, UsageLimits
from elasticache_autoscaler_cli.simulator.inputs import StrictInput, parse_json


class MemcachedSpec(StrictInput):
    """The Memcached cluster the trace runs against, as it is at minute 0."""

    kind: Literal["memcached"]
    node_type: str
    nodes: int = Field(ge=1, le=MEMCACHED_MAX_NODES)
    engine_version: str = "1.6.22"

    @model_validator(mode="after")
    def _known_node_type(self) -> Self:
        try:
            node_type(self.node_type)
        except UnknownNodeTypeError as error:
            raise ValueError(str(error.args[0])) from None
        return self


class ServerlessSpec(StrictInput):
    """The Serverless cache the trace runs against: its engine and CacheUsageLimits at minute 0."""

    kind: Literal["serverless"]
    engine: ServerlessEngine
    data_storage_max_gb: int | None = Field(default=None, ge=1)
    data_storage_min_gb: int | None = Field(default=None, ge=1)
    ecpu_per_second_max: int | None = Field(default=None, ge=1)
    ecpu_per_second_min: int | None = Field(default=None, ge=1)

    @property
    def limits(self) -> UsageLimits:
        return UsageLimits(
            data_storage_max_gb=self.data_storage_max_gb,
            data_storage_min_gb=self.data_storage_min_gb,
            ecpu_per_second_max=self.ecpu_per_second_max,
            ecpu_per_second_min=self.ecpu_per_second_min,
        )


KindSpec = Annotated[MemcachedSpec | ServerlessSpec, Field(discriminator="kind")]
_KIND_SPEC: TypeAdapter[MemcachedSpec | ServerlessSpec] = TypeAdapter(KindSpec)


def kind_of(text: str) -> str | None:
    """The ``kind`` a cluster file names (None: a replication group's file, or not a JSON object)."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        return None
    kind = raw.get("kind") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else None


def parse_kind_cluster(text: str, source: str = "cluster") -> MemcachedSpec | ServerlessSpec:
    return parse_json(text, source, _KIND_SPEC.validate_python)
