"""Given a region's replication groups behind the Resource Groups Tagging API (botocore Stubber, exact
requests), When a schedule tick discovers its groups, Then one paginated GetResources pass filtered on the
managed tag finds them all, and each is started once for the bucket."""

from typing import TYPE_CHECKING

import pytest
from botocore.stub import Stubber

from elasticache_autoscaler.adapters.tagging import ResourceTagging, group_id_of
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.workflow.triggers import start_for_schedule
from tests.fakes.adapters import FakeStarter
from tests.fakes.stubbed import offline_tagging
from tests.unit.workflow.conftest import NOW

if TYPE_CHECKING:
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

TAG = "elasticache-autoscaler:managed"
FILTERS = {
    "TagFilters": [{"Key": TAG, "Values": ["true"]}],
    "ResourceTypeFilters": ["elasticache:replicationgroup"],
    "ResourcesPerPage": 100,
}
EVERY_KIND = {
    **FILTERS,
    "ResourceTypeFilters": [
        "elasticache:replicationgroup",
        "elasticache:cluster",
        "elasticache:serverlesscache",
    ],
}
"""The schedule tick's one pass: the managed caches of every kind."""


def _arn(group: str) -> str:
    return f"arn:aws:elasticache:us-east-1:123456789012:replicationgroup:{group}"


def _page(groups: list[str], token: str = "") -> dict[str, object]:
    mappings = [{"ResourceARN": _arn(g), "Tags": [{"Key": TAG, "Value": "true"}]} for g in groups]
    return {"ResourceTagMappingList": mappings, "PaginationToken": token}


@pytest.fixture
def client() -> "ResourceGroupsTaggingAPIClient":
    return offline_tagging()


def test_every_page_is_read_with_the_same_filters_and_the_previous_token(
    client: "ResourceGroupsTaggingAPIClient", stub: Stubber
) -> None:
    stub.add_response("get_resources", _page(["orders", "billing"], token="page-2"), FILTERS)
    stub.add_response(
        "get_resources", _page(["sessions"], token="page-3"), {**FILTERS, "PaginationToken": "page-2"}
    )
    stub.add_response("get_resources", _page([]), {**FILTERS, "PaginationToken": "page-3"})

    assert ResourceTagging(client).managed_group_ids(TAG) == ["billing", "orders", "sessions"]


def test_an_arn_that_is_not_a_replication_group_is_left_out(
    client: "ResourceGroupsTaggingAPIClient", stub: Stubber
) -> None:
    page = _page(["orders"])
    page["ResourceTagMappingList"] = [
        *page["ResourceTagMappingList"],  # type: ignore[misc]
        {"ResourceARN": "arn:aws:elasticache:us-east-1:123456789012:cluster:orders-001", "Tags": []},
    ]
    stub.add_response("get_resources", page, FILTERS)
    assert ResourceTagging(client).managed_group_ids(TAG) == ["orders"]


@pytest.mark.parametrize(
    ("arn", "group"),
    [
        (_arn("orders"), "orders"),
        ("arn:aws:elasticache:us-east-1:123456789012:cluster:orders-001", None),
        ("arn:aws:s3:::replicationgroup:orders", None),
        ("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:", None),
    ],
)
def test_group_id_of(arn: str, group: str | None) -> None:
    assert group_id_of(arn) == group


def test_a_tick_starts_each_group_found_once_per_bucket_from_one_pass(
    client: "ResourceGroupsTaggingAPIClient", stub: Stubber
) -> None:
    groups = [f"g{i:03d}" for i in range(250)]
    stub.add_response("get_resources", _page(groups[:100], token="p2"), EVERY_KIND)
    stub.add_response(
        "get_resources", _page(groups[100:200], token="p3"), {**EVERY_KIND, "PaginationToken": "p2"}
    )
    stub.add_response("get_resources", _page(groups[200:]), {**EVERY_KIND, "PaginationToken": "p3"})
    starter = FakeStarter()

    tick = start_for_schedule(NOW, ResourceTagging(client), starter, TAG, bucket_minutes=5)

    assert sorted(r.cluster for r in starter.started.values()) == groups
    assert sorted(starter.started) == sorted(f"schedule-{g}-{int(NOW.timestamp()) // 300}" for g in groups)
    assert (tick.groups, len(tick.started), tick.ignored, tick.failed) == (250, 250, (), ())


def test_one_pass_finds_every_kind_and_skips_a_groups_member_clusters(
    client: "ResourceGroupsTaggingAPIClient", stub: Stubber
) -> None:
    prefix = "arn:aws:elasticache:us-east-1:123456789012"
    arns = [
        "replicationgroup:orders",
        "cluster:orders-0001-001",
        "cluster:sessions-mc",
        "serverlesscache:carts",
    ]
    page = {
        "ResourceTagMappingList": [
            {"ResourceARN": f"{prefix}:{arn}", "Tags": [{"Key": TAG, "Value": "true"}]} for arn in arns
        ]
    }
    stub.add_response("get_resources", page, EVERY_KIND)

    assert ResourceTagging(client).managed_caches(TAG) == [
        (CacheKind.SERVERLESS, "carts"),
        (CacheKind.REPLICATION_GROUP, "orders"),
        (CacheKind.MEMCACHED, "sessions-mc"),
    ]
