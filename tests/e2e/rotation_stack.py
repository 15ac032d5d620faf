"""The deployed stack on the emulator with a real redis-server as the cache's data plane.

The emulator maps AUTH token and RBAC password changes onto the server's ACL (EMULATOR_REDIS_ACL=1) and
reports it as every node's endpoint; Wait states really wait (SFN_WAIT_SCALE=1) so that a client can be
watched through the grace period; the rotation function logs in without TLS (VerifyTls=off).
"""

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from tools import local_stack
from tools.emulator.control import Emulator, free_port
from tools.stack_driver import MANAGED_TAG, StackDriver

STACK_TAG = "elasticache-autoscaler:stack"
LOCAL_OVERRIDES = (
    'Architecture=x86_64 DefaultMode=observe ScheduleRate="rate(1 day)" ScheduleBucketMinutes=1440 '
    "LogLevel=DEBUG VerifyTls=off"
)


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """A throw-away redis-server on a free port (no persistence), stopped afterwards."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not start")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.ConnectionError:
        return False


def logs_in(port: int, password: str, username: str | None = None) -> bool:
    """Does this credential log in (AUTH + PING) on the data plane right now?"""
    client = redis.Redis(port=port, username=username, password=password, socket_timeout=2)
    try:
        return bool(client.ping())
    except (redis.AuthenticationError, redis.ResponseError):
        return False
    finally:
        client.close()


@dataclass
class RotationStack(StackDriver):
    redis_port: int

    def secret_name(self, group_id: str, user_id: str | None = None) -> str:
        base = f"elasticache-autoscaler/{self.stack.name}/{group_id}"
        return f"{base}/users/{user_id}" if user_id else f"{base}/auth-token"

    def create_auth_group(
        self, group_id: str, token: str | None, transit: bool = True, user_group: str | None = None
    ) -> None:
        """A managed group whose clients log in with ``token`` (AUTH) or as the users of ``user_group``."""
        extra: dict[str, Any] = {"AuthToken": token} if token else {}
        if user_group:
            extra["UserGroupIds"] = [user_group]
        self.create_group(group_id, TransitEncryptionEnabled=transit, **extra)

    def create_rbac_group(self, group_id: str, user_id: str, password: str) -> None:
        """A group with transit encryption whose user group holds ``user_id`` (password in its secret)."""
        elasticache = self.client("elasticache")
        elasticache.create_user(
            UserId=user_id,
            UserName=user_id,
            Engine="redis",
            Passwords=[password],
            AccessString="on ~* +@all",
            Tags=[MANAGED_TAG],  # the rotate role may only change users tagged as managed (docs/iam.md)
        )
        elasticache.create_user_group(UserGroupId=f"ug-{group_id}", Engine="redis", UserIds=[user_id])
        self.create_auth_group(group_id, token=None, user_group=f"ug-{group_id}")
        self.store_secret(self.secret_name(group_id, user_id), password)

    def store_secret(self, name: str, value: str) -> str:
        answer = self.client("secretsmanager").create_secret(
            Name=name, SecretString=value, Tags=[{"Key": STACK_TAG, "Value": self.stack.name}]
        )
        return str(answer["ARN"])

    def current_secret(self, name: str) -> str:
        answer = self.client("secretsmanager").get_secret_value(SecretId=name)
        return str(answer["SecretString"])

    def start_rotation(self, group_id: str, action: str, users: tuple[str, ...] = ()) -> str:
        request = {
            "cluster": group_id,
            "action": action,
            "users": list(users),
            "record": {"cluster": group_id, "decidedAt": "2026-01-01T00:00:00.000000Z"},
            "parentExecutionArn": "arn:aws:states:us-east-1:000000000000:execution:by-hand:e2e",
        }
        return self.start(request, self.stack.rotation_state_machine_arn)

    def rotation_executions_of(self, group_id: str) -> list[str]:
        sfn = self.client("stepfunctions")
        arns = [e["executionArn"] for e in self.executions(self.stack.rotation_state_machine_arn)]
        return [
            arn
            for arn in arns
            if json.loads(sfn.describe_execution(executionArn=arn)["input"])["cluster"] == group_id
        ]

    def token_calls(self, group_id: str) -> list[str]:
        """The AuthTokenUpdateStrategy of every ModifyReplicationGroup with an AuthToken (values redacted)."""
        return [
            str(c["params"].get("AuthTokenUpdateStrategy"))
            for c in self.emulator.mutating_calls()
            if c["operation"] == "ModifyReplicationGroup"
            and c["params"].get("ReplicationGroupId") == group_id
            and "AuthToken" in c["params"]
        ]


@contextlib.contextmanager
def rotation_stack() -> Iterator[RotationStack]:
    with redis_server() as port:
        env = {
            "EMULATOR_ELASTICACHE_CHANGE_SECONDS": "0.5",
            "EMULATOR_REDIS_ACL": "1",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(port),
            "SFN_WAIT_SCALE": "1",
            "EMULATOR_CALL_LOG_SIZE": "500",
        }
        with Emulator.start(env=env) as emulator:
            stack = local_stack.deploy(emulator, overrides=LOCAL_OVERRIDES)
            try:
                yield RotationStack(emulator, stack, port)
            finally:  # kept for a post-mortem: the emulator's state dir goes away with it
                shutil.copy(
                    emulator.state_dir / "emulator.log", Path(tempfile.gettempdir()) / "rotation-e2e.log"
                )
