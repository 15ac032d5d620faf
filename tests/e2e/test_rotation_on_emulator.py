"""Credential rotation on the deployed stack, against a real redis-server standing in for the cache."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.rotation_stack import RotationStack, logs_in, rotation_stack
from tools.stack_driver import states_entered

pytestmark = pytest.mark.emulator

GRACE_SECONDS = 2
POLICY = {
    "mode": "act",
    "checkIntervalSeconds": 1,
    "actionTimeoutSeconds": 60,
    "rotation": {"gracePeriodSeconds": GRACE_SECONDS},
}
OLD_TOKEN = "old-token-" + "A" * 30


@pytest.fixture(scope="module")
def stack(built: Path) -> Iterator[RotationStack]:
    with rotation_stack() as deployed:
        yield deployed


@pytest.fixture
def group(stack: RotationStack) -> str:
    """A managed group with transit encryption and an AUTH token in use, its token in the stack's secret."""
    group_id = f"r{uuid.uuid4().hex[:10]}"
    stack.create_auth_group(group_id, OLD_TOKEN)
    stack.store_secret(stack.secret_name(group_id), OLD_TOKEN)
    stack.set_policy(group_id, POLICY)
    stack.emulator.reset()
    return group_id


class Watcher:
    """Logs in with a fixed credential every 50 ms in the background: (time, logged in?)."""

    def __init__(self, port: int, password: str, username: str | None = None) -> None:
        self.samples: list[tuple[float, bool]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(port, password, username), daemon=True)
        self._thread.start()

    def _run(self, port: int, password: str, username: str | None) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), logs_in(port, password, username)))
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def during(self, start: float, end: float) -> list[bool]:
        return [ok for moment, ok in self.samples if start <= moment <= end]


def _state_times(stack: RotationStack, execution_arn: str) -> dict[str, tuple[float, float]]:
    """When each state was entered and exited (epoch seconds), from the execution history."""
    times: dict[str, list[float]] = {}
    for event in stack.history(execution_arn):
        stamp = event["timestamp"]
        moment = stamp.timestamp() if isinstance(stamp, datetime) else float(stamp)
        for key in ("stateEnteredEventDetails", "stateExitedEventDetails"):
            if key in event:
                times.setdefault(event[key]["name"], []).append(moment)
    return {name: (min(m), max(m)) for name, m in times.items()}


def test_auth_token_rotation_through_the_scaling_workflow(stack: RotationStack, group: str) -> None:
    # Given a client that uses the old token all along
    old_client = Watcher(stack.redis_port, OLD_TOKEN)
    # When an operator asks for a rotation from the console
    parent = stack.start({"cluster": group, "action": "rotate_auth_token", "dryRun": False})
    described = stack.wait(parent)
    old_client.stop()
    assert described["status"] == "SUCCEEDED", stack.history(parent)[-3:]
    (child,) = stack.rotation_executions_of(group)
    times = _state_times(stack, child)
    # Then the old token worked through ROTATE and the whole grace period, and stopped after SET
    grace_start, grace_end = times["WaitGrace"]
    assert grace_end - grace_start >= GRACE_SECONDS - 0.5
    assert all(old_client.during(times["Prepare"][0], grace_end))
    new_token = stack.current_secret(stack.secret_name(group))
    assert new_token != OLD_TOKEN
    assert logs_in(stack.redis_port, new_token)
    assert not logs_in(stack.redis_port, OLD_TOKEN)
    assert stack.token_calls(group) == ["ROTATE", "SET"]
    output = json.loads(stack.client("stepfunctions").describe_execution(executionArn=child)["output"])
    assert output["summary"] == "rotate_auth_token: AUTH token: verified"


OLD_PASSWORD = "old-password-" + "B" * 30


