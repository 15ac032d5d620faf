"""The shipped sample events parse with the models the handlers use (and the malformed one does not)."""

import json
from pathlib import Path

import pytest

from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.models.alarm_event import AlarmStateChangeEvent, ScheduleInput
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.workflow.observe import parse_request

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _load(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((EVENTS / name).read_text())
    return loaded


def test_the_alarm_event_parses_and_names_its_member() -> None:
    event = AlarmStateChangeEvent.model_validate(_load("alarm_state_change.json"))
    assert event.detail.alarm_name.startswith("ecas-")
    assert event.detail.dimensions()["CacheClusterId"] == "orders-0001-002"


def test_every_reference_alarm_event_from_aws_parses() -> None:
    reference = Path(__file__).resolve().parents[3] / "shared" / "reference" / "events"
    for name in ("eventbridge-alarm-state-change.json", "eventbridge-alarm-state-change-metric-math.json"):
        if (reference / name).exists():
            AlarmStateChangeEvent.model_validate(json.loads((reference / name).read_text()))


def test_the_schedule_input_parses_and_the_default_scheduler_payload_does_not() -> None:
    ScheduleInput.model_validate(_load("schedule_tick.json"))
    with pytest.raises(ValueError, match="source"):
        ScheduleInput.model_validate({"version": "0", "detail": "{}"})


@pytest.mark.parametrize("name", ["console_evaluate.json", "console_add_replicas.json"])
def test_the_console_examples_are_valid(name: str) -> None:
    assert WorkflowRequest.model_validate(_load(name)).cluster == "orders"


def test_the_malformed_console_example_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidInputError, match="force: unknown field"):
        parse_request(_load("console_malformed.json"))
    fixed = {k: v for k, v in _load("console_malformed.json").items() if k != "force"}
    with pytest.raises(InvalidInputError, match="target must be a whole number"):
        parse_request(fixed)
