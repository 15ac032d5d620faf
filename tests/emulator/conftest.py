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
def client(emulator: Emulator) -> Callable[[str], Any]:
    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=emulator.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    return make