def test_rbac_password_rotation_through_the_scaling_workflow(stack: RotationStack) -> None:
    # Given an RBAC user whose current password is in the stack's secret, and a client using it
    group = f"r{uuid.uuid4().hex[:10]}"
    user_id = f"u{group}"
    stack.create_rbac_group(group, user_id, OLD_PASSWORD)
    stack.set_policy(group, {**POLICY, "rotation": {"gracePeriodSeconds": GRACE_SECONDS, "users": [user_id]}})
    stack.emulator.reset()
    assert logs_in(stack.redis_port, OLD_PASSWORD, user_id)
    old_client = Watcher(stack.redis_port, OLD_PASSWORD, user_id)
    # When an operator asks for the users' passwords to be rotated
    parent = stack.start({"cluster": group, "action": "rotate_user_password", "dryRun": False})
    described = stack.wait(parent)
    old_client.stop()
    # Then the old password worked through the grace period, the new one works, the old one no longer
    assert described["status"] == "SUCCEEDED", stack.history(parent)[-3:]
    (child,) = stack.rotation_executions_of(group)
    times = _state_times(stack, child)
    assert all(old_client.during(times["Prepare"][0], times["WaitGrace"][1]))
    new_password = stack.current_secret(stack.secret_name(group, user_id))
    assert logs_in(stack.redis_port, new_password, user_id)
    assert not logs_in(stack.redis_port, OLD_PASSWORD, user_id)
    modify_user = [c["params"] for c in stack.emulator.mutating_calls() if c["operation"] == "ModifyUser"]
    assert [("Passwords.member.2" in p) for p in modify_user] == [True, False]  # [new, old], then [new]
    assert stack.token_calls(group) == []


# ---- resume: the execution fails after a step, a retry completes with one new token -----------------
def _fail_on_entering(stack: RotationStack, execution_arn: str, state: str, operation: str) -> None:
    deadline = time.monotonic() + 30
    while state not in states_entered(stack.history(execution_arn)):
        assert time.monotonic() < deadline, f"{state} never entered"
        time.sleep(0.02)
    stack.emulator.inject_fault(operation, "InvalidParameterValue", count=1)


def _diagnose(stack: RotationStack, group: str, execution_arn: str) -> str:
    """Which versions log in now, and the token calls: never a secret value."""
    sm = stack.client("secretsmanager")
    name = stack.secret_name(group)
    versions = [
        (
            v["VersionStages"],
            logs_in(
                stack.redis_port, sm.get_secret_value(SecretId=name, VersionId=v["VersionId"])["SecretString"]
            ),
        )
        for v in _versions(stack, name)
    ]
    return (
        f"{versions} token calls={stack.token_calls(group)} last events={stack.history(execution_arn)[-2:]}"
    )


def _versions(stack: RotationStack, name: str) -> list[dict[str, object]]:
    return list(stack.client("secretsmanager").list_secret_version_ids(SecretId=name)["Versions"])


@pytest.mark.parametrize(
    ("fails_after", "wait_state", "operation", "calls", "old_works_after_failure"),
    [
        ("stage", None, "ModifyReplicationGroup", ["ROTATE", "ROTATE", "SET"], True),  # first ROTATE faulted
        ("rotate", "WaitApplied", "DescribeReplicationGroups", ["ROTATE", "SET"], True),
        ("promote", "WaitGrace", "DescribeReplicationGroups", ["ROTATE", "SET"], True),
        ("set", "WaitFinalized", "DescribeReplicationGroups", ["ROTATE", "SET"], False),
    ],
)
def test_a_retry_after_a_failure_completes_without_a_second_token(  # noqa: PLR0917 - parametrized
    stack: RotationStack,
    group: str,
    fails_after: str,
    wait_state: str | None,
    operation: str,
    calls: list[str],
    old_works_after_failure: bool,
) -> None:
    # Given a rotation that fails right after the step `fails_after`
    if wait_state is None:
        stack.emulator.inject_fault(operation, "InvalidParameterValue", count=1)
    first = stack.start_rotation(group, "rotate_auth_token")
    if wait_state is not None:
        _fail_on_entering(stack, first, wait_state, operation)
    assert stack.wait(first)["status"] == "FAILED"
    assert logs_in(stack.redis_port, OLD_TOKEN) is old_works_after_failure
    # When it is retried
    retry = stack.start_rotation(group, "rotate_auth_token")
    assert stack.wait(retry)["status"] == "SUCCEEDED", _diagnose(stack, group, retry)
    # Then exactly one new token was ever made, ROTATEd once and SET; only it logs in now
    assert len(_versions(stack, stack.secret_name(group))) == 2
    assert stack.token_calls(group) == calls
    new_token = stack.current_secret(stack.secret_name(group))
    assert logs_in(stack.redis_port, new_token)
    assert not logs_in(stack.redis_port, OLD_TOKEN)


# ---- refusals: a reason, nothing changed ---------------------------------------------------------------
def _refusal(stack: RotationStack, group_id: str) -> str:
    execution = stack.start_rotation(group_id, "rotate_auth_token")
    described = stack.wait(execution)
    assert described["status"] == "FAILED"
    assert described.get("error") == "RotationRefusedError", described
    assert stack.token_calls(group_id) == []
    return str(described.get("cause", ""))


