"""The rotation steps on fakes: the whole flow, every precondition, and a retry after a failure anywhere."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from elasticache_autoscaler.adapters.elasticache_credentials import GroupAuth, UserAuth
from elasticache_autoscaler.errors import CredentialBusyError
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.rotation import (
    CredentialStep,
    RotationExecution,
    RotationPlan,
    RotationRequest,
    VerifyResult,
)
from elasticache_autoscaler.rotation import steps
from elasticache_autoscaler.rotation.errors import (
    CredentialRejectedError,
    RotationRefusedError,
)
from elasticache_autoscaler.rotation.steps import RotationDeps, token_secret_name, user_secret_name
from tests.fakes.adapters import topology
from tests.fakes.policy_store import InMemoryPolicyStore
from tests.fakes.rotation import InMemoryCredentials, InMemoryLogin, InMemorySecrets

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OLD = "old-token-" + "x" * 30
OLD_PW = "old-password-" + "y" * 20
STACK = "stack"
GROUP = GroupAuth(
    topology=topology(
        "orders",
        transit_encryption=True,
        auth_token_enabled=True,
        auth_token_last_modified=datetime(2025, 1, 1, tzinfo=UTC),
    ),
    auth_token_status=None,
    host="cache.local",
    port=6379,
)


def group_with(
    *, auth_token_status: str | None = None, busy_member: bool = False, **fields: Any
) -> GroupAuth:
    """GROUP with some of its topology's fields changed (``busy_member``: its first replica modifying)."""
    changed = GROUP.topology.model_copy(update=fields)
    if busy_member:
        (shard,) = changed.shards
        primary, replica = shard.members
        busy = shard.model_copy(
            update={"members": (primary, replica.model_copy(update={"status": "modifying"}))}
        )
        changed = changed.model_copy(update={"shards": (busy,)})
    return replace(GROUP, topology=changed, auth_token_status=auth_token_status)


class DataPlane(InMemoryLogin):
    """Logs in with whatever the fake ElastiCache currently accepts."""

    def __init__(self, credentials: InMemoryCredentials) -> None:
        super().__init__()
        self.credentials = credentials

    def logs_in(
        self, host: str, port: int, tls: bool, username: str | None, password: SecretStr
    ) -> bool | None:
        self.attempts += 1
        if not self.reachable:
            return None
        value = password.get_secret_value()
        if username is None:
            return value in self.credentials.tokens["orders"]
        user_id = next(u for u, user in self.credentials.users.items() if user.user_name == username)
        return value in self.credentials.passwords[user_id]


@dataclass
class World:
    credentials: InMemoryCredentials
    secrets: InMemorySecrets
    policies: InMemoryPolicyStore
    login: DataPlane
    generated: list[str]

    @property
    def deps(self) -> RotationDeps:
        counter = iter(range(1000))

        def generate() -> SecretStr:
            value = f"new-{len(self.generated)}-{next(counter)}-" + "z" * 30
            self.generated.append(value)
            return SecretStr(value)

        return RotationDeps(
            credentials=self.credentials,
            secrets=self.secrets,
            policies=self.policies,
            login=self.login,
            stack_name=STACK,
            kms_key_id="alias/test",
            generate=generate,
        )


@pytest.fixture
def world() -> World:
    credentials = InMemoryCredentials()
    credentials.add_group(GROUP, OLD)
    credentials.add_user(UserAuth("app-user", "app", "active", "password", 1), OLD_PW)
    secrets = InMemorySecrets()
    secrets.seed(token_secret_name(STACK, "orders"), OLD)
    secrets.seed(user_secret_name(STACK, "orders", "app-user"), OLD_PW)
    policies = InMemoryPolicyStore()
    policies.put_cluster("orders", {"rotation": {"gracePeriodSeconds": 2, "users": ["app-user"]}})
    return World(credentials, secrets, policies, DataPlane(credentials), [])


def _request(action: str = "rotate_auth_token") -> RotationRequest:
    return RotationRequest.model_validate(
        {
            "cluster": "orders",
            "action": action,
            "record": {"cluster": "orders", "decidedAt": "2026-03-01T12:00:00Z"},
            "parentExecutionArn": "arn:aws:states:us-east-1:1:execution:scaling:x",
        }
    )


STEPS = ("prepare", "stage", "apply", "check_applied", "verify", "promote", "finalize", "check_finalized")


def _run(
    world: World, action: str = "rotate_auth_token", fail_after: str | None = None
) -> VerifyResult | None:
    """Run the workflow's steps in order, as the state machine does; stop after ``fail_after``."""
    deps = world.deps
    plan: RotationPlan = steps.prepare(_request(action), RotationExecution(arn="arn:x", started_at=NOW), deps)
    if fail_after == "prepare":
        return None
    step = CredentialStep(step="stage", plan=plan)
    staged = steps.stage(step, deps).credentials
    verified = None
    actions: dict[str, Callable[[CredentialStep], object]] = {
        "apply": lambda s: steps.apply(s, deps, NOW),
        "check_applied": lambda s: steps.check(s, deps, NOW),
        "verify": lambda s: steps.verify(s, deps),
        "promote": lambda s: steps.promote(s, deps),
        "finalize": lambda s: steps.finalize(s, deps, NOW),
        "check_finalized": lambda s: steps.check(s, deps, NOW),
    }
    if fail_after == "stage":
        return None
    for name, action_of in actions.items():
        result = action_of(CredentialStep(step=name, plan=plan, credentials=staged))
        if isinstance(result, VerifyResult):
            verified = result
        if name == fail_after:
            return None
    return verified


def _token_calls(world: World) -> list[str]:
    return [strategy for op, _, strategy in world.credentials.calls if op == "ModifyReplicationGroup"]


