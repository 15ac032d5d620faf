"""Memcached clusters' and serverless caches' answers hold only what botocore's model defines (issue 14).

The same walk as test_conformance.py: each raw XML answer (captured before botocore's parser drops what
its model does not know) against the operation's output shape, recursively, for every call the emulator
serves for these two kinds of cache, in each state they pass through (creating nodes, nodes being
removed, a node type pending, deleting).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.test_conformance import Recorder, _summary, problems_of

pytestmark = pytest.mark.emulator


def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _memcached_calls(ec: Any) -> None:
    def available() -> bool:
        cluster = ec.describe_cache_clusters(CacheClusterId="conform-mc")["CacheClusters"][0]
        return bool(cluster["CacheClusterStatus"] == "available")

    arn = ec.create_cache_cluster(
        CacheClusterId="conform-mc",
        Engine="memcached",
        CacheNodeType="cache.r7g.large",
        NumCacheNodes=2,
        AZMode="cross-az",
        Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
    )["CacheCluster"]["ARN"]
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "team", "Value": "cache"}])
    ec.list_tags_for_resource(ResourceName=arn)
    ec.modify_cache_cluster(CacheClusterId="conform-mc", NumCacheNodes=3, ApplyImmediately=True)
    ec.describe_cache_clusters(CacheClusterId="conform-mc", ShowCacheNodeInfo=True)
    _until(available)
    ec.modify_cache_cluster(
        CacheClusterId="conform-mc",
        NumCacheNodes=1,
        CacheNodeIdsToRemove=["0001", "0003"],
        ApplyImmediately=True,
    )
    ec.describe_cache_clusters(CacheClusterId="conform-mc", ShowCacheNodeInfo=True)
    _until(available)
    ec.modify_cache_cluster(
        CacheClusterId="conform-mc",
        CacheNodeType="cache.r7g.xlarge",
        ScaleConfig={"ScalePercentage": 50, "ScaleIntervalMinutes": 1},
        ApplyImmediately=True,
    )
    ec.describe_cache_clusters(ShowCacheNodeInfo=True)
    _until(available)
    ec.modify_cache_cluster(CacheClusterId="conform-mc", NumCacheNodes=2, ApplyImmediately=False)
    ec.describe_cache_clusters(CacheClusterId="conform-mc")
    ec.delete_cache_cluster(CacheClusterId="conform-mc")


def _serverless_calls(ec: Any) -> None:
    def available() -> bool:
        cache = ec.describe_serverless_caches(ServerlessCacheName="conform-sl")["ServerlessCaches"][0]
        return bool(cache["Status"] == "available")

    arn = ec.create_serverless_cache(
        ServerlessCacheName="conform-sl",
        Engine="valkey",
        CacheUsageLimits={
            "DataStorage": {"Maximum": 10, "Minimum": 1, "Unit": "GB"},
            "ECPUPerSecond": {"Maximum": 5000, "Minimum": 1000},
        },
        Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
    )["ServerlessCache"]["ARN"]
    ec.list_tags_for_resource(ResourceName=arn)
    ec.modify_serverless_cache(
        ServerlessCacheName="conform-sl",
        CacheUsageLimits={"ECPUPerSecond": {"Maximum": 9000, "Minimum": 2000}},
    )
    ec.describe_serverless_caches(ServerlessCacheName="conform-sl")
    _until(available)
    ec.describe_serverless_caches()
    ec.delete_serverless_cache(ServerlessCacheName="conform-sl")
    ec.describe_serverless_caches(ServerlessCacheName="conform-sl")


@pytest.mark.parametrize(
    ("calls", "operations"),
    [
        (
            _memcached_calls,
            {
                "CreateCacheCluster",
                "DescribeCacheClusters",
                "ModifyCacheCluster",
                "DeleteCacheCluster",
                "AddTagsToResource",
                "ListTagsForResource",
            },
        ),
        (
            _serverless_calls,
            {
                "CreateServerlessCache",
                "DescribeServerlessCaches",
                "ModifyServerlessCache",
                "DeleteServerlessCache",
                "ListTagsForResource",
            },
        ),
    ],
    ids=["memcached", "serverless"],
)
def test_every_answer_has_only_model_members(
    client: Callable[[str], Any], calls: Callable[[Any], None], operations: set[str]
) -> None:
    ec = client("elasticache")
    recorder = Recorder(ec)

    calls(ec)

    assert {operation for operation, _, _ in recorder.answers} == operations
    problems = [p for op, body, parsed in recorder.answers for p in problems_of(op, body, parsed, False)]
    assert not problems, _summary(problems)
