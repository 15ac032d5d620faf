"""``sam build`` + ``sam deploy`` of a small SAM app (layer, function, state machine, table, rule,
schedule, SSM, KMS, Secrets Manager, SNS) works against the launcher, and the deployed pieces run."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tools import local_stack
from tools.emulator.control import Emulator
from tools.stack_driver import wait_for_execution

APP = Path(__file__).parent / "sam_app"
SAM = local_stack.VENV_BIN / "sam"


def _sam(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(SAM), *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def stack(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if not SAM.exists():
        pytest.skip("aws-sam-cli is not installed in .venv")
    work = tmp_path_factory.mktemp("sam_app")
    shutil.copytree(APP, work, dirs_exist_ok=True)
    env = local_stack.sam_env(emulator)
    _sam(["build"], work, env)
    _sam(
        [
            "deploy",
            "--resolve-s3",
            "--capabilities",
            "CAPABILITY_IAM",
            "--no-confirm-changeset",
            "--no-fail-on-empty-changeset",
            "--stack-name",
            "emulator-sam",
            "--region",
            "us-east-1",
        ],
        work,
        env,
    )
    cfn = local_stack.client(emulator, "cloudformation")
    outputs = cfn.describe_stacks(StackName="emulator-sam")["Stacks"][0]["Outputs"]
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def _execute(sfn: Any, machine: str, payload: dict[str, Any]) -> dict[str, Any]:
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]
    return wait_for_execution(sfn, execution, timeout=20)


def test_function_uses_its_layer(stack: dict[str, str], client: Callable[[str], Any]) -> None:
    response = client("lambda").invoke(FunctionName=stack["Fn"], Payload=b'{"x": 1}')

    assert json.loads(response["Payload"].read())["layer"] == "from-layer"


def test_state_machine_catches_the_function_error_and_writes_the_table(
    stack: dict[str, str], client: Callable[[str], Any]
) -> None:
    sfn, ddb = client("stepfunctions"), client("dynamodb")

    caught = _execute(sfn, stack["Flow"], {"fail": True})
    saved = _execute(sfn, stack["Flow"], {"fail": False})

    assert caught["status"] == "SUCCEEDED"
    assert json.loads(caught["output"])["error"]["Error"] == "InvalidInputError"
    assert saved["status"] == "SUCCEEDED"
    assert ddb.scan(TableName=stack["Table"])["Count"] >= 1


def test_table_settings_are_applied(stack: dict[str, str], client: Callable[[str], Any]) -> None:
    ddb = client("dynamodb")

    backups = ddb.describe_continuous_backups(TableName=stack["Table"])["ContinuousBackupsDescription"]
    ttl = ddb.describe_time_to_live(TableName=stack["Table"])["TimeToLiveDescription"]
    table = ddb.describe_table(TableName=stack["Table"])["Table"]

    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_schedule_targets_the_function_with_its_input(
    stack: dict[str, str], client: Callable[[str], Any]
) -> None:
    scheduler = client("scheduler")

    schedules = [scheduler.get_schedule(Name=s["Name"]) for s in scheduler.list_schedules()["Schedules"]]

    ours = [s for s in schedules if s["Target"]["Arn"].endswith(stack["Fn"])]
    assert ours and json.loads(ours[0]["Target"]["Input"]) == {"trigger": "schedule"}