def test_a_group_without_a_token_is_refused(stack: RotationStack) -> None:
    group_id = f"r{uuid.uuid4().hex[:10]}"
    stack.create_auth_group(group_id, token=None)
    stack.set_policy(group_id, POLICY)
    assert "no AUTH token in use" in _refusal(stack, group_id)
    with pytest.raises(stack.client("secretsmanager").exceptions.ResourceNotFoundException):
        _versions(stack, stack.secret_name(group_id))


def test_a_group_without_transit_encryption_is_refused(stack: RotationStack) -> None:
    group_id = f"r{uuid.uuid4().hex[:10]}"
    stack.create_auth_group(group_id, token=None, transit=False)
    stack.set_policy(group_id, POLICY)
    assert "in-transit encryption" in _refusal(stack, group_id)


def test_a_busy_group_is_refused(stack: RotationStack, group: str) -> None:
    stack.emulator.stick(group)
    stack.client("elasticache").modify_replication_group(
        ReplicationGroupId=group, CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True
    )
    try:
        assert "busy" in _refusal(stack, group)
    finally:
        stack.emulator.stick(group, stuck=False)
    assert len(_versions(stack, stack.secret_name(group))) == 1
    assert logs_in(stack.redis_port, OLD_TOKEN)


# ---- leaks -------------------------------------------------------------------------------------------
def _secret_values(stack: RotationStack, name: str) -> set[str]:
    sm = stack.client("secretsmanager")
    return {
        sm.get_secret_value(SecretId=name, VersionId=v["VersionId"])["SecretString"]
        for v in _versions(stack, name)
    }


def _everything_recorded(stack: RotationStack) -> dict[str, str]:
    """Every place a secret must never reach, as text."""
    sfn, logs, dynamodb = (stack.client(s) for s in ("stepfunctions", "logs", "dynamodb"))
    histories = [
        json.dumps(stack.history(e["executionArn"]), default=str)
        for arn in (stack.stack.state_machine_arn, stack.stack.rotation_state_machine_arn)
        for e in sfn.list_executions(stateMachineArn=arn)["executions"]
    ]
    executions = [
        json.dumps(sfn.describe_execution(executionArn=e["executionArn"]), default=str)
        for arn in (stack.stack.state_machine_arn, stack.stack.rotation_state_machine_arn)
        for e in sfn.list_executions(stateMachineArn=arn)["executions"]
    ]
    log_events = [
        json.dumps(logs.filter_log_events(logGroupName=g["logGroupName"]).get("events", []))
        for g in logs.describe_log_groups()["logGroups"]
    ]
    tables = [
        json.dumps(dynamodb.scan(TableName=t)["Items"])
        for t in (stack.stack.decision_table, stack.stack.state_table)
    ]
    return {
        "emulator log": (stack.emulator.state_dir / "emulator.log").read_text(errors="replace"),
        "execution histories": "\n".join(histories),
        "executions": "\n".join(executions),
        "CloudWatch Logs": "\n".join(log_events),
        "DynamoDB": "\n".join(tables),
    }


def test_no_token_or_password_leaks_into_logs_history_or_tables(stack: RotationStack, group: str) -> None:
    # Given a full AUTH token rotation of one group and a full RBAC password rotation of another
    rbac_group = f"r{uuid.uuid4().hex[:10]}"
    user_id = f"u{rbac_group}"
    stack.create_rbac_group(rbac_group, user_id, OLD_PASSWORD)
    stack.set_policy(rbac_group, {**POLICY, "rotation": {"gracePeriodSeconds": 1, "users": [user_id]}})
    for cluster, action in ((group, "rotate_auth_token"), (rbac_group, "rotate_user_password")):
        parent = stack.start({"cluster": cluster, "action": action, "dryRun": False})
        assert stack.wait(parent)["status"] == "SUCCEEDED"
    values = _secret_values(stack, stack.secret_name(group)) | _secret_values(
        stack, stack.secret_name(rbac_group, user_id)
    )
    assert len(values) == 4  # old and new token, old and new password
    # When every log, history and table is searched
    recorded = _everything_recorded(stack)
    # Then the scan saw the rotation (it can find things) ...
    assert group in recorded["execution histories"]
    assert group in recorded["DynamoDB"]
    assert "rotation planned" in recorded["CloudWatch Logs"] + recorded["emulator log"]
    # ... and no secret value anywhere
    leaks = [(where, value[:6]) for where, text in recorded.items() for value in values if value in text]
    assert leaks == []
