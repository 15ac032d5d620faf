"""Serverless caches on the emulator: usage limits checked as AWS documents them, changes that take time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import CHANGE_SECONDS, elasticache_client_allowed
from tools.emulator.control import Emulator

pytestmark = pytest.mark.emulator

LIMITS: dict[str, Any] = {
    "DataStorage": {"Maximum": 10, "Minimum": 1, "Unit": "GB"},
    "ECPUPerSecond": {"Maximum": 5000, "Minimum": 1000},
}


def _cache(ec: Any, name: str) -> dict[str, Any]:
    found: dict[str, Any] = ec.describe_serverless_caches(ServerlessCacheName=name)["ServerlessCaches"][0]
    return found


def _wait_available(ec: Any, name: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cache = _cache(ec, name)
        if cache["Status"] == "available":
            return cache
        time.sleep(0.05)
    raise AssertionError(f"{name} still {cache['Status']}")


def _create(
    ec: Any, name: str, engine: str = "valkey", limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    cache: dict[str, Any] = ec.create_serverless_cache(
        ServerlessCacheName=name,
        Engine=engine,
        CacheUsageLimits=LIMITS if limits is None else limits,
        Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
    )["ServerlessCache"]
    return cache


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = exc.value.response["Error"]["Code"]
    return code


@pytest.fixture
def ec(client: Callable[[str], Any]) -> Any:
    return client("elasticache")


def test_a_limit_change_is_modifying_for_the_change_delay_and_busy_meanwhile(ec: Any) -> None:
    _create(ec, "sl-modify")
    raised = {"DataStorage": {"Maximum": 20, "Minimum": 5, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 9000}}

    modified = ec.modify_serverless_cache(ServerlessCacheName="sl-modify", CacheUsageLimits=raised)[
        "ServerlessCache"
    ]
    with pytest.raises(ClientError) as busy:
        ec.modify_serverless_cache(
            ServerlessCacheName="sl-modify", CacheUsageLimits={"ECPUPerSecond": {"Maximum": 10000}}
        )
    during = _cache(ec, "sl-modify")
    after = _wait_available(ec, "sl-modify")

    assert modified["Status"] == during["Status"] == "modifying"
    assert _code(busy) == "InvalidServerlessCacheStateFault"
    assert after["CacheUsageLimits"] == raised


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        ({"DataStorage": {"Maximum": 5001, "Unit": "GB"}}, "InvalidParameterValue"),
        ({"DataStorage": {"Minimum": 0, "Maximum": 10, "Unit": "GB"}}, "InvalidParameterValue"),
        ({"ECPUPerSecond": {"Maximum": 999}}, "InvalidParameterValue"),
        ({"ECPUPerSecond": {"Maximum": 15_000_001}}, "InvalidParameterValue"),
        ({"DataStorage": {"Minimum": 20, "Maximum": 10, "Unit": "GB"}}, "InvalidParameterCombination"),
        ({"ECPUPerSecond": {"Minimum": 6000, "Maximum": 5000}}, "InvalidParameterCombination"),
    ],
)
def test_limits_outside_aws_ranges_are_refused(ec: Any, limits: dict[str, Any], code: str) -> None:
    if "sl-ranges" not in _names(ec):  # one cache for every case (records outlive the emulator's reset)
        _create(ec, "sl-ranges")

    with pytest.raises(ClientError) as created:
        _create(ec, "sl-refused", limits=limits)
    with pytest.raises(ClientError) as modified:
        ec.modify_serverless_cache(ServerlessCacheName="sl-ranges", CacheUsageLimits=limits)

    assert (_code(created), _code(modified)) == (code, code)
    assert "sl-refused" not in _names(ec)


def _names(ec: Any) -> set[str]:
    return {c["ServerlessCacheName"] for c in ec.describe_serverless_caches()["ServerlessCaches"]}


def test_the_largest_documented_limits_are_accepted(ec: Any) -> None:
    widest = {
        "DataStorage": {"Minimum": 1, "Maximum": 5000, "Unit": "GB"},
        "ECPUPerSecond": {"Minimum": 1000, "Maximum": 15_000_000},
    }

    assert _create(ec, "sl-widest", limits=widest)["CacheUsageLimits"] == widest


def test_a_new_cache_is_creating_for_the_create_delay(emu: Emulator, ec: Any) -> None:
    emu.set_create_seconds(CHANGE_SECONDS)

    assert _create(ec, "sl-creating")["Status"] == "creating"
    with pytest.raises(ClientError) as busy:
        ec.modify_serverless_cache(ServerlessCacheName="sl-creating", CacheUsageLimits=LIMITS)
    assert _code(busy) == "InvalidServerlessCacheStateFault"
    assert _wait_available(ec, "sl-creating")["Status"] == "available"


def test_memcached_is_a_serverless_engine(ec: Any) -> None:
    cache = _create(ec, "sl-memcached", engine="memcached")

    assert (cache["Engine"], cache["MajorEngineVersion"]) == ("memcached", "1.6")


def test_delete_is_deleting_for_the_change_delay_then_gone(emu: Emulator, ec: Any) -> None:
    _create(ec, "sl-delete")
    ec.modify_serverless_cache(
        ServerlessCacheName="sl-delete", CacheUsageLimits={"ECPUPerSecond": {"Maximum": 6000}}
    )
    with pytest.raises(ClientError) as busy:
        ec.delete_serverless_cache(ServerlessCacheName="sl-delete")
    _wait_available(ec, "sl-delete")

    deleting = ec.delete_serverless_cache(ServerlessCacheName="sl-delete")["ServerlessCache"]
    still_listed = _cache(ec, "sl-delete")["Status"]
    time.sleep(CHANGE_SECONDS * 1.5)

    assert _code(busy) == "InvalidServerlessCacheStateFault"
    assert (deleting["Status"], still_listed) == ("deleting", "deleting")
    assert "sl-delete" not in _names(ec)


def test_a_stuck_cache_stays_modifying(emu: Emulator, ec: Any) -> None:
    _create(ec, "sl-stuck")
    emu.stick("sl-stuck")

    ec.modify_serverless_cache(
        ServerlessCacheName="sl-stuck", CacheUsageLimits={"ECPUPerSecond": {"Maximum": 7000}}
    )
    time.sleep(CHANGE_SECONDS * 2)

    assert _cache(ec, "sl-stuck")["Status"] == "modifying"


def test_a_tagged_cache_is_found_and_tagged_through_the_tagging_api(client: Callable[[str], Any]) -> None:
    ec, tagging = client("elasticache"), client("resourcegroupstaggingapi")
    arn = _create(ec, "sl-tagged")["ARN"]
    tagging.tag_resources(ResourceARNList=[arn], Tags={"team": "serverless-tag-test"})

    found = tagging.get_resources(
        TagFilters=[{"Key": "team", "Values": ["serverless-tag-test"]}],
        ResourceTypeFilters=["elasticache:serverlesscache"],
    )["ResourceTagMappingList"]
    clusters = tagging.get_resources(
        TagFilters=[{"Key": "team", "Values": ["serverless-tag-test"]}],
        ResourceTypeFilters=["elasticache:cluster"],
    )["ResourceTagMappingList"]

    assert arn.endswith(":serverlesscache:sl-tagged")
    assert [r["ResourceARN"] for r in found] == [arn]
    assert {t["Key"] for t in ec.list_tags_for_resource(ResourceName=arn)["TagList"]} == {
        "elasticache-autoscaler:managed",
        "team",
    }
    assert [r["ResourceARN"] for r in clusters if "sl-tagged" in r["ResourceARN"]] == []


def test_iam_decides_on_the_cache_arn_and_its_tags(emu: Emulator, ec: Any) -> None:
    managed = _create(ec, "sl-iam-managed")["ARN"]
    ec.create_serverless_cache(ServerlessCacheName="sl-iam-other", Engine="valkey")
    limited = elasticache_client_allowed(
        emu,
        {
            "Action": "elasticache:ModifyServerlessCache",
            "Resource": managed.rsplit(":", 1)[0] + ":sl-iam-*",
            "Condition": {"StringEquals": {"aws:ResourceTag/elasticache-autoscaler:managed": "true"}},
        },
    )

    def modify(name: str) -> str:
        try:
            limited.modify_serverless_cache(ServerlessCacheName=name, CacheUsageLimits=LIMITS)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    assert modify("sl-iam-managed") == "ok"
    assert modify("sl-iam-other") == "AccessDenied"
