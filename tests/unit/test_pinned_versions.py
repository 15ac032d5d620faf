"""The layer and the tests run the same versions: every package the Lambda layer pins is pinned to the same
version in requirements/dev.txt (the lock the dev venv installs), and that lock is generated from
requirements/dev.in, which takes the layer's pins from the layer's own file (one place for each)."""

import re
from pathlib import Path

import pytest

from tests.pins import requirements

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "autoscaler" / "requirements.txt"
DEV_IN = ROOT / "requirements" / "dev.in"
DEV_LOCK = ROOT / "requirements" / "dev.txt"


LAYER_PINS = requirements(LAYER)
LOCK = requirements(DEV_LOCK)


def test_the_layer_pins_what_the_functions_need() -> None:
    assert {"aws-lambda-powertools", "pydantic", "pydantic-core", "boto3", "botocore"} <= set(LAYER_PINS)


@pytest.mark.parametrize("package", sorted(LAYER_PINS))
def test_every_layer_package_is_pinned_to_the_same_version_in_the_dev_lock(package: str) -> None:
    assert re.fullmatch(r"==\S+", LAYER_PINS[package]), f"the layer must pin {package} exactly"
    assert package in LOCK, f"{package} is in the layer but not in requirements/dev.txt"
    assert LOCK[package] == LAYER_PINS[package], (
        f"{package}: the layer has {LAYER_PINS[package]}, the tests run {LOCK[package]}"
    )


def test_the_lock_pins_every_package_exactly() -> None:
    assert len(LOCK) > 50, "requirements/dev.txt is the full lock, not a list of direct dependencies"
    loose = {name: spec for name, spec in LOCK.items() if not re.fullmatch(r"==\S+", spec)}
    assert not loose, loose


def test_the_lock_is_generated_from_dev_in_which_takes_the_layer_pins_from_the_layer() -> None:
    assert "pip-compile" in DEV_LOCK.read_text() and "requirements/dev.in" in DEV_LOCK.read_text()
    assert "-r ../layers/autoscaler/requirements.txt" in DEV_IN.read_text().splitlines()
    direct = requirements(DEV_IN)
    assert direct, "requirements/dev.in declares no dependency"
    assert set(direct) <= set(LOCK), f"in dev.in but not in the lock: {set(direct) - set(LOCK)}"
    # Every direct dependency says why it is there: a comment line right above it.
    lines = DEV_IN.read_text().splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith(("#", "-")):
            above = next(lines[i] for i in range(index - 1, -1, -1) if not lines[i] or lines[i][0] == "#")
            assert above.startswith("#"), f"dev.in: {line} has no comment saying why"
