"""Fakes of the adapters the credential rotation uses: Secrets Manager, ElastiCache's credential calls and
the cache's data plane (who logs in)."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from pydantic import SecretStr

from elasticache_autoscaler.adapters.elasticache_credentials import GroupAuth, TokenStrategy, UserAuth
from elasticache_autoscaler.adapters.secrets import NOT_FOUND, SecretVersion
from elasticache_autoscaler.errors import ClusterNotFoundError, CredentialBusyError, CredentialCallError


@dataclass
class _Secret:
    arn: str
    name: str
    tags: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    stages: dict[str, set[str]] = field(default_factory=dict)
    created: dict[str, datetime] = field(default_factory=dict)


@dataclass
class InMemorySecrets:
    """The fake: staging labels move as Secrets Manager moves them (AWSCURRENT leaves AWSPREVIOUS behind)."""

    secrets: dict[str, _Secret] = field(default_factory=dict)
    clock: list[datetime] = field(default_factory=lambda: [datetime(2026, 1, 1, tzinfo=UTC)])

    def _get(self, name_or_arn: str) -> _Secret:
        for secret in self.secrets.values():
            if name_or_arn in (secret.arn, secret.name):
                return secret
        raise CredentialCallError(f"secretsmanager: {NOT_FOUND}")

    def seed(self, name: str, value: str | None, tags: dict[str, str] | None = None) -> str:
        arn = self.create(name, "alias/test", tags or {})
        if value is not None:
            version = f"v{len(self.secrets[arn].values)}-seed"
            self.secrets[arn].values[version] = value
            self.secrets[arn].stages[version] = {"AWSCURRENT"}
            self.secrets[arn].created[version] = self.clock[0]
        return arn

    def find(self, name_or_arn: str) -> str | None:
        try:
            return self._get(name_or_arn).arn
        except CredentialCallError:
            return None

    def create(self, name: str, kms_key_id: str, tags: dict[str, str]) -> str:
        arn = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"
        self.secrets[arn] = _Secret(arn, name, dict(tags))
        return arn

    def versions(self, arn: str) -> list[SecretVersion]:
        secret = self._get(arn)
        return [SecretVersion(v, frozenset(secret.stages[v]), secret.created[v]) for v in secret.values]

    def put_pending(self, arn: str, value: SecretStr, request_token: str) -> str:
        secret = self._get(arn)
        if request_token not in secret.values:
            for stages in secret.stages.values():
                stages.discard("AWSPENDING")
            secret.values[request_token] = value.get_secret_value()
            first = not any("AWSCURRENT" in s for s in secret.stages.values())
            # as Secrets Manager does: a secret's first version is AWSCURRENT whatever was asked
            secret.stages[request_token] = {"AWSPENDING", "AWSCURRENT"} if first else {"AWSPENDING"}
            secret.created[request_token] = self.clock[0]
        return request_token

    def value(self, arn: str, version_id: str) -> SecretStr:
        return SecretStr(self._get(arn).values[version_id])

    def move_label(self, arn: str, label: str, to_version: str, from_version: str | None) -> None:
        secret = self._get(arn)
        holder = next((v for v, s in secret.stages.items() if label in s), None)
        if holder not in (None, to_version, from_version):
            raise CredentialCallError(
                "secretsmanager UpdateSecretVersionStage failed: InvalidParameterException"
            )
        for stages in secret.stages.values():
            stages.discard(label)
        if label == "AWSCURRENT" and holder not in (None, to_version):
            for stages in secret.stages.values():
                stages.discard("AWSPREVIOUS")
            secret.stages[holder].add("AWSPREVIOUS")
        secret.stages[to_version].add(label)

    def remove_label(self, arn: str, label: str, version_id: str) -> None:
        self._get(arn).stages[version_id].discard(label)

    def current_value(self, name_or_arn: str) -> str:
        secret = self._get(name_or_arn)
        return next(secret.values[v] for v, s in secret.stages.items() if "AWSCURRENT" in s)


@dataclass
class InMemoryCredentials:
    """The fake: token changes and password lists as ElastiCache applies them (instantly)."""

    groups: dict[str, GroupAuth] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    users: dict[str, UserAuth] = field(default_factory=dict)
    passwords: dict[str, list[str]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (operation, id, strategy)
    busy_answers: int = 0

    def add_group(self, group: GroupAuth, token: str | None) -> None:
        self.groups[group.group_id] = group
        self.tokens[group.group_id] = [token] if token else []

    def add_user(self, user: UserAuth, password: str) -> None:
        self.users[user.user_id] = user
        self.passwords[user.user_id] = [password]

    def group_auth(self, group_id: str) -> GroupAuth:
        if group_id not in self.groups:
            raise ClusterNotFoundError(f"replication group {group_id} not found")
        return self.groups[group_id]

    def change_token(self, group_id: str, token: SecretStr, strategy: TokenStrategy) -> None:
        self.calls.append(("ModifyReplicationGroup", group_id, strategy))
        if self.busy_answers:
            self.busy_answers -= 1
            raise CredentialBusyError(f"{group_id} is busy (InvalidReplicationGroupState)")
        value = token.get_secret_value()
        current = self.tokens[group_id]
        self.tokens[group_id] = [*current[-1:], value] if strategy == "ROTATE" else [value]

    def user(self, user_id: str) -> UserAuth | None:
        return self.users.get(user_id)

    def set_passwords(self, user_id: str, passwords: tuple[SecretStr, ...]) -> None:
        self.calls.append(("ModifyUser", user_id, str(len(passwords))))
        if self.busy_answers:
            self.busy_answers -= 1
            raise CredentialBusyError(f"user {user_id} is busy (InvalidUserState)")
        self.passwords[user_id] = [p.get_secret_value() for p in passwords]
        self.users[user_id] = replace(self.users[user_id], password_count=len(passwords))


@dataclass
class InMemoryLogin:
    """The fake data plane: which (username, password) pairs log in; ``reachable`` False = no path."""

    accepted: set[tuple[str | None, str]] = field(default_factory=set)
    reachable: bool = True
    attempts: int = 0

    def logs_in(
        self, host: str, port: int, tls: bool, username: str | None, password: SecretStr
    ) -> bool | None:
        self.attempts += 1
        if not self.reachable:
            return None
        return (username, password.get_secret_value()) in self.accepted
