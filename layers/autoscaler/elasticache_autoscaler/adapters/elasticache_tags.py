"""The tags of any ElastiCache resource: a replication group, a Memcached cluster, a Serverless cache."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient


def tags_of(client: "ElastiCacheClient", arn: str) -> dict[str, str]:
    """ListTagsForResource on the ARN the resource's Describe call reports, as a dict."""
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceName=arn).get("TagList", [])}
