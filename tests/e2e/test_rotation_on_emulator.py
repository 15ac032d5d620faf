"""Credential rotation on the deployed stack, against a real redis-server standing in for the cache."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.rotation_stack import RotationStack, logs_in, rotation_stack

pytestmark = pytest.mark.emulator

GRACE_SECONDS = 2
POLICY = {
    "mode": "act",
    "checkIntervalSeconds": 1,
    "actionTimeoutSeconds": 60,
    "rotation": {"gracePeriodSeconds": GRACE_SECONDS},
}
OLD_TOKEN = "old-token-" + "A" * 30


@pytest.fixture(scope="module")
def stack(built: Path) -> Iterator[RotationStack]:
    with rotation_stack() as deployed:
        yield deployed


@pytest.fixture
def group(stack: RotationStack) -> str:
    """A managed group with transit encryption and an AUTH token in use, its token in the stack's secret."""
    group_id = f"r{uuid.uuid4().hex[:10]}"
    stack.create_group(group_id, OLD_TOKEN)
    stack.store_secret(stack.secret_name(group_id), OLD_TOKEN)
    stack.set_policy(group_id, POLICY)
    stack.emulator.reset()
    return group_id


class Watcher:
    """Logs in with a fixed credential every 50 ms in the background: (time, logged in?)."""

    def __init__(self, port: int, password: str, username: str | None = None) -> None:
        self.samples: list[tuple[float, bool]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(port, password, username), daemon=True)
        self._thread.start()

    def _run(self, port: int, password: str, username: str | None) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), logs_in(port, password, username)))
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def during(self, start: float, end: float) -> list[bool]:
        return [ok for moment, ok in self.samples if start <= moment <= end]


def _state_times(stack: RotationStack, execution_arn: str) -> dict[str, tuple[float, float]]:
    """When each state was entered and exited (epoch seconds), from the execution history."""
    times: dict[str, list[float]] = {}
    for event in stack.history(execution_arn):
        stamp = event["timestamp"]
        moment = stamp.timestamp() if isinstance(stamp, datetime) else float(stamp)
        for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
            if key in event:
                times.setdefault(event[key]["name"], []).append(moment)
    return {name: (min(m), max(m)) for name, m in times.items()}


def test_auth_token_rotation_through_the_scaling_workflow(stack: RotationStack, group: str) -> None:
    # Given a client that uses the old token all along
    old_client = Watcher(stack.redis_port, OLD_TOKEN)
    # When an operator asks for a rotation from the console
    parent = stack.start_scaling({"cluster": group, "action": "rotate_auth_token", "dryRun": False})
    described = stack.wait(parent)
    old_client.stop()
    assert described["status"] == "SUCCEEDED", stack.history(parent)[-3:]
    (child,) = stack.rotation_executions_of(group)
    times = _state_times(stack, child)
    # Then the old token worked through ROTATE and the whole grace period, and stopped after SET
    grace_start, grace_end = times["WaitGrace"]
    assert grace_end - grace_start >= GRACE_SECONDS - 0.5
    assert all(old_client.during(times["Prepare"][0], grace_end))
    new_token = stack.current_secret(stack.secret_name(group))
    assert new_token != OLD_TOKEN
    assert logs_in(stack.redis_port, new_token)
    assert not logs_in(stack.redis_port, OLD_TOKEN)
    assert stack.token_calls(group) == ["ROTATE", "SET"]
    output = json.loads(stack.client("stepfunctions").describe_execution(executionArn=child)["output"])
    assert output["summary"] == "rotate_auth_token: AUTH token: verified"
