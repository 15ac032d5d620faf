"""One emulator launcher for the whole tests/emulator session (started as a subprocess)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from tools import local_stack
from tools.emulator.control import Emulator
from tools.stack_driver import create_lambda_role, create_python_function

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
    return lambda service: local_stack.client(emu, service)


def elasticache_client_allowed(emu: Emulator, statement: dict[str, Any]) -> Any:
    """An ElastiCache client of a new IAM user allowed only ``statement`` (the emulator enforces IAM)."""
    iam = local_stack.client(emu, "iam")
    user = f"emulator-test-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}
    iam.put_user_policy(UserName=user, PolicyName="only", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.client(
        "elasticache",
        endpoint_url=emu.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


HANDLERS = """
import importlib.util
import json


class InvalidInputError(Exception):
    pass


def fail(event, context):
    raise InvalidInputError("bad input")


def record(event, context):
    print("EVENT " + json.dumps(event))
    return {"ok": True}


def importable(event, context):
    return {"importable": importlib.util.find_spec(event["module"]) is not None}
"""


@pytest.fixture(scope="session")
def functions(emulator: Emulator) -> dict[str, str]:
    """ARNs of Python 3.13 functions without a layer: ``fail`` raises InvalidInputError, ``record`` prints
    its event, ``importable`` tells whether the module named in its event can be imported."""
    role_arn = create_lambda_role(emulator, "emulator-test")
    return {
        name: create_python_function(emulator, name, HANDLERS, f"app.{name}", role_arn=role_arn)
        for name in ("fail", "record", "importable")
    }
