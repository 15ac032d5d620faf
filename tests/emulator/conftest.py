"""One emulator launcher for the whole tests/emulator session (started as a subprocess)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tools.emulator.control import Emulator

CHANGE_SECONDS = 0.3


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator.start(env={"EMULATOR_ELASTICACHE_CHANGE_SECONDS": str(CHANGE_SECONDS)}) as emu:
        yield emu


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The session emulator with faults, counters, stuck groups and delays reset."""
    emulator.reset()
    return emulator


@pytest.fixture
def client(emu: Emulator) -> Callable[[str], Any]:
    """boto3 client factory for the emulator (which it resets first)."""

    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=emu.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    return make


HANDLERS = """
import json


class InvalidInputError(Exception):
    pass


def fail(event, context):
    raise InvalidInputError("bad input")


def record(event, context):
    print("EVENT " + json.dumps(event))
    return {"ok": True}
"""


def _zip(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def functions(emulator: Emulator) -> dict[str, str]:
    """ARNs of two Python 3.13 functions: ``fail`` raises InvalidInputError, ``record`` prints its event."""
    import json

    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    iam = session.client("iam", endpoint_url=emulator.endpoint_url)
    lam = session.client("lambda", endpoint_url=emulator.endpoint_url)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="emulator-test", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    arns = {}
    for name in ("fail", "record"):
        arns[name] = lam.create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role,
            Handler=f"app.{name}",
            Code={"ZipFile": _zip(HANDLERS)},
        )["FunctionArn"]
    return arns
