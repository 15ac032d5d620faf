"""Start, stop and drive the emulator launcher from tests (no ministack import; stdlib only).

Typical use::

    from tools.emulator.control import Emulator

    with Emulator.start() as emu:                 # free port, own state dir, waits until ready
        client = boto3.client("elasticache", endpoint_url=emu.endpoint_url, region_name="us-east-1")
        emu.inject_fault("IncreaseReplicaCount", "Throttling", count=2)
        emu.set_change_seconds(0.2)
        emu.stick("my-group")                     # the group stays "modifying"
        assert emu.counters().get("IncreaseReplicaCount") == 1
    # process group killed, state dir (and its ministack-lambda-* folders) removed

``Emulator.aws_env()`` gives the environment variables a boto3 client or ``sam`` needs to talk to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_PYTHON = REPO_ROOT / ".venv-emulator" / "bin" / "python"


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Emulator:
    """A running launcher subprocess plus a client for its ``/_emulator`` admin API."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, state_dir: Path, owns_state_dir: bool):
        self.process = process
        self.port = port
        self.state_dir = state_dir
        self._owns_state_dir = owns_state_dir

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        state_dir: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Emulator:
        """Start the launcher in its own process group and wait until it answers.

        ``state_dir`` (default: a fresh temp dir, removed on stop) holds the emulator's TMPDIR
        and its log file ``emulator.log``. ``env`` adds or overrides environment variables
        (e.g. ``{"EMULATOR_ELASTICACHE_CHANGE_SECONDS": "0.5"}``).
        """
        port = port or free_port()
        owns = state_dir is None
        state_dir = Path(tempfile.mkdtemp(prefix="ecas-emulator-")) if state_dir is None else state_dir
        state_dir.mkdir(parents=True, exist_ok=True)
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = str(REPO_ROOT)
        # The parent's AWS endpoint settings must not leak into the emulator itself.
        full_env.pop("AWS_ENDPOINT_URL", None)
        log = (state_dir / "emulator.log").open("wb")
        process = subprocess.Popen(
            [
                str(EMULATOR_PYTHON),
                "-m",
                "tools.emulator",
                "--port",
                str(port),
                "--state-dir",
                str(state_dir),
            ],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        emulator = cls(process, port, state_dir, owns)
        try:
            emulator.wait_ready(timeout)
        except BaseException:
            emulator.stop()
            raise
        return emulator

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self._request("GET", "/health")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise TimeoutError(f"emulator not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the whole process group (Lambda workers too), SIGKILL it if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout)
        if self._owns_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        path = self.state_dir / "emulator.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # ---- connection details ----------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def aws_env(self, region: str = "us-east-1") -> dict[str, str]:
        """Environment for boto3 / aws / sam pointed at this emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }

    # ---- admin API -------------------------------------------------------------------------
    def _request(self, method: str, route: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.endpoint_url}/_emulator{route}",
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            result: dict[str, Any] = json.loads(resp.read())
            return result

    def state(self) -> dict[str, Any]:
        """Everything: counters, recorded calls, faults left, stuck groups, delays."""
        return self._request("GET", "/state")

    def counters(self) -> dict[str, int]:
        """Calls per ElastiCache operation since start/reset; ``__mutating__`` sums the mutating ones."""
        counters: dict[str, int] = self.state()["counters"]
        return counters

    def mutating_calls(self) -> list[dict[str, Any]]:
        """The last mutating ElastiCache calls, oldest first: ``{operation, time, params}``.

        ``AuthToken`` and password values are replaced by ``***REDACTED***``.
        """
        calls: list[dict[str, Any]] = self.state()["calls"]
        return calls

    def inject_fault(
        self,
        operation: str,
        code: str,
        *,
        count: int = 1,
        status: int = 400,
        message: str | None = None,
        after_applying: bool = False,
        delay_seconds: float = 0.0,
    ) -> None:
        """The next ``count`` calls of ``operation`` (``"*"``: any ElastiCache call) answer ``code``;
        with ``after_applying`` the call takes effect first and only its answer is the error.
        ``delay_seconds`` holds the answer that long (``code=""``: latency only, the real answer)."""
        body: dict[str, Any] = {"operation": operation, "code": code, "count": count, "status": status}
        body["after_applying"] = after_applying
        body["delay_seconds"] = delay_seconds
        if message is not None:
            body["message"] = message
        self._request("POST", "/faults", body)

    def delay(self, operation: str, seconds: float, *, count: int = 1, after_applying: bool = True) -> None:
        """The next ``count`` calls of ``operation`` answer ``seconds`` late (a hung call): by default the
        change takes effect first, so a caller that gives up has still changed the group."""
        self.inject_fault(operation, "", count=count, after_applying=after_applying, delay_seconds=seconds)

    def clear_faults(self) -> None:
        self._request("DELETE", "/faults")

    def stick(self, replication_group_id: str, stuck: bool = True) -> None:
        """While stuck, a group's pending change never completes (it stays ``modifying``)."""
        self._request("POST", "/stuck", {"replication_group_id": replication_group_id, "stuck": stuck})

    def set_change_seconds(self, seconds: float) -> None:
        """Delay before a later ElastiCache change completes (changes already running keep theirs)."""
        self._request("POST", "/config", {"change_seconds": seconds})

    def set_create_seconds(self, seconds: float) -> None:
        """Delay before a new replication group becomes available (default 0)."""
        self._request("POST", "/config", {"create_seconds": seconds})

    def set_member_lag_seconds(self, seconds: float) -> None:
        """New members stay ``creating`` this long after their group is ``available`` again (default 0)."""
        self._request("POST", "/config", {"member_lag_seconds": seconds})

    def reset(self) -> None:
        """Clear faults, counters, recorded calls, stuck groups; restore delays from the environment."""
        self._request("POST", "/reset")

    # ---- a fleet (patch_fleet) ---------------------------------------------------------------
    def create_fleet(self, prefix: str, count: int, tags: dict[str, str]) -> None:
        """``count`` 1-node groups ``<prefix>-000`` ... with ``tags``, made in-process (fast)."""
        self._request("POST", "/fleet/groups", {"prefix": prefix, "count": count, "tags": tags})

    def delete_fleet(self, prefix: str) -> int:
        return int(self._request("DELETE", "/fleet/groups", {"prefix": prefix})["deleted"])

    def hold_executions(self, name_prefix: str) -> None:
        """Executions named ``name_prefix...`` start (RUNNING, duplicates refused) but never run."""
        self._request("POST", "/fleet/hold", {"name_prefix": name_prefix})

    def held_executions(self) -> list[str]:
        held: list[str] = self._request("GET", "/fleet/hold")["held"]
        return held

    def release_held_executions(self) -> int:
        """Drop the held executions and lift the hold; how many were dropped."""
        return int(self._request("DELETE", "/fleet/hold")["dropped"])
