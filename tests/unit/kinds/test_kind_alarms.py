"""The alarms a Memcached or Serverless policy implies: per node (Memcached) or per cache (Serverless), with
hand-worked thresholds, names that map back to the cache, and requests botocore's CloudWatch model accepts."""

import boto3
import pytest
from botocore.validate import validate_parameters

from elasticache_autoscaler.alarms import group_of_alarm
from elasticache_autoscaler.alarms_kinds import memcached_alarms, serverless_alarms
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.serverless import serverless_cache_from
from tests.unit.kinds.builders import cluster, serverless_item

PREFIX = "eca-"


def test_memcached_alarms_per_node_cpu_memory_evictions() -> None:
    alarms = memcached_alarms(cluster(2), MemcachedPolicy(), PREFIX)
    assert [a.name for a in alarms] == [
        "eca-web.0001.cpu",
        "eca-web.0001.memory",
        "eca-web.0001.evictions",
        "eca-web.0002.cpu",
        "eca-web.0002.memory",
        "eca-web.0002.evictions",
    ]
    cpu, memory, evictions = alarms[:3]
    # CPU 60 % x 1.1 = 66 %; memory 75 % x 1.1 = 82.5 % of m7g.large's 4.79 GiB = 4,243,159,253 bytes
    assert cpu.threshold == pytest.approx(66.0)
    assert memory.threshold == pytest.approx(4243159252.99, abs=0.01)
    assert (evictions.statistic, evictions.threshold, evictions.datapoints_to_alarm) == ("Sum", 0.0, 1)
    assert cpu.configuration()["Dimensions"] == [
        {"Name": "CacheClusterId", "Value": "web"},
        {"Name": "CacheNodeId", "Value": "0001"},
    ]
    assert (cpu.evaluation_periods, cpu.datapoints_to_alarm) == (3, 2)
    assert {group_of_alarm(PREFIX, a.name) for a in alarms} == {"web"}


def test_serverless_alarms_throttling_and_near_each_maximum() -> None:
    cache = serverless_cache_from(serverless_item())  # maximums 10 GB, 5000 ECPU/s
    alarms = {a.signal: a for a in serverless_alarms(cache, ServerlessPolicy(), PREFIX)}
    assert set(alarms) == {"throttled", "data-storage-near-max", "ecpu-near-max"}
    # 75 % of 10 GB = 7.5e9 bytes; 75 % of 5000 ECPU/s over a 60 s period = 225,000 ECPUs
    assert alarms["data-storage-near-max"].threshold == 7.5e9
    assert alarms["ecpu-near-max"].threshold == 225_000
    assert alarms["ecpu-near-max"].statistic == "Sum"
    assert alarms["throttled"].configuration()["Dimensions"] == [{"Name": "clusterId", "Value": "sessions"}]
    assert group_of_alarm(PREFIX, alarms["throttled"].name) == "sessions"


def test_a_serverless_cache_without_maximums_has_only_the_throttling_alarm() -> None:
    cache = serverless_cache_from(serverless_item(CacheUsageLimits={}))
    assert [a.signal for a in serverless_alarms(cache, ServerlessPolicy(), PREFIX)] == ["throttled"]


def test_every_request_is_valid_for_cloudwatch() -> None:
    model = boto3.client("cloudwatch", region_name="us-east-1").meta.service_model
    shape = model.operation_model("PutMetricAlarm").input_shape
    assert shape is not None
    cache = serverless_cache_from(serverless_item())
    alarms = (
        *memcached_alarms(cluster(1), MemcachedPolicy(), PREFIX),
        *serverless_alarms(cache, ServerlessPolicy(), PREFIX),
    )
    for alarm in alarms:
        validate_parameters(alarm.put_request("stack"), shape)
