"""Build and deploy the real template onto the local emulator; shared by `make demo` and the e2e tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tools.emulator.control import Emulator

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
PYTHON_313_BIN = (
    Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions" / "3.13.0" / "bin"
)
STACK_NAME = "ecas-local"


@dataclass(frozen=True)
class Stack:
    name: str
    state_machine_arn: str
    decision_table: str
    state_table: str
    topic_arn: str
    policy_prefix: str
    rotation_state_machine_arn: str


def sam_env(emulator: Emulator | None = None) -> dict[str, str]:
    """sam needs the Lambda runtime's Python (3.13) on PATH; telemetry off; pointed at the emulator."""
    path = f"{VENV_BIN}:{PYTHON_313_BIN}:{os.environ.get('PATH', '')}"
    env = {**os.environ, "PATH": path, "SAM_CLI_TELEMETRY": "0"}
    if emulator is not None:
        env.update(emulator.aws_env())
    return env


def _run(args: list[str], env: dict[str, str], quiet: bool) -> None:
    result = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=quiet, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "") if quiet else ""
        sys.stderr.write(output[-5000:])
        raise RuntimeError(f"{' '.join(args[:2])} failed with exit code {result.returncode}")


def client(emulator: Emulator, service: str) -> Any:
    """A boto3 client for ``service`` on the emulator."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def build(quiet: bool = True, build_dir: Path | None = None) -> None:
    """`sam build` into .aws-sam, or into ``build_dir`` (private: others may rebuild .aws-sam meanwhile)."""
    args = [str(VENV_BIN / "sam"), "build", "--config-env", "local"]
    if build_dir is not None:
        args += ["--build-dir", str(build_dir)]
    _run(args, sam_env(), quiet)


def deploy(
    emulator: Emulator, quiet: bool = True, overrides: str = "", build_dir: Path | None = None
) -> Stack:
    """`sam deploy` of what `build` made (into ``build_dir`` if given), with ``overrides`` of parameters."""
    args = [str(VENV_BIN / "sam"), "deploy", "--config-env", "local", "--no-progressbar"]
    if build_dir is not None:
        args += ["--config-file", str(REPO_ROOT / "samconfig.toml")]
        args += ["--template-file", str(build_dir / "template.yaml")]
    if overrides:
        args += ["--parameter-overrides", overrides]
    _run(args, sam_env(emulator), quiet)
    cfn = client(emulator, "cloudformation")
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["Outputs"]
    }
    return Stack(
        name=STACK_NAME,
        state_machine_arn=outputs["StateMachineArn"],
        decision_table=outputs["DecisionTableName"],
        state_table=outputs["StateTableName"],
        topic_arn=outputs["NotificationTopicArn"],
        policy_prefix=outputs["PolicyParameterPrefix"],
        rotation_state_machine_arn=outputs["RotationStateMachineArn"],
    )
