"""patch_latency: the emulator's fixed waits that AWS does not have are gone, and nothing else changed."""

from __future__ import annotations

import base64
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tools.emulator.control import Emulator
from tools.stack_driver import wait_for_execution


def _seconds(stamp: Any) -> float:
    return float(stamp.timestamp()) if isinstance(stamp, datetime) else float(stamp)


def test_the_first_state_follows_the_start_of_an_execution_at_once(
    functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    """ministack slept 0.15 s before the first state of every execution (``functions`` makes the role)."""
    sfn = client("stepfunctions")
    machine = sfn.create_state_machine(
        name="first-state-at-once",
        definition=json.dumps({"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::000000000000:role/emulator-test",
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
        lam.invoke(FunctionName=name, Payload=json.dumps({"module": "json"}).encode())["Payload"].read()
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def test_a_quiet_handler_is_answered_without_waiting_for_log_lines(
    functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    """ministack waited 50 ms for log lines after a handler that printed none (5 ms after one that did):
    a quiet handler's warm invoke took ~45 ms longer than a printing one's. Both now answer once the
    worker's end-of-invocation line arrives (the two medians are compared, so a loaded machine slows both)."""
    lam = client("lambda")
    _invoke_ms(lam, "importable", 2)  # warm
    _invoke_ms(lam, "record", 2)
    quiet = _invoke_ms(lam, "importable", 9)
    printing = _invoke_ms(lam, "record", 9)
    assert quiet - printing < 20, (quiet, printing)


def test_each_invocation_still_gets_its_own_log_lines(
    functions: dict[str, str], client: Callable[[str], Any], emu: Emulator
) -> None:
    lam = client("lambda")
    tails = []
    for n in range(3):
        answer = lam.invoke(FunctionName="record", Payload=json.dumps({"n": n}).encode(), LogType="Tail")
        assert json.loads(answer["Payload"].read()) == {"ok": True}
        tails.append(base64.b64decode(answer["LogResult"]).decode())
    for n, tail in enumerate(tails):
        assert [line for line in tail.splitlines() if line.startswith("EVENT ")] == [f'EVENT {{"n": {n}}}']
        assert "ecas-emulator-invocation-end" not in tail
