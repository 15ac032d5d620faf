"""Test-control state of the launcher and its HTTP admin endpoint (``/_emulator/...``).

Everything here is process-global and in memory: fault rules, per-operation call counters, the
last mutating ElastiCache calls (secrets redacted), groups that must stay ``modifying``, and the
change delays. No ministack import, so it can be unit-tested on its own.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

ADMIN_PREFIX = "/_emulator"
REDACTED = "***REDACTED***"
_SECRET_KEY = re.compile(r"^(AuthToken|NewAuthToken|Passwords(\.member)?(\.\d+)?|Password|NewPassword)$")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass
class Fault:
    """The next ``count`` calls of ``operation`` (``"*"`` = any ElastiCache operation) fail, or (with
    ``delay_seconds``) answer late: before being served, or after it took effect with ``after_applying``
    (a hung call whose change landed). An empty ``code`` with a delay is latency only (the real answer)."""

    operation: str
    code: str
    message: str = "Injected by the emulator"
    status: int = 400
    count: int = 1
    after_applying: bool = False
    delay_seconds: float = 0.0


class ControlState:
    """Faults, counters, call records, stuck groups and delays (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.change_seconds = _env_seconds("EMULATOR_ELASTICACHE_CHANGE_SECONDS", 2.0)
        self.create_seconds = _env_seconds("EMULATOR_ELASTICACHE_CREATE_SECONDS", 0.0)
        self.member_lag_seconds = _env_seconds("EMULATOR_ELASTICACHE_MEMBER_LAG_SECONDS", 0.0)
        self.faults: list[Fault] = []
        self.counters: Counter[str] = Counter()
        self.calls: deque[dict[str, Any]] = deque(maxlen=int(os.environ.get("EMULATOR_CALL_LOG_SIZE", "50")))
        self.stuck: set[str] = set()

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.counters.clear()
            self.calls.clear()
            self.stuck.clear()
            self.change_seconds = _env_seconds("EMULATOR_ELASTICACHE_CHANGE_SECONDS", 2.0)
            self.create_seconds = _env_seconds("EMULATOR_ELASTICACHE_CREATE_SECONDS", 0.0)
            self.member_lag_seconds = _env_seconds("EMULATOR_ELASTICACHE_MEMBER_LAG_SECONDS", 0.0)

    def record_call(self, operation: str, params: dict[str, str], *, mutating: bool) -> None:
        """Count the call; keep its (redacted) parameters when it is a mutating call."""
        with self._lock:
            self.counters[operation] += 1
            if mutating:
                self.counters["__mutating__"] += 1
                self.calls.append({"operation": operation, "time": time.time(), "params": redact(params)})

    def take_fault(self, operation: str) -> Fault | None:
        """Consume one matching fault, if any."""
        with self._lock:
            for fault in self.faults:
                if fault.operation in (operation, "*") and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "change_seconds": self.change_seconds,
                "create_seconds": self.create_seconds,
                "member_lag_seconds": self.member_lag_seconds,
                "faults": [asdict(f) for f in self.faults],
                "counters": dict(self.counters),
                "mutating_calls": self.counters.get("__mutating__", 0),
                "calls": list(self.calls),
                "stuck": sorted(self.stuck),
            }


STATE = ControlState()


def redact(params: dict[str, str]) -> dict[str, str]:
    """Copy of ``params`` with AUTH tokens and passwords replaced."""
    return {k: (REDACTED if _SECRET_KEY.match(k) else v) for k, v in params.items()}


AdminRoute = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
EXTRA_ROUTES: dict[tuple[str, str], AdminRoute] = {}
"""(method, route) -> handler: routes that patches register (they may import ministack; this module not)."""


def _apply(method: str, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if (method, route) in EXTRA_ROUTES:
        return EXTRA_ROUTES[(method, route)](body)
    return _apply_own(method, route, body)


def _apply_own(method: str, route: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:  # noqa: PLR0911
    state = STATE
    if route == "/health":
        return 200, {"ok": True}
    if route == "/state" and method == "GET":
        return 200, state.snapshot()
    if route == "/reset" and method == "POST":
        state.reset()
        return 200, state.snapshot()
    if route == "/faults" and method == "POST":
        fault = Fault(
            operation=str(body["operation"]),
            code=str(body.get("code", "")),
            message=str(body.get("message", Fault.message)),
            status=int(body.get("status", 400)),
            count=int(body.get("count", 1)),
            after_applying=bool(body.get("after_applying", False)),
            delay_seconds=float(body.get("delay_seconds", 0.0)),
        )
        if not fault.code and fault.delay_seconds <= 0:
            raise ValueError("a fault needs a code or a delay_seconds")
        with state._lock:
            state.faults.append(fault)
        return 200, state.snapshot()
    if route == "/faults" and method == "DELETE":
        with state._lock:
            state.faults.clear()
        return 200, state.snapshot()
    if route == "/stuck" and method == "POST":
        group = str(body["replication_group_id"])
        with state._lock:
            (state.stuck.add if body.get("stuck", True) else state.stuck.discard)(group)
        return 200, state.snapshot()
    if route == "/config" and method == "POST":
        with state._lock:
            if "change_seconds" in body:
                state.change_seconds = float(body["change_seconds"])
            if "create_seconds" in body:
                state.create_seconds = float(body["create_seconds"])
            if "member_lag_seconds" in body:
                state.member_lag_seconds = float(body["member_lag_seconds"])
        return 200, state.snapshot()
    return 404, {"error": f"unknown admin route {method} {route}"}


async def handle_admin(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one ``/_emulator/...`` request (JSON in, JSON out)."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    try:
        body = json.loads(raw) if raw.strip() else {}
        status, payload = _apply(scope["method"], scope["path"][len(ADMIN_PREFIX) :], body)
    except (KeyError, TypeError, ValueError) as exc:
        status, payload = 400, {"error": f"bad admin request: {exc!r}"}
    data = json.dumps(payload, default=str).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})
