"""The two ElastiCache clients of an adapter that reads a cache and changes it (Memcached, Serverless)."""

from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters import aws

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient


class ElastiCacheClients:
    """``_client`` reads; ``_changes`` makes the mutating calls and never re-sends one (``aws.CHANGES``).
    A given client (botocore's Stubber in the contract tests, the operator CLI's) serves both."""

    def __init__(self, client: "ElastiCacheClient | None" = None) -> None:
        self._client = client or aws.elasticache()
        self._changes = client or aws.elasticache_changes()
