"""The kinds of cache the autoscaler manages. Each has one module in ``kinds/`` (the registry)."""

from enum import StrEnum


class CacheKind(StrEnum):
    REPLICATION_GROUP = "replication_group"
    MEMCACHED = "memcached"
    SERVERLESS = "serverless"
