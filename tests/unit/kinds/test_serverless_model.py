"""The Serverless cache model and its parser.

botocore's ``examples-1.json`` has no DescribeServerlessCaches example, so the answer below follows the
response syntax of the API reference (API_DescribeServerlessCaches / API_ServerlessCache); the contract test
(tests/integration/test_memcached_serverless_contract.py) has botocore validate the same shape.
"""

import pytest

from elasticache_autoscaler.models.serverless import UsageLimits, serverless_cache_from
from tests.unit.kinds.builders import serverless_item


def test_parses_limits_engine_and_status() -> None:
    cache = serverless_cache_from(serverless_item())
    assert cache.name == "sessions"
    assert cache.engine == "valkey"
    assert cache.major_engine_version == "8"
    assert cache.limits == UsageLimits(
        data_storage_max_gb=10, data_storage_min_gb=1, ecpu_per_second_max=5000, ecpu_per_second_min=1000
    )
    assert cache.not_quiescent_because() is None
    assert cache.limits.describe() == "data storage 1..10 GB, 1000..5000 ECPU/s"


def test_a_cache_without_limits_has_none() -> None:
    item = serverless_item()
    del item["CacheUsageLimits"]
    cache = serverless_cache_from(item)
    assert cache.limits == UsageLimits()
    assert cache.limits.describe() == "data storage -..unlimited GB, -..unlimited ECPU/s"


@pytest.mark.parametrize("status", ["creating", "modifying", "deleting", "create-failed"])
def test_only_available_is_quiescent(status: str) -> None:
    assert serverless_cache_from(serverless_item(Status=status)).not_quiescent_because() == (
        f"serverless cache is {status}"
    )


def test_engine_names_are_case_folded_and_unknown_ones_refused() -> None:
    assert serverless_cache_from(serverless_item(Engine="Redis")).engine == "redis"
    with pytest.raises(ValueError, match="unknown serverless cache engine"):
        serverless_cache_from(serverless_item(Engine="mongodb"))
