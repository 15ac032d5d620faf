"""Issue 11, finding 2: the console edge is strict. pydantic's lax mode read ``"false"``, ``"no"``, ``"off"``,
``"0"`` and ``0`` as ``False`` for ``dryRun``: a console string changed a live group. Every operator field
now refuses a value of the wrong type, and the error names the field without echoing the value."""

from typing import Any

import pytest

from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.workflow.observe import parse_request


def test_finding2_dry_run_false_as_a_string_is_rejected_naming_dry_run() -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_request({"cluster": "demo-redis", "action": "scale_up", "dryRun": "false"})
    assert str(raised.value) == "invalid workflow input: dryRun: Input should be a valid boolean"


@pytest.mark.parametrize("value", ["false", "no", "off", "0", "n", "true", "yes", "1", 0, 1, 0.0, None, []])
def test_finding2_dry_run_accepts_only_a_json_boolean(value: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"dryRun: "):
        parse_request({"cluster": "demo-redis", "action": "scale_up", "dryRun": value})


@pytest.mark.parametrize("value", [True, False])
def test_a_json_boolean_dry_run_is_accepted(value: bool) -> None:
    assert parse_request({"cluster": "demo-redis", "dryRun": value}).dry_run is value


def test_dry_run_defaults_to_true() -> None:
    assert parse_request({"cluster": "demo-redis"}).dry_run is True


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        ({"cluster": "demo-redis", "action": "add_replicas", "target": "2"}, "target"),
        ({"cluster": "demo-redis", "action": "add_shards", "target": 2.0}, "target"),
        ({"cluster": "demo-redis", "action": "add_replicas", "target": True}, "target"),
        ({"cluster": "demo-redis", "action": "scale_up", "target": 7}, "target"),
        ({"cluster": 12345, "action": "evaluate"}, "cluster"),
        ({"cluster": "demo-redis", "action": 1}, "action"),
        ({"cluster": "demo-redis", "action": "SCALE_UP"}, "action"),
        ({"cluster": "demo-redis", "reason": 5}, "reason"),
        ({"cluster": "demo-redis", "trigger": 1}, "trigger"),
    ],
)
def test_every_operator_field_is_strict_and_named(request_: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^invalid workflow input: {field}[.:]"):
        parse_request(request_)


def test_a_well_typed_request_still_parses() -> None:
    request = parse_request(
        {"cluster": "demo-redis", "action": "add_replicas", "target": 2, "dryRun": False, "reason": "sale"}
    )
    assert (request.target, request.dry_run, request.reason) == (2, False, "sale")
    node_type = parse_request({"cluster": "demo-redis", "action": "scale_up", "target": "cache.r7g.large"})
    assert node_type.target == "cache.r7g.large"


def test_the_workflow_state_round_trips_through_json() -> None:
    """Later steps re-read the request from the workflow state (JSON): strict types must accept it."""
    request = parse_request({"cluster": "demo-redis", "action": "add_replicas", "target": 2, "dryRun": False})
    assert parse_request(request.to_wire()) == request
