"""Handler of the throwaway SAM app that test_sam_deploy.py deploys."""

import json
import os
from typing import Any

import mylayer


class InvalidInputError(Exception):
    pass


def handler(event: Any, context: Any) -> dict[str, Any]:
    print("EVENT " + json.dumps(event))  # noqa: T201 - the test reads it from the logs
    if isinstance(event, dict) and event.get("fail"):
        raise InvalidInputError("asked to fail")
    return {"layer": mylayer.VALUE, "table": os.environ.get("TABLE"), "event": event}
