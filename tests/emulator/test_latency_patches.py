"""patch_latency: the emulator's fixed waits that AWS does not have are gone, and nothing else changed."""

from __future__ import annotations

import base64
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from tools.emulator.control import Emulator
from tools.stack_driver import create_lambda_role, create_python_function, wait_for_execution

HANDLERS = """
import json


def quiet(event, context):
    return {"ok": True}


def printing(event, context):
    print("EVENT " + json.dumps(event))
    return {"ok": True}
"""


@pytest.fixture(scope="module")
def role(emulator: Emulator) -> str:
    """A role for this module's functions and state machine (their own: the shared ``record`` function's
    log group is read by test_alarm_events)."""
    return create_lambda_role(emulator, "latency-patch-test")


@pytest.fixture(scope="module")
def own_functions(emulator: Emulator, role: str) -> dict[str, str]:
    return {
        name: create_python_function(emulator, f"latency-{name}", HANDLERS, f"app.{name}", role_arn=role)
        for name in ("quiet", "printing")
    }


def _seconds(stamp: Any) -> float:
    return float(stamp.timestamp()) if isinstance(stamp, datetime) else float(stamp)


def test_the_first_state_follows_the_start_of_an_execution_at_once(
    role: str, client: Callable[[str], Any]
) -> None:
    """ministack slept 0.15 s before the first state of every execution."""
    sfn = client("stepfunctions")
    machine = sfn.create_state_machine(
        name="first-state-at-once",
        definition=json.dumps({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}),
        roleArn=role,
    )["stateMachineArn"]
    gaps = []
    for _ in range(3):
        execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        assert wait_for_execution(sfn, execution, timeout=20)["status"] == "SUCCEEDED"
        events = sfn.get_execution_history(executionArn=execution)["events"]
        started = next(e for e in events if e["type"] == "ExecutionStarted")
        entered = next(e for e in events if e["type"] == "PassStateEntered")
        gaps.append(_seconds(entered["timestamp"]) - _seconds(started["timestamp"]))
    assert min(gaps) < 0.1, gaps


def _invoke_ms(lam: Any, name: str, runs: int) -> float:
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def test_a_quiet_handler_is_answered_without_waiting_for_log_lines(
    own_functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    """ministack waited 50 ms for log lines after a handler that printed none (5 ms after one that did):
    a quiet handler's warm invoke took ~45 ms longer than a printing one's. Both now answer once the
    worker's end-of-invocation line arrives (the two medians are compared, so a loaded machine slows both)."""
    lam = client("lambda")
    _invoke_ms(lam, "latency-quiet", 2)  # warm
    _invoke_ms(lam, "latency-printing", 2)
    quiet = _invoke_ms(lam, "latency-quiet", 9)
    printing = _invoke_ms(lam, "latency-printing", 9)
    assert quiet - printing < 20, (quiet, printing)


def test_each_invocation_still_gets_its_own_log_lines(
    own_functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    lam = client("lambda")
    tails = []
    for n in range(3):
        answer = lam.invoke(
            FunctionName="latency-printing", Payload=json.dumps({"n": n}).encode(), LogType="Tail"
        )
        assert json.loads(answer["Payload"].read()) == {"ok": True}
        tails.append(base64.b64decode(answer["LogResult"]).decode())
    for n, tail in enumerate(tails):
        assert [line for line in tail.splitlines() if line.startswith("EVENT ")] == [f'EVENT {{"n": {n}}}']
        assert "ecas-emulator-invocation-end" not in tail
