"""Task states honour ``TimeoutSecondsPath`` (ministack reads only ``TimeoutSeconds``).

The workflow's approval gate waits on a task token for the policy's ``approvalTimeoutSeconds``, taken
from the state input with ``TimeoutSecondsPath``; without this patch the wait would default to 99,999 s.
Only plain ``$.a.b`` paths are resolved, which is all the project's state machines use.
"""

from __future__ import annotations

from typing import Any

from ministack.services import stepfunctions

_original_execute_task = stepfunctions._execute_task


def _resolve(path: str, data: Any) -> Any:
    value = data
    for part in path.removeprefix("$").strip(".").split("."):
        if not part:
            continue
        if not isinstance(value, dict) or part not in value:
            raise stepfunctions._ExecutionError(
                "States.Runtime", f"TimeoutSecondsPath {path} not found in input"
            )
        value = value[part]
    return value


def _execute_task(state_def: dict[str, Any], raw_input: Any, execution: Any, ctx: Any) -> Any:
    if "TimeoutSecondsPath" in state_def and "TimeoutSeconds" not in state_def:
        seconds = _resolve(state_def["TimeoutSecondsPath"], raw_input)
        state_def = {**state_def, "TimeoutSeconds": int(seconds)}
    return _original_execute_task(state_def, raw_input, execution, ctx)


def install() -> None:
    stepfunctions._execute_task = _execute_task
