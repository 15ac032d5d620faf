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


SCHEDULE = {"name": "peak", "cron": "0 14 * * *", "timeZone": "Europe/Paris", "durationMinutes": 120}
BASE_MINIMUMS = {"dataStorageGb": 1, "ecpuPerSecond": 1000}


def test_a_serverless_schedule_reads_its_minimums() -> None:
    policy = ServerlessPolicy.model_validate(
        {
            "baseMinimums": BASE_MINIMUMS,
            "schedules": [{**SCHEDULE, "minimums": {"dataStorageGb": 20, "ecpuPerSecond": 40_000}}],
        }
    )
    (schedule,) = policy.schedules
    assert (schedule.minimums.data_storage_gb, schedule.minimums.ecpu_per_second) == (20, 40_000)
    assert schedule.zone.key == "Europe/Paris"
    assert policy.base_minimums.ecpu_per_second == 1000


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        (
            {**SCHEDULE, "minShards": 4, "minimums": {"dataStorageGb": 2}},
            "schedule peak: minShards does not apply to a Serverless cache's schedule",
        ),
        (
            {**SCHEDULE, "minNodeType": "cache.r7g.large", "minimums": {"dataStorageGb": 2}},
            "minNodeType does not apply to a Serverless cache's schedule",
        ),
        ({**SCHEDULE, "minimums": {}}, "give at least one of minimums.dataStorageGb, minimums.ecpuPerSecond"),
        ({**SCHEDULE}, "minimums\n  Field required"),
        ({**SCHEDULE, "minimums": {"dataStorageGb": 2, "ecpu": 5}}, "minimums.ecpu\n  Extra inputs"),
        (
            {**SCHEDULE, "minimums": {"dataStorageGb": 200}},
            "schedule peak: minimums.dataStorageGb 200 exceeds maxDataStorageGb 100",
        ),
        (
            {**SCHEDULE, "minimums": {"ecpuPerSecond": 1000}},
            "schedule peak: minimums.ecpuPerSecond 1000 is not above baseMinimums.ecpuPerSecond 1000",
        ),
        ({**SCHEDULE, "cron": "0 25 * * *", "minimums": {"dataStorageGb": 2}}, "schedule peak: "),
        (
            {**SCHEDULE, "timeZone": "Mars/Olympus", "minimums": {"dataStorageGb": 2}},
            "schedule peak: ",
        ),
    ],
)
def test_a_bad_serverless_schedule_is_named(schedule: dict[str, object], message: str) -> None:
    assert message in _error(ServerlessPolicy, {"baseMinimums": BASE_MINIMUMS, "schedules": [schedule]})


def test_a_scheduled_minimum_needs_a_base_to_go_back_to() -> None:
    message = _error(ServerlessPolicy, {"schedules": [{**SCHEDULE, "minimums": {"dataStorageGb": 20}}]})
    assert "minimums.dataStorageGb needs baseMinimums.dataStorageGb" in message


def test_serverless_schedules_need_names_of_their_own() -> None:
    twice = [{**SCHEDULE, "minimums": {"dataStorageGb": 2}}] * 2
    message = _error(ServerlessPolicy, {"baseMinimums": BASE_MINIMUMS, "schedules": twice})
    assert "every schedule needs a name of its own" in message


def test_a_base_minimum_above_the_bound_is_refused() -> None:
    message = _error(ServerlessPolicy, {"baseMinimums": {"ecpuPerSecond": 200_000}})
    assert "baseMinimums.ecpuPerSecond 200000 exceeds maxEcpuPerSecond 100000" in message


@pytest.mark.parametrize("field", ["schedules", "baseMinimums"])
def test_serverless_schedule_fields_do_not_apply_to_memcached(field: str) -> None:
    assert f"{field} does not apply to a Memcached cluster" in _error(MemcachedPolicy, {field: []})


def test_the_serverless_forecast_is_off_by_default_and_reads_its_switch() -> None:
    assert not ServerlessPolicy().forecast.load_history
    policy = ServerlessPolicy.model_validate(
        {"baseMinimums": {"ecpuPerSecond": 1000}, "forecast": {"loadHistory": True}, "mode": "forecast"}
    )
    assert policy.forecast.load_history and policy.mode == "forecast"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"forecast": {"loadHistory": True, "horizonMinutes": 60}},
            "forecast.horizonMinutes\n  Extra inputs",
        ),
        (
            {"forecast": {"loadHistory": "sometimes"}},
            "forecast.loadHistory\n  Input should be a valid boolean",
        ),
        (
            {"forecast": {"loadHistory": True}},
            "forecast.loadHistory needs baseMinimums.dataStorageGb or baseMinimums.ecpuPerSecond",
        ),
        (
            {"forecast": {"loadHistory": True}, "baseMinimums": BASE_MINIMUMS, "prewarmLeadSeconds": 86_400},
            "forecast.loadHistory: prewarmLeadSeconds 86400 is beyond what a forecast reaches (82800)",
        ),
    ],
)
def test_a_bad_serverless_forecast_is_named(data: dict[str, object], message: str) -> None:
    assert message in _error(ServerlessPolicy, data)


def test_a_long_lead_is_fine_without_the_forecast() -> None:
    assert ServerlessPolicy.model_validate({"prewarmLeadSeconds": 86_400}).prewarm_lead_seconds == 86_400
