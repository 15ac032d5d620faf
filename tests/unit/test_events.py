"""Every sample event in the repository is read and checked against the models the handlers use: ours in
events/ (what `sam local invoke` and the console examples send), and AWS's documented shapes in events/aws/
(copies of the samples AWS documents, so a plain checkout tests against them). Each folder must hold exactly
the files listed here: an empty folder, a missing file or a new unchecked one fails."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.models.alarm_event import AlarmStateChangeEvent, ScheduleInput
from elasticache_autoscaler.models.reconcile_event import (
    ExecutionSucceededEvent,
    ReconcileEvent,
    ReconcileTick,
)
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.workflow.observe import parse_request

EVENTS = Path(__file__).resolve().parents[2] / "events"
AWS_EVENTS = EVENTS / "aws"

Check = Callable[[dict[str, Any]], None]


def _our_alarm(event: dict[str, Any]) -> None:
    detail = parse(AlarmStateChangeEvent, event).detail
    assert detail.alarm_name.startswith("ecas-")
    assert detail.dimensions()["CacheClusterId"] == "orders-0001-002"


def _our_schedule(event: dict[str, Any]) -> None:
    parse(ScheduleInput, event)


def _console_request(event: dict[str, Any]) -> None:
    assert WorkflowRequest.model_validate(event).cluster == "orders"


def _console_malformed(event: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError, match="force: unknown field"):
        parse_request(event)
    fixed = {k: v for k, v in event.items() if k != "force"}
    with pytest.raises(InvalidInputError, match="target must be a whole number"):
        parse_request(fixed)


def _aws_alarm_state_change(event: dict[str, Any]) -> None:
    """What EventBridge delivers to OnAlarmFunction: it parses, naming the alarm and its state."""
    detail = parse(AlarmStateChangeEvent, event).detail
    assert detail.alarm_name == event["detail"]["alarmName"]
    assert detail.state.value == event["detail"]["state"]["value"]


def _not_an_alarm_state_change(event: dict[str, Any]) -> None:
    """A payload OnAlarmFunction is never subscribed to is rejected, not misread as an alarm."""
    with pytest.raises(InvalidInputError, match="invalid AlarmStateChangeEvent"):
        parse(AlarmStateChangeEvent, event)


def _direct_alarm_action(event: dict[str, Any]) -> None:
    """The payload of a CloudWatch alarm that invokes a Lambda directly (an alarm action): the alarms reach
    us through EventBridge instead, so this shape is rejected naming the EventBridge envelope's fields."""
    with pytest.raises(InvalidInputError, match="detail-type"):
        parse(AlarmStateChangeEvent, event)


def _not_our_schedule(event: dict[str, Any]) -> None:
    """A scheduler's or a rule's default payload is rejected: the schedule must send its explicit Input."""
    with pytest.raises(InvalidInputError, match="source"):
        parse(ScheduleInput, event)
    _not_an_alarm_state_change(event)


def _reconcile_tick(event: dict[str, Any]) -> None:
    assert isinstance(parse(ReconcileEvent, event).root, ReconcileTick)


def _execution_succeeded(event: dict[str, Any]) -> None:
    parsed = parse(ReconcileEvent, event).root
    assert isinstance(parsed, ExecutionSucceededEvent)
    assert parsed.detail.status == "SUCCEEDED"


OURS: dict[str, Check] = {
    "reconcile_tick.json": _reconcile_tick,
    "execution_succeeded.json": _execution_succeeded,
    "alarm_state_change.json": _our_alarm,
    "schedule_tick.json": _our_schedule,
    "console_evaluate.json": _console_request,
    "console_add_replicas.json": _console_request,
    "console_malformed.json": _console_malformed,
}
FROM_AWS: dict[str, Check] = {
    "eventbridge-alarm-state-change.json": _aws_alarm_state_change,
    "eventbridge-alarm-state-change-metric-math.json": _aws_alarm_state_change,
    "alarm-lambda-action.json": _direct_alarm_action,
    "alarm-lambda-action-composite.json": _direct_alarm_action,
    "eventbridge-scheduled-event.json": _not_our_schedule,
    "eventbridge-scheduler-default-payload.json": _not_our_schedule,
}


@pytest.mark.parametrize(("folder", "checks"), [(EVENTS, OURS), (AWS_EVENTS, FROM_AWS)], ids=["ours", "aws"])
def test_each_folder_holds_exactly_the_checked_samples(folder: Path, checks: dict[str, Check]) -> None:
    found = sorted(p.name for p in folder.glob("*.json"))
    assert found, f"no sample in {folder}"
    assert found == sorted(checks), (
        f"{folder}: unchecked {set(found) - set(checks)}, missing {set(checks) - set(found)}"
    )


@pytest.mark.parametrize(
    ("path", "check"),
    [(EVENTS / name, check) for name, check in OURS.items()]
    + [(AWS_EVENTS / name, check) for name, check in FROM_AWS.items()],
    ids=[*OURS, *(f"aws/{name}" for name in FROM_AWS)],
)
def test_every_sample_is_read_and_checked(path: Path, check: Check) -> None:
    event = json.loads(path.read_text())
    assert isinstance(event, dict), path
    check(event)


def test_the_default_scheduler_payload_without_a_detail_is_rejected_naming_source() -> None:
    with pytest.raises(ValueError, match="source"):
        ScheduleInput.model_validate({"version": "0", "detail": "{}"})
