"""The rotation workflow's steps. Each one re-reads what it needs and is idempotent, so an execution that
failed anywhere can be retried from the start and completes without a second, different ROTATE.

Progress lives in the secret's staging labels, not in the workflow:

* ``AWSPENDING`` on a version: a new credential is staged (a retry reuses it);
* ``ECAS_ROTATED`` on a version: ElastiCache accepts it beside the old one (after ROTATE / two passwords);
* ``AWSCURRENT`` on it: promoted, clients read it; ``ECAS_ROTATED`` removed: SET / one password, done;
* ``ecas-<hash of the decision>`` on it: the version this decision staged, so that a retry after SET
  finishes instead of starting a second rotation.

A ROTATE whose label was never written (failure right after the call) is recognised from the group: a
pending ``AuthTokenStatus`` or an ``AuthTokenLastModifiedDate`` after the version was staged.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import SecretStr

from elasticache_autoscaler.adapters.elasticache_credentials import CredentialsPort, GroupAuth
from elasticache_autoscaler.adapters.policy_store import PolicySource
from elasticache_autoscaler.adapters.redis_login import LoginPort
from elasticache_autoscaler.adapters.secrets import SecretsPort, SecretVersion
from elasticache_autoscaler.errors import CredentialBusyError
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.rotation import (
    ApplyResult,
    Credential,
    CredentialStep,
    FinalizeResult,
    PromoteResult,
    RotationCheckResult,
    RotationExecution,
    RotationPlan,
    RotationRequest,
    StageResult,
    Verification,
    VerifyResult,
)
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.rotation.errors import (
    CredentialRejectedError,
    RotationRefusedError,
)
from elasticache_autoscaler.rotation.tokens import new_credential

PENDING, CURRENT, ROTATED = "AWSPENDING", "AWSCURRENT", "ECAS_ROTATED"
STACK_TAG = "elasticache-autoscaler:stack"
NO_PATH: Verification = "not verified: no network path"


@dataclass(frozen=True)
class RotationDeps:
    credentials: CredentialsPort
    secrets: SecretsPort
    policies: PolicySource
    login: LoginPort
    stack_name: str
    kms_key_id: str
    verify_tls: Literal["auto", "off"] = "auto"
    generate: Callable[[], SecretStr] = new_credential


def token_secret_name(stack: str, cluster: str) -> str:
    return f"elasticache-autoscaler/{stack}/{cluster}/auth-token"


def user_secret_name(stack: str, cluster: str, user_id: str) -> str:
    return f"elasticache-autoscaler/{stack}/{cluster}/users/{user_id}"


def _with(versions: list[SecretVersion], label: str) -> SecretVersion | None:
    return next((v for v in versions if label in v.stages), None)


def _version(versions: list[SecretVersion], version_id: str | None) -> SecretVersion:
    found = next((v for v in versions if v.version_id == version_id), None)
    if found is None:
        raise RotationRefusedError(f"secret version {version_id} is gone: start a new rotation")
    return found


def decision_label(record: RecordKey) -> str:
    digest = hashlib.sha256(f"{record.cluster}|{record.decided_at}".encode()).hexdigest()
    return f"ecas-{digest[:24]}"


def _busy_reason(group: GroupAuth) -> str:
    return f"the group is busy ({group.busy_because()})"


# ---- prepare -----------------------------------------------------------------------------------
def prepare(request: RotationRequest, execution: RotationExecution, deps: RotationDeps) -> RotationPlan:
    """Check the preconditions and resolve each credential's secret; refuse (nothing changed) otherwise."""
    policy = deps.policies.policy_for(request.cluster)
    group = deps.credentials.group_auth(request.cluster)
    credentials: tuple[Credential, ...]
    if request.action == "rotate_auth_token":
        credentials = (_token_credential(request.cluster, group, policy, deps),)
    else:
        credentials = _user_credentials(request, group, policy, deps)
    resumed = any(_with(deps.secrets.versions(c.secret_arn), ROTATED) for c in credentials)
    if not resumed and group.busy_because() is not None:
        raise RotationRefusedError(f"{request.cluster}: {_busy_reason(group)}")
    logger.info("rotation planned", cluster=request.cluster, action=request.action, resumed=resumed)
    return RotationPlan(
        cluster=request.cluster,
        action=request.action,
        credentials=credentials,
        grace_period_seconds=policy.rotation.grace_period_seconds,
        check_interval_seconds=policy.check_interval_seconds,
        timeout_seconds=policy.action_timeout_seconds,
        started_at=execution.started_at,
        record=request.record,
        resumed=resumed,
    )


