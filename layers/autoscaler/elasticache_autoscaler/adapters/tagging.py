"""Resource Groups Tagging API: the managed replication groups of the region in one paginated pass.

One ``GetResources`` page answers up to ``RESOURCES_PER_PAGE`` groups with their tags, where a listing
plus one ``ListTagsForResource`` per group took a call per group of the account (issue 13, part 4).
"""

from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_resourcegroupstaggingapi.type_defs import GetResourcesInputTypeDef

REPLICATION_GROUP_TYPE = "elasticache:replicationgroup"
RESOURCES_PER_PAGE = 100  # GetResources' maximum


class ManagedGroupsPort(Protocol):
    def managed_group_ids(self, tag_key: str) -> list[str]: ...


def get_resources_request(tag_key: str, token: str | None) -> "GetResourcesInputTypeDef":
    """One page of the replication groups carrying ``tag_key=true``; ``token`` from the previous page."""
    request: GetResourcesInputTypeDef = {
        "TagFilters": [{"Key": tag_key, "Values": ["true"]}],
        "ResourceTypeFilters": [REPLICATION_GROUP_TYPE],
        "ResourcesPerPage": RESOURCES_PER_PAGE,
    }
    if token:
        request["PaginationToken"] = token
    return request


def group_id_of(arn: str) -> str | None:
    """``arn:aws:elasticache:<region>:<account>:replicationgroup:<id>`` -> ``<id>``; None for other ARNs."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[2] != "elasticache" or parts[5] != "replicationgroup" or not parts[6]:
        return None
    return parts[6]


class ResourceTagging:
    def __init__(self, client: "ResourceGroupsTaggingAPIClient | None" = None) -> None:
        self._client = client or aws.tagging()

    def managed_group_ids(self, tag_key: str) -> list[str]:
        """Every replication group tagged ``tag_key=true``, sorted, each once."""
        ids: set[str] = set()
        token: str | None = None
        while True:
            page = self._client.get_resources(**get_resources_request(tag_key, token))
            for mapping in page.get("ResourceTagMappingList", []):
                group_id = group_id_of(mapping.get("ResourceARN", ""))
                if group_id is not None:
                    ids.add(group_id)
            token = page.get("PaginationToken")
            if not token:
                return sorted(ids)