def test_a_full_token_rotation_rotates_verifies_promotes_and_sets(world: World) -> None:
    verified = _run(world)
    (new,) = world.generated
    assert _token_calls(world) == ["ROTATE", "SET"]
    assert world.credentials.tokens["orders"] == [new]
    assert world.secrets.current_value(token_secret_name(STACK, "orders")) == new
    assert verified is not None and verified.summary == "rotate_auth_token: AUTH token: verified"


def test_rotate_keeps_the_old_token_beside_the_new_one_until_set(world: World) -> None:
    _run(world, fail_after="promote")
    (new,) = world.generated
    assert world.credentials.tokens["orders"] == [OLD, new]
    assert world.secrets.current_value(token_secret_name(STACK, "orders")) == new


@pytest.mark.parametrize("fail_after", [s for s in STEPS if s != "check_finalized"])
def test_a_retry_after_a_failure_anywhere_completes_with_one_new_token(world: World, fail_after: str) -> None:
    _run(world, fail_after=fail_after)
    _run(world)
    assert len(world.generated) == 1, "a second token was generated"
    (new,) = world.generated
    assert _token_calls(world).count("ROTATE") <= 1
    assert world.credentials.tokens["orders"] == [new]
    assert world.secrets.current_value(token_secret_name(STACK, "orders")) == new


def test_a_rotate_whose_label_was_never_written_is_not_repeated(world: World) -> None:
    # Given the ROTATE call went through but the function died before labelling the version
    deps = world.deps
    plan = steps.prepare(_request(), RotationExecution(arn="a", started_at=NOW), deps)
    (staged,) = steps.stage(CredentialStep(step="stage", plan=plan), deps).credentials
    world.credentials.change_token("orders", SecretStr(world.generated[0]), "ROTATE")
    world.credentials.groups["orders"] = group_with(status="modifying", auth_token_status="ROTATING")
    # When the step runs again
    result = steps.apply(CredentialStep(step="apply", plan=plan, credentials=(staged,)), deps, NOW)
    # Then it makes no second ROTATE
    assert result.calls == 0
    assert _token_calls(world) == ["ROTATE"]


@pytest.mark.parametrize(
    ("group", "reason"),
    [
        (group_with(auth_token_enabled=False), "no AUTH token in use"),
        (group_with(transit_encryption=False), "in-transit encryption"),
        (group_with(status="modifying"), "busy"),
        (group_with(pending_modifications=("AuthTokenStatus",)), "busy"),
        (group_with(busy_member=True), r"busy \(member orders-0001-002 is modifying\)"),
    ],
)
def test_refusals_change_nothing(world: World, group: GroupAuth, reason: str) -> None:
    world.credentials.groups["orders"] = group
    with pytest.raises(RotationRefusedError, match=reason):
        _run(world)
    assert world.credentials.calls == []
    assert world.generated == []


def test_a_token_that_does_not_log_in_is_not_promoted(world: World) -> None:
    world.login.reachable = True
    world.login.logs_in = lambda *args: False  # type: ignore[method-assign]
    with pytest.raises(CredentialRejectedError) as raised:
        _run(world)
    assert world.secrets.current_value(token_secret_name(STACK, "orders")) == OLD
    assert world.generated[0] not in str(raised.value)


def test_no_network_path_is_recorded_not_fatal(world: World) -> None:
    world.login.reachable = False
    verified = _run(world)
    assert verified is not None and verified.verified == ("not verified: no network path",)


def test_a_busy_group_at_apply_is_retried_later(world: World) -> None:
    world.credentials.busy_answers = 1
    with pytest.raises(CredentialBusyError):
        _run(world)
    _run(world)
    assert len(world.generated) == 1


def test_user_password_rotation_holds_two_passwords_then_one(world: World) -> None:
    _run(world, action="rotate_user_password", fail_after="promote")
    (new,) = world.generated
    assert world.credentials.passwords["app-user"] == [new, OLD_PW]
    _run(world, action="rotate_user_password")
    assert world.credentials.passwords["app-user"] == [new]
    assert world.secrets.current_value(user_secret_name(STACK, "orders", "app-user")) == new


def test_a_user_without_a_secret_is_refused(world: World) -> None:
    world.policies.put_cluster("orders", {"rotation": {"users": ["someone"]}})
    world.credentials.add_user(UserAuth("someone", "someone", "active", "password", 1), "p" * 20)
    with pytest.raises(RotationRefusedError, match="current password"):
        _run(world, action="rotate_user_password")
    assert world.credentials.calls == []


def test_the_token_secret_is_created_under_the_naming_convention_when_missing(world: World) -> None:
    world.secrets.secrets.clear()
    _run(world)
    arn = world.secrets.find(token_secret_name(STACK, "orders"))
    assert arn is not None
    assert world.secrets.secrets[arn].tags["elasticache-autoscaler:stack"] == STACK


def test_wire_models_never_echo_input_in_errors() -> None:
    with pytest.raises(ValueError) as raised:
        RotationRequest.model_validate(
            {"cluster": "orders", "action": "rotate_auth_token", "token": "s3cr3t"}
        )
    assert "s3cr3t" not in str(raised.value)


def test_the_record_key_travels_unchanged() -> None:
    assert _request().record == RecordKey(cluster="orders", decided_at="2026-03-01T12:00:00Z")


def test_a_token_changed_in_the_same_second_the_version_was_staged_is_still_rotated(world: World) -> None:
    # dates are whole seconds on some APIs: "modified at the staging second" is not "rotated with it"
    world.credentials.groups["orders"] = group_with(auth_token_last_modified=world.secrets.clock[0])
    _run(world)
    assert _token_calls(world) == ["ROTATE", "SET"]