def _token_credential(cluster: str, group: GroupAuth, policy: Policy, deps: RotationDeps) -> Credential:
    if not group.transit_encryption:
        raise RotationRefusedError(f"{cluster}: AUTH token rotation needs in-transit encryption")
    if not group.auth_token_enabled:
        raise RotationRefusedError(
            f"{cluster}: the group has no AUTH token in use (never ROTATE one without)"
        )
    name = policy.rotation.secret_arn or token_secret_name(deps.stack_name, cluster)
    arn = deps.secrets.find(name)
    if arn is None and policy.rotation.secret_arn:
        raise RotationRefusedError(f"{cluster}: secret {name} (policy rotation.secretArn) not found")
    if arn is None:
        arn = deps.secrets.create(name, deps.kms_key_id, {STACK_TAG: deps.stack_name, "cluster": cluster})
    return Credential(kind="auth_token", secret_arn=arn)


def _user_credentials(
    request: RotationRequest, group: GroupAuth, policy: Policy, deps: RotationDeps
) -> tuple[Credential, ...]:
    users = request.users or policy.rotation.users
    if not users:
        raise RotationRefusedError(f"{request.cluster}: no users named (policy rotation.users)")
    found = []
    for user_id in users:
        user = deps.credentials.user(user_id)
        if user is None:
            raise RotationRefusedError(f"{request.cluster}: user {user_id} not found")
        if user.authentication_type != "password":
            raise RotationRefusedError(f"{request.cluster}: user {user_id} does not use passwords")
        name = policy.rotation.user_secret_arns.get(user_id) or user_secret_name(
            deps.stack_name, request.cluster, user_id
        )
        arn = deps.secrets.find(name)
        if arn is None or _with(deps.secrets.versions(arn), CURRENT) is None:
            raise RotationRefusedError(
                f"{request.cluster}: no secret {name} holding user {user_id}'s current password"
            )
        if user.status != "active" and not _with(deps.secrets.versions(arn), ROTATED):
            raise RotationRefusedError(f"{request.cluster}: user {user_id} is {user.status}")
        found.append(
            Credential(kind="user_password", secret_arn=arn, user_id=user_id, user_name=user.user_name)
        )
    return tuple(found)


# ---- stage -------------------------------------------------------------------------------------
def stage(step: CredentialStep, deps: RotationDeps) -> StageResult:
    """The version to roll out: the one in progress, the staged one, the one this decision already rolled
    out (a retry after SET), else a new AWSPENDING one."""
    label = decision_label(step.plan.record)
    staged = []
    for credential in step.plan.credentials:
        versions = deps.secrets.versions(credential.secret_arn)
        current = _with(versions, CURRENT)
        pending = _with(versions, PENDING)
        done = _with(versions, label)
        if done is not None and done not in (current, pending) and ROTATED not in done.stages:
            raise RotationRefusedError(f"{step.plan.cluster}: this decision's credential was superseded")
        # AWSPENDING stays until promote (a brand-new secret's first version is AWSCURRENT at once too)
        ours = _with(versions, ROTATED) or pending or done
        if ours is not None:
            version_id = ours.version_id
        else:
            version_id = deps.secrets.put_pending(credential.secret_arn, deps.generate(), str(uuid.uuid4()))
            deps.secrets.move_label(credential.secret_arn, label, version_id, None)
        staged.append(credential.model_copy(update={"version_id": version_id}))
    return StageResult(credentials=tuple(staged))


# ---- apply: ROTATE / two passwords -------------------------------------------------------------
def apply(step: CredentialStep, deps: RotationDeps, now: datetime) -> ApplyResult:
    calls = 0
    for credential in step.staged:
        versions = deps.secrets.versions(credential.secret_arn)
        version = _version(versions, credential.version_id)
        if ROTATED in version.stages or (CURRENT in version.stages and PENDING not in version.stages):
            continue  # already beside the old one, or already promoted (and SET)
        other = _with(versions, ROTATED)
        if other is not None:
            raise RotationRefusedError(f"{step.plan.cluster}: another version is rotated but not yet SET")
        if credential.kind == "auth_token":
            calls += _rotate_token(step.plan.cluster, credential, version, deps)
        else:
            calls += _add_password(credential, versions, deps)
        deps.secrets.move_label(credential.secret_arn, ROTATED, version.version_id, None)
    return ApplyResult(started_at=now, calls=calls)


def _rotate_token(cluster: str, credential: Credential, version: SecretVersion, deps: RotationDeps) -> int:
    group = deps.credentials.group_auth(cluster)
    modified = group.auth_token_last_modified
    # strictly after: both dates can be whole seconds, and a group created in the second the version was
    # staged has not seen this token
    if group.auth_token_status is not None or (modified is not None and modified > version.created):
        logger.info("ROTATE with this version already made", cluster=cluster, version=version.version_id)
        return 0
    if group.busy_because() is not None:
        raise CredentialBusyError(f"{cluster}: {_busy_reason(group)}")
    token = deps.secrets.value(credential.secret_arn, version.version_id)
    deps.credentials.change_token(cluster, token, "ROTATE")
    logger.info("AUTH token ROTATE requested", cluster=cluster, version=version.version_id)
    return 1


