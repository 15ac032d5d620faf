"""A policy's ``schedules`` are validated strictly, with errors that say which schedule and what is wrong."""

from typing import Any

import pytest
from pydantic import ValidationError

from elasticache_autoscaler.models.policy import Policy

GOOD: dict[str, Any] = {
    "name": "business-hours",
    "cron": "0 8 * * MON-FRI",
    "timeZone": "Europe/Paris",
    "durationMinutes": 600,
    "minShards": 4,
}


def _policy(*schedules: dict[str, Any], **fields: Any) -> Policy:
    return Policy.model_validate({"schedules": list(schedules), **fields})


def test_the_docstring_example_validates() -> None:
    policy = _policy(
        GOOD,
        {
            "name": "black-friday",
            "cron": "0 0 27 11 *",
            "timeZone": "America/New_York",
            "durationMinutes": 4320,
            "minNodeType": "cache.r7g.2xlarge",
            "startTime": "2026-11-01T00:00:00Z",
            "endTime": "2026-12-01T00:00:00Z",
        },
        mode="forecast",
    )

    assert [s.name for s in policy.schedules] == ["business-hours", "black-friday"]
    assert policy.mode == "forecast"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cron": "0 8 * * MON-FRI *"}, "has 6 field(s); expected 5"),
        ({"cron": "0 25 * * *"}, "hour: 25 is outside 0-23"),
        ({"timeZone": "Europe/Atlantis"}, "'Europe/Atlantis' is not an IANA time zone name"),
        (
            {"startTime": "2026-06-01T00:00:00Z", "endTime": "2026-05-01T00:00:00Z"},
            "endTime must be after startTime",
        ),
        ({"startTime": "2026-06-01T00:00:00"}, "timezone info"),
        ({"minShards": None}, "give at least one of minShards, minReplicasPerShard, minNodeType"),
        ({"minNodeType": "cache.r9z.huge"}, "minNodeType cache.r9z.huge is not in the node type catalog"),
        ({"minShards": 11}, "minShards 11 exceeds maxShards"),
        ({"minReplicasPerShard": 4, "minShards": None}, "minReplicasPerShard 4 exceeds maxReplicasPerShard"),
        ({"durationMinutes": 0}, "greater than or equal to 1"),
        ({"name": "has space"}, "should match pattern"),
        ({"minimumShards": 2}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_clear_error(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as error:
        _policy(GOOD | change, maxReplicasPerShard=3)

    assert message in str(error.value)


def test_a_minimum_node_type_must_be_one_the_policy_allows() -> None:
    with pytest.raises(ValidationError, match=r"minNodeType cache\.m7g\.xlarge is not allowed by nodeTypes"):
        _policy(GOOD | {"minNodeType": "cache.m7g.xlarge"}, nodeTypes={"families": [{"family": "r7g"}]})


def test_two_schedules_with_one_name_are_refused() -> None:
    with pytest.raises(ValidationError, match="every schedule needs a name of its own"):
        _policy(GOOD, GOOD | {"cron": "0 9 * * SAT"})


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="'observe', 'act' or 'forecast'"):
        _policy(mode="predict")
