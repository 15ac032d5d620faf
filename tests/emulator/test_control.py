"""control.py starts and stops the launcher cleanly; the admin endpoint refuses what it does not know."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.emulator.conftest import HANDLERS
from tools import local_stack
from tools.emulator.control import Emulator
from tools.stack_driver import create_lambda_role, create_python_function


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stop_kills_the_process_group_and_removes_lambda_folders() -> None:
    emulator = Emulator.start()
    role_arn = create_lambda_role(emulator, "control-test")
    create_python_function(emulator, "record", HANDLERS, "app.record", role_arn=role_arn)
    lam = local_stack.client(emulator, "lambda")
    lam.invoke(FunctionName="record", Payload=b"{}")
    state_dir: Path = emulator.state_dir
    lambda_dirs = list((state_dir / "tmp").glob("ministack-lambda-*"))

    emulator.stop()

    assert lambda_dirs, "the invocation should have unpacked its code under the state dir"
    assert not state_dir.exists()
    assert not _alive(emulator.process.pid)


@pytest.mark.parametrize(
    ("method", "route", "body", "status"),
    [("GET", "/nope", None, 404), ("POST", "/faults", b"{}", 400), ("POST", "/config", b"not json", 400)],
)
def test_admin_refuses_unknown_routes_and_bad_bodies(
    emulator: Emulator, method: str, route: str, body: bytes | None, status: int
) -> None:
    request = urllib.request.Request(f"{emulator.endpoint_url}/_emulator{route}", data=body, method=method)

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)

    assert refused.value.code == status
    assert "error" in json.loads(refused.value.read())
