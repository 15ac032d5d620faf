"""The in-memory gateways make the same requests as the real adapters (tests/fakes/kinds.py)."""

from elasticache_autoscaler.adapters.change_call import ALREADY_THERE_RESULT
from elasticache_autoscaler.models.serverless import UsageLimits, serverless_cache_from
from tests.fakes.kinds import FakeMemcached, FakeServerless
from tests.unit.kinds.builders import cluster, serverless_item


def test_fake_memcached_records_the_absolute_request() -> None:
    fake = FakeMemcached(clusters={"web": cluster(3)})
    assert fake.set_node_count("web", 2) == "modify_cache_cluster"
    assert fake.requests[0].params == {
        "CacheClusterId": "web",
        "NumCacheNodes": 2,
        "ApplyImmediately": True,
        "CacheNodeIdsToRemove": ["0003"],
    }
    assert fake.set_node_count("web", 3) == ALREADY_THERE_RESULT


def test_fake_serverless_keeps_the_new_limits() -> None:
    fake = FakeServerless(caches={"sessions": serverless_cache_from(serverless_item())})
    target = UsageLimits(data_storage_max_gb=20, ecpu_per_second_max=9000)
    assert fake.set_usage_limits("sessions", target) == "modify_serverless_cache"
    assert fake.read_cache("sessions").limits == target
    assert fake.set_usage_limits("sessions", target) == ALREADY_THERE_RESULT