def _add_password(credential: Credential, versions: list[SecretVersion], deps: RotationDeps) -> int:
    """ModifyUser(Passwords=[new, current]): both log in until finalize. Absolute, so a retry is harmless."""
    user_id = str(credential.user_id)
    current = _with(versions, CURRENT)
    if current is None:
        raise RotationRefusedError(f"user {user_id}: the secret has no AWSCURRENT version")
    user = deps.credentials.user(user_id)
    if user is None or user.status != "active":
        raise CredentialBusyError(f"user {user_id} is {user.status if user else 'gone'}")
    new = deps.secrets.value(credential.secret_arn, str(credential.version_id))
    old = deps.secrets.value(credential.secret_arn, current.version_id)
    deps.credentials.set_passwords(user_id, (new, old))
    logger.info("second password added", user=user_id, version=credential.version_id)
    return 1


# ---- wait until the change is applied ----------------------------------------------------------
def check(step: CredentialStep, deps: RotationDeps, now: datetime) -> RotationCheckResult:
    waiting: list[str] = []
    if step.plan.action == "rotate_auth_token":
        group = deps.credentials.group_auth(step.plan.cluster)
        if group.busy_because() is not None:
            waiting.append(_busy_reason(group))
    else:
        for credential in step.staged:
            user = deps.credentials.user(str(credential.user_id))
            if user is None or user.status != "active":
                waiting.append(f"user {credential.user_id} {user.status if user else 'gone'}")
    since = step.since or step.plan.started_at
    done = not waiting
    return RotationCheckResult(
        done=done,
        timed_out=not done and (now - since).total_seconds() > step.plan.timeout_seconds,
        waiting_for="; ".join(waiting) or None,
    )


# ---- verify ------------------------------------------------------------------------------------
def verify(step: CredentialStep, deps: RotationDeps) -> VerifyResult:
    """Log in with each new credential before it is promoted; refused means stop (the old one still works)."""
    group = deps.credentials.group_auth(step.plan.cluster)
    tls = group.transit_encryption and deps.verify_tls == "auto"
    results: list[Verification] = []
    for credential in step.staged:
        value = deps.secrets.value(credential.secret_arn, str(credential.version_id))
        username = credential.user_name if credential.kind == "user_password" else None
        answer = (
            None
            if group.host is None or group.port is None
            else deps.login.logs_in(group.host, group.port, tls, username, value)
        )
        what = f"user {credential.user_id}" if username else "AUTH token"
        if answer is False:
            raise CredentialRejectedError(f"{step.plan.cluster}: the new {what} did not log in: not promoted")
        results.append("verified" if answer else NO_PATH)
    names = [f"user {c.user_id}" if c.user_id else "AUTH token" for c in step.staged]
    summary = "; ".join(f"{name}: {result}" for name, result in zip(names, results, strict=True))
    return VerifyResult(summary=f"{step.plan.action}: {summary}", verified=tuple(results))


# ---- promote -----------------------------------------------------------------------------------
def promote(step: CredentialStep, deps: RotationDeps) -> PromoteResult:
    promoted = 0
    for credential in step.staged:
        versions = deps.secrets.versions(credential.secret_arn)
        version = _version(versions, credential.version_id)
        if CURRENT not in version.stages:
            holder = _with(versions, CURRENT)
            deps.secrets.move_label(
                credential.secret_arn, CURRENT, version.version_id, holder.version_id if holder else None
            )
            promoted += 1
        if PENDING in version.stages:
            deps.secrets.remove_label(credential.secret_arn, PENDING, version.version_id)
    return PromoteResult(promoted=promoted)


# ---- finalize: SET / one password --------------------------------------------------------------
def finalize(step: CredentialStep, deps: RotationDeps, now: datetime) -> FinalizeResult:
    """After the grace period: only the new credential logs in."""
    calls = 0
    for credential in step.staged:
        versions = deps.secrets.versions(credential.secret_arn)
        version = _version(versions, credential.version_id)
        if ROTATED not in version.stages:
            continue
        value = deps.secrets.value(credential.secret_arn, version.version_id)
        if credential.kind == "auth_token":
            group = deps.credentials.group_auth(step.plan.cluster)
            if group.auth_token_status is None:
                if group.busy_because() is not None:
                    raise CredentialBusyError(f"{step.plan.cluster}: {_busy_reason(group)}")
                deps.credentials.change_token(step.plan.cluster, value, "SET")
                calls += 1
        else:
            deps.credentials.set_passwords(str(credential.user_id), (value,))
            calls += 1
        deps.secrets.remove_label(credential.secret_arn, ROTATED, version.version_id)
        logger.info("old credential dropped", cluster=step.plan.cluster, version=version.version_id)
    return FinalizeResult(started_at=now, calls=calls)
