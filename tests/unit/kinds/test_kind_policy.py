"""Per-kind policies: strict, secure defaults, and a field of another kind named as such."""

import pytest
from pydantic import ValidationError

from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy


def _error(model: type[MemcachedPolicy | ServerlessPolicy], data: dict[str, object]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


def test_defaults_observe_only() -> None:
    assert MemcachedPolicy().mode == "observe"
    assert ServerlessPolicy().mode == "observe"


def test_a_memcached_policy_reads_camel_case() -> None:
    policy = MemcachedPolicy.model_validate(
        {
            "mode": "act",
            "minNodes": 2,
            "maxNodes": 12,
            "targets": {"cpuPercent": 50, "memoryPercent": 70},
            "maxStep": {"nodes": 3},
            "scaleConfig": {"scalePercentage": 50, "scaleIntervalMinutes": 10},
            "nodeTypes": {"families": [{"family": "m7g", "maxSize": "2xlarge"}]},
        }
    )
    assert (policy.min_nodes, policy.max_nodes, policy.max_step.nodes) == (2, 12, 3)
    assert policy.targets.cpu_percent == 50
    assert policy.scale_config.scale_percentage == 50
    assert policy.node_types.allows("cache.m7g.xlarge")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("minShards", "minShards does not apply to a Memcached cluster"),
        ("maxReplicasPerShard", "maxReplicasPerShard does not apply to a Memcached cluster"),
        ("rotation", "rotation does not apply to a Memcached cluster"),
        ("budgetUsdPerMonth", "budgetUsdPerMonth does not apply to a Memcached cluster"),
        ("headroom_percent", "headroom_percent does not apply to a Memcached cluster"),
    ],
)
def test_a_field_of_another_kind_is_named_for_memcached(field: str, message: str) -> None:
    assert message in _error(MemcachedPolicy, {field: 1})


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("minNodes", "minNodes does not apply to a Serverless cache"),
        ("nodeTypes", "nodeTypes does not apply to a Serverless cache"),
        ("minShards", "minShards does not apply to a Serverless cache"),
        ("maxStep", "maxStep does not apply to a Serverless cache"),
    ],
)
def test_a_field_of_another_kind_is_named_for_serverless(field: str, message: str) -> None:
    assert message in _error(ServerlessPolicy, {field: 1})


def test_several_misplaced_fields_are_all_named() -> None:
    assert "maxShards, minShards does not apply" in _error(MemcachedPolicy, {"minShards": 1, "maxShards": 2})


def test_an_unknown_field_is_refused_by_name() -> None:
    assert "nodez" in _error(MemcachedPolicy, {"nodez": 3})
    assert "extra_forbidden" in _error(ServerlessPolicy, {"budget": 3})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minNodes": 5, "maxNodes": 4}, "minNodes must not exceed maxNodes"),
        ({"maxNodes": 41}, "less than or equal to 40"),
        ({"scaleConfig": {"scalePercentage": 5}}, "greater than or equal to 10"),
        ({"scaleConfig": {"scaleIntervalMinutes": 31}}, "less than or equal to 30"),
    ],
)
def test_memcached_bounds(data: dict[str, object], message: str) -> None:
    assert message in _error(MemcachedPolicy, data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"minDataStorageGb": 20, "maxDataStorageGb": 10},
            "minDataStorageGb must not exceed maxDataStorageGb",
        ),
        ({"minEcpuPerSecond": 9000, "maxEcpuPerSecond": 5000}, "minEcpuPerSecond must not exceed"),
        ({"lowerBelowPercent": 80, "raiseAtPercent": 75}, "lowerBelowPercent must be below raiseAtPercent"),
        ({"prewarmLeadSeconds": 1800}, "greater than or equal to 3600"),
        ({"budgetUsdPerMonth": 0}, "greater than 0"),
    ],
)
def test_serverless_bounds(data: dict[str, object], message: str) -> None:
    assert message in _error(ServerlessPolicy, data)
