"""Resource Groups Tagging API: the managed caches of the region (replication groups, Memcached clusters,
Serverless caches) in one paginated pass.

One ``GetResources`` page answers up to ``RESOURCES_PER_PAGE`` groups with their tags, where a listing
plus one ``ListTagsForResource`` per group took a call per group of the account (issue 13, part 4).
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.cache_kind import CacheKind

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_resourcegroupstaggingapi.type_defs import GetResourcesInputTypeDef

REPLICATION_GROUP_TYPE = "elasticache:replicationgroup"
RESOURCES_PER_PAGE = 100  # GetResources' maximum
KIND_OF_RESOURCE = {
    "replicationgroup": CacheKind.REPLICATION_GROUP,
    "cluster": CacheKind.MEMCACHED,
    "serverlesscache": CacheKind.SERVERLESS,
}
"""The ARN resource type of each kind of cache (``arn:aws:elasticache:<region>:<account>:<type>:<id>``).
A ``cluster`` is a Memcached cluster unless it is a replication group's member (``managed_cache_ids``)."""

ManagedCache = tuple[CacheKind, str]


class ManagedGroupsPort(Protocol):
    def managed_group_ids(self, tag_key: str) -> list[str]: ...
    def managed_caches(self, tag_key: str) -> list[ManagedCache]: ...


def get_resources_request(
    tag_key: str, token: str | None, types: tuple[str, ...] = (REPLICATION_GROUP_TYPE,)
) -> "GetResourcesInputTypeDef":
    """One page of the ``types`` (replication groups) carrying ``tag_key=true``; ``token`` from the
    previous page."""
    request: GetResourcesInputTypeDef = {
        "TagFilters": [{"Key": tag_key, "Values": ["true"]}],
        "ResourceTypeFilters": list(types),
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


def cache_of(arn: str) -> ManagedCache | None:
    """The kind and id of a cache's ARN; None for other ARNs."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[2] != "elasticache" or not parts[6]:
        return None
    kind = KIND_OF_RESOURCE.get(parts[5])
    return None if kind is None else (kind, parts[6])


MEMBER_SUFFIX = re.compile(r"-(?:\d{4}-)?\d{3}$")
"""How ElastiCache names a replication group's member clusters: ``<group>-001`` (cluster mode disabled),
``<group>-0001-001`` (shard, node)."""


def without_group_members(caches: list[ManagedCache]) -> list[ManagedCache]:
    """Drop the ``cluster`` ARNs that are a found replication group's members (``<group>-001``,
    ``<group>-0001-001``): a group's tags may be on its member clusters too, and they are no Memcached
    cluster. A Memcached cluster merely named after a group (``orders-sessions`` beside ``orders``) stays."""
    groups = {cache_id for kind, cache_id in caches if kind is CacheKind.REPLICATION_GROUP}
    return [
        (kind, cache_id)
        for kind, cache_id in caches
        if kind is not CacheKind.MEMCACHED or not _is_member_of(cache_id, groups)
    ]


def _is_member_of(cluster_id: str, groups: set[str]) -> bool:
    suffix = MEMBER_SUFFIX.search(cluster_id)
    return suffix is not None and cluster_id[: suffix.start()] in groups


class ResourceTagging:
    def __init__(self, client: "ResourceGroupsTaggingAPIClient | None" = None) -> None:
        self._client = client or aws.tagging()

    def managed_group_ids(self, tag_key: str) -> list[str]:
        """Every replication group tagged ``tag_key=true``, sorted, each once."""
        return sorted(self._tagged(tag_key, (REPLICATION_GROUP_TYPE,), group_id_of))

    def managed_caches(self, tag_key: str) -> list[ManagedCache]:
        """Every cache of every kind tagged ``tag_key=true`` (one pass over the three resource types),
        sorted by id, each once."""
        types = tuple(f"elasticache:{resource}" for resource in KIND_OF_RESOURCE)
        found = self._tagged(tag_key, types, cache_of)
        return without_group_members(sorted(found, key=lambda c: (c[1], c[0])))

    def _tagged[T](self, tag_key: str, types: tuple[str, ...], parse: Callable[[str], T | None]) -> set[T]:
        """What ``parse`` makes of the ARN of each resource of ``types`` tagged ``tag_key=true`` (None: not
        one of ours), over every page."""
        found: set[T] = set()
        token: str | None = None
        while True:
            page = self._client.get_resources(**get_resources_request(tag_key, token, types))
            for mapping in page.get("ResourceTagMappingList", []):
                parsed = parse(mapping.get("ResourceARN", ""))
                if parsed is not None:
                    found.add(parsed)
            token = page.get("PaginationToken")
            if not token:
                return found
