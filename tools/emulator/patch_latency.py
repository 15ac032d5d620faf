"""Two fixed waits ministack adds to every workflow and AWS does not have (issue 15's alarm -> first call).

* **Step Functions start**: ministack's execution thread sleeps 0.15 s before its first state
  (``stepfunctions._run_execution``); on AWS the first state follows StartExecution at once. The sleep is
  taken out of that function's code (the function object stays the same, so ``patch_fleet``'s wrapper,
  which holds it, runs the patched code too).
* **A warm Python Lambda's answer**: after the handler returned, ministack waited for the invocation's log
  lines on stderr until none came for 5 ms, or 50 ms when the handler printed nothing, before answering
  (``Worker._drain_stderr_bounded``). On AWS the answer never waits for the logs. The worker now writes an
  end-of-invocation line (with the request id) to stderr before its answer, and the invoker takes the log
  lines up to that line: the same lines, no idle wait. Other runtimes keep ministack's drain.
"""

from __future__ import annotations

import inspect
import queue
import time
import types
from typing import Any

from ministack.core import lambda_runtime
from ministack.services import stepfunctions

START_SLEEP = "    time.sleep(0.15)\n"

END_MARKER = "\x1eecas-emulator-invocation-end "
"""Starts the line the worker writes to stderr after each invocation (then the request id)."""
_ANSWER_FLUSH = "        _real_stdout.flush()\n\nrun()\n"
_ANSWER_FLUSH_AFTER_END = (
    f'        sys.stderr.write({END_MARKER!r} + _ms_ctx.get("request_id", "") + "\\n")\n'
    "        sys.stderr.flush()\n" + _ANSWER_FLUSH
)
LOG_WAIT_CAP_SECONDS = 0.25
"""At most this long for the end line (ministack's own cap); past it, the lines that came."""

_original_drain = lambda_runtime.Worker._drain_stderr_bounded
_run_execution = stepfunctions._run_execution  # ministack's (launch imports every patch before installing)
_wrapped_invoke: list[Any] = []  # the Worker.invoke this patch wraps (patch_lambda's, installed before)


def _without_start_sleep(function: types.FunctionType) -> types.CodeType:
    """``function``'s code compiled again without the start sleep, at its own line numbers."""
    lines, first = inspect.getsourcelines(function)
    source = "".join(lines)
    if source.count(START_SLEEP) != 1:
        raise RuntimeError("ministack's _run_execution changed: update tools/emulator/patch_latency.py")
    padded = "\n" * (first - 1) + source.replace(START_SLEEP, "", 1)
    module = compile(padded, inspect.getfile(function), "exec")
    return next(
        c for c in module.co_consts if isinstance(c, types.CodeType) and c.co_name == function.__name__
    )


def _writes_end_line(worker: Any) -> bool:
    return type(worker) is lambda_runtime.Worker and str(worker.config.get("Runtime", "")).startswith(
        "python"
    )


def _invoke(self: Any, event: Any, request_id: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    self._ecas_request_id = request_id  # read by _drain (same worker, under the worker's own lock)
    response: dict[str, Any] = _wrapped_invoke[0](self, event, request_id, *args, **kwargs)
    return response


def _drain(
    self: Any, first_line_wait: float = 0.050, idle_confirm: float = 0.005, hard_cap: float = 0.250
) -> str:
    """This invocation's log lines: up to its end line (another invocation's late end line is dropped)."""
    if not _writes_end_line(self):
        return str(_original_drain(self, first_line_wait, idle_confirm, hard_cap))
    end = END_MARKER + str(getattr(self, "_ecas_request_id", ""))
    lines: list[str] = []
    deadline = time.monotonic() + LOG_WAIT_CAP_SECONDS
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = self._stderr_queue.get(timeout=remaining)
        except queue.Empty:
            break
        if line == end:
            break
        if not line.startswith(END_MARKER):
            lines.append(line)
    return "\n".join(lines)


def install() -> None:
    _run_execution.__code__ = _without_start_sleep(_run_execution)
    script = lambda_runtime._PYTHON_WORKER_SCRIPT
    if script.count(_ANSWER_FLUSH) != 1:
        raise RuntimeError("ministack's Python worker script changed: update tools/emulator/patch_latency.py")
    lambda_runtime._PYTHON_WORKER_SCRIPT = script.replace(_ANSWER_FLUSH, _ANSWER_FLUSH_AFTER_END)
    _wrapped_invoke[:] = [lambda_runtime.Worker.invoke]
    lambda_runtime.Worker.invoke = _invoke
    lambda_runtime.Worker._drain_stderr_bounded = _drain
