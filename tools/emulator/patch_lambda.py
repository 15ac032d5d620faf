"""A Python Lambda's exception surfaces with its class name as ``errorType``, as on AWS.

ministack's warm Python worker reports only ``str(e)`` and the invoker labels every failure
``Runtime.HandlerError``, so Step Functions Catch/Retry on a function's own error names never
match. The worker script is amended to send ``type(e).__name__`` and the invoker result is
corrected with it (timeouts and runtime failures keep ministack's own error types).
"""

from __future__ import annotations

import threading
from typing import Any

from ministack.core import lambda_runtime
from ministack.services import lambda_svc

_ERROR_LINE = '{"status": "error", "error": str(e), "trace": traceback.format_exc()}'
_ERROR_LINE_TYPED = (
    '{"status": "error", "error": str(e), "errorType": type(e).__name__, "trace": traceback.format_exc()}'
)
_last = threading.local()
_original_invoke = lambda_runtime.Worker.invoke
_original_execute_warm = lambda_svc._execute_function_warm


def _invoke(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = _original_invoke(self, *args, **kwargs)
    _last.error_type = response.get("errorType") if response.get("status") == "error" else None
    return response


def _execute_warm(func: dict[str, Any], event: Any, request_id: str) -> dict[str, Any]:
    _last.error_type = None
    result: dict[str, Any] = _original_execute_warm(func, event, request_id)
    body = result.get("body")
    error_type = getattr(_last, "error_type", None)
    replace = result.get("error") and error_type
    if replace and isinstance(body, dict) and body.get("errorType") == "Runtime.HandlerError":
        body["errorType"] = error_type
    return result


def install() -> None:
    script = lambda_runtime._PYTHON_WORKER_SCRIPT
    if _ERROR_LINE not in script:
        raise RuntimeError("ministack's Python worker script changed: update tools/emulator/patch_lambda.py")
    lambda_runtime._PYTHON_WORKER_SCRIPT = script.replace(_ERROR_LINE, _ERROR_LINE_TYPED)
    lambda_runtime.Worker.invoke = _invoke
    lambda_svc._execute_function_warm = _execute_warm
