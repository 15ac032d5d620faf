"""A function finds the project's package only in its own layer, as on Lambda: the launcher imports the
package from the source for itself, and that must not reach the Lambda workers it spawns."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def _importable(client: Callable[[str], Any], module: str) -> bool:
    response = client("lambda").invoke(FunctionName="importable", Payload=json.dumps({"module": module}))
    assert "FunctionError" not in response, response["Payload"].read()
    found: bool = json.loads(response["Payload"].read())["importable"]
    return found


@pytest.mark.usefixtures("functions")
def test_a_function_without_the_layer_cannot_import_the_package(client: Callable[[str], Any]) -> None:
    assert _importable(client, "json")  # the probe works
    assert not _importable(client, "elasticache_autoscaler")
