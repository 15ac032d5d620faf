"""A Lambda exception surfaces with its class name, so Step Functions Retry/Catch can match it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tools.stack_driver import wait_for_execution


def _run(sfn: Any, name: str, definition: dict[str, Any]) -> dict[str, Any]:
    machine = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/emulator-test"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    described = wait_for_execution(sfn, execution, timeout=20)
    described["history"] = sfn.get_execution_history(executionArn=execution)["events"]
    return described


def _machine(function_arn: str, retry: list[dict[str, Any]], catch_errors: list[str]) -> dict[str, Any]:
    return {
        "StartAt": "Act",
        "States": {
            "Act": {
                "Type": "Task",
                "Resource": function_arn,
                "TimeoutSeconds": 10,
                "Retry": retry,
                "Catch": [{"ErrorEquals": catch_errors, "Next": "Caught", "ResultPath": "$.error"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }


def test_direct_invoke_reports_the_exception_class(
    functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    response = client("lambda").invoke(FunctionName="fail", Payload=b"{}")

    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read()) == {
        "errorMessage": "bad input",
        "errorType": "InvalidInputError",
    }


@pytest.mark.parametrize("catch_errors", [["InvalidInputError"], ["States.TaskFailed"], ["States.ALL"]])
def test_catch_matches_the_function_error_name(
    functions: dict[str, str], client: Callable[[str], Any], catch_errors: list[str]
) -> None:
    name = "catch-" + catch_errors[0].replace(".", "-")

    execution = _run(client("stepfunctions"), name, _machine(functions["fail"], [], catch_errors))

    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"])["error"]["Error"] == "InvalidInputError"


def test_retry_on_the_function_error_name_retries(
    functions: dict[str, str], client: Callable[[str], Any]
) -> None:
    retry = [
        {"ErrorEquals": ["InvalidInputError"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1.0}
    ]

    execution = _run(
        client("stepfunctions"), "retry-own-error", _machine(functions["fail"], retry, ["Other"])
    )

    assert execution["status"] == "FAILED"
    assert execution["error"] == "InvalidInputError"
    failures = [e for e in execution["history"] if e["type"] in ("TaskFailed", "LambdaFunctionFailed")]
    assert len(failures) == 3
