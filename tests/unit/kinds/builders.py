"""Answers for the Memcached and Serverless tests: AWS's own published examples (botocore's ``elasticache``
``examples-1.json``) and a DescribeServerlessCaches item (botocore has no example of it: this one follows the
API reference's response syntax; the contract test has botocore validate it)."""

from datetime import UTC, datetime
from typing import Any, cast

import botocore.session

from elasticache_autoscaler.models.memcached import MemcachedCluster, memcached_cluster_from


def elasticache_example(operation: str, example_id: str, **input_fields: object) -> dict[str, Any]:
    """The ``output`` of the example of ``operation`` with this id whose input has ``input_fields``."""
    loader = botocore.session.get_session().get_component("data_loader")
    examples = loader.load_service_model("elasticache", "examples-1")["examples"][operation]
    for example in examples:
        wanted = example["id"] == example_id
        if wanted and all(example["input"].get(k) == v for k, v in input_fields.items()):
            return cast("dict[str, Any]", example["output"])
    raise LookupError(f"{operation} example {example_id} with {input_fields} not in botocore")


def serverless_item(**changes: Any) -> dict[str, Any]:
    return {
        "ServerlessCacheName": "sessions",
        "Description": "sessions cache",
        "Status": "available",
        "Engine": "valkey",
        "MajorEngineVersion": "8",
        "FullEngineVersion": "8.0",
        "CacheUsageLimits": {
            "DataStorage": {"Maximum": 10, "Minimum": 1, "Unit": "GB"},
            "ECPUPerSecond": {"Maximum": 5000, "Minimum": 1000},
        },
        "ARN": "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions",
        **changes,
    }


def memcached_in_zones(
    zones: list[str], version: str = "1.6.22", node_type: str = "cache.m7g.large"
) -> MemcachedCluster:
    """A cluster of one node per entry of ``zones``, node i created on day i (the last is the newest)."""
    return memcached_cluster_from(
        {
            "CacheClusterId": "my-mem-cluster",
            "Engine": "memcached",
            "EngineVersion": version,
            "CacheNodeType": node_type,
            "CacheClusterStatus": "available",
            "CacheNodes": [
                {
                    "CacheNodeId": f"{i:04d}",
                    "CacheNodeStatus": "available",
                    "CustomerAvailabilityZone": zone,
                    "CacheNodeCreateTime": datetime(2026, 1, i, tzinfo=UTC),
                }
                for i, zone in enumerate(zones, start=1)
            ],
        }
    )


def cluster(nodes: int, version: str = "1.6.22", status: str = "available") -> MemcachedCluster:
    return memcached_cluster_from(
        {
            "CacheClusterId": "web",
            "Engine": "memcached",
            "EngineVersion": version,
            "CacheNodeType": "cache.m7g.large",
            "CacheClusterStatus": status,
            "CacheNodes": [
                {
                    "CacheNodeId": f"{i:04d}",
                    "CacheNodeStatus": "available",
                    "CustomerAvailabilityZone": "us-east-1a",
                    "CacheNodeCreateTime": datetime(2026, 1, i, tzinfo=UTC),
                }
                for i in range(1, nodes + 1)
            ],
        }
    )
