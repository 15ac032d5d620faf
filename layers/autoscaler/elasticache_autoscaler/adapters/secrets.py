"""Secrets Manager: the credentials' store. Values travel as ``SecretStr`` and never reach a log or an error.

One secret per credential; its versions carry the rotation's progress in staging labels (see
rotation/steps.py): ``AWSPENDING`` (staged), ``ECAS_ROTATED`` (in use beside the old one), ``AWSCURRENT``.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.exceptions import ClientError, ParamValidationError
from pydantic import SecretStr

from elasticache_autoscaler.adapters.aws import RETRIES
from elasticache_autoscaler.rotation.errors import CredentialCallError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

NOT_FOUND = "ResourceNotFoundException"


@dataclass(frozen=True)
class SecretVersion:
    version_id: str
    stages: frozenset[str]
    created: datetime


class SecretsPort(Protocol):
    def find(self, name_or_arn: str) -> str | None: ...
    def create(self, name: str, kms_key_id: str, tags: dict[str, str]) -> str: ...
    def versions(self, arn: str) -> list[SecretVersion]: ...
    def put_pending(self, arn: str, value: SecretStr, request_token: str) -> str: ...
    def value(self, arn: str, version_id: str) -> SecretStr: ...
    def move_label(self, arn: str, label: str, to_version: str, from_version: str | None) -> None: ...
    def remove_label(self, arn: str, label: str, version_id: str) -> None: ...


def _failed(operation: str, error: Exception) -> CredentialCallError:
    code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
    return CredentialCallError(f"secretsmanager {operation} failed: {code}")


class SecretsManager:
    def __init__(self, client: "SecretsManagerClient | None" = None) -> None:
        self._client = client or boto3.client("secretsmanager", config=RETRIES)

    def find(self, name_or_arn: str) -> str | None:
        try:
            return self._client.describe_secret(SecretId=name_or_arn)["ARN"]
        except ClientError as error:
            if error.response["Error"]["Code"] == NOT_FOUND:
                return None
            raise _failed("DescribeSecret", error) from None

    def create(self, name: str, kms_key_id: str, tags: dict[str, str]) -> str:
        try:
            return self._client.create_secret(
                Name=name,
                KmsKeyId=kms_key_id,
                Description="ElastiCache credential rotated by the ElastiCache Autoscaler",
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )["ARN"]
        except ClientError as error:
            raise _failed("CreateSecret", error) from None

    def versions(self, arn: str) -> list[SecretVersion]:
        try:
            found: list[SecretVersion] = []
            token: str | None = None
            while True:
                page = (
                    self._client.list_secret_version_ids(SecretId=arn, NextToken=token)
                    if token
                    else self._client.list_secret_version_ids(SecretId=arn)
                )
                found += [
                    SecretVersion(
                        v["VersionId"],
                        frozenset(v.get("VersionStages", ())),
                        v.get("CreatedDate", datetime.now(UTC)),
                    )
                    for v in page.get("Versions", [])
                ]
                token = page.get("NextToken")
                if not token:
                    return found
        except ClientError as error:
            raise _failed("ListSecretVersionIds", error) from None

    def put_pending(self, arn: str, value: SecretStr, request_token: str) -> str:
        try:
            return self._client.put_secret_value(
                SecretId=arn,
                SecretString=value.get_secret_value(),
                ClientRequestToken=request_token,
                VersionStages=["AWSPENDING"],
            )["VersionId"]
        except (ClientError, ParamValidationError) as error:
            raise _failed("PutSecretValue", error) from None

    def value(self, arn: str, version_id: str) -> SecretStr:
        try:
            answer = self._client.get_secret_value(SecretId=arn, VersionId=version_id)
        except ClientError as error:
            raise _failed("GetSecretValue", error) from None
        return SecretStr(answer["SecretString"])

    def move_label(self, arn: str, label: str, to_version: str, from_version: str | None) -> None:
        try:
            if from_version is None:
                self._client.update_secret_version_stage(
                    SecretId=arn, VersionStage=label, MoveToVersionId=to_version
                )
            else:
                self._client.update_secret_version_stage(
                    SecretId=arn,
                    VersionStage=label,
                    MoveToVersionId=to_version,
                    RemoveFromVersionId=from_version,
                )
        except ClientError as error:
            raise _failed("UpdateSecretVersionStage", error) from None

    def remove_label(self, arn: str, label: str, version_id: str) -> None:
        try:
            self._client.update_secret_version_stage(
                SecretId=arn, VersionStage=label, RemoveFromVersionId=version_id
            )
        except ClientError as error:
            raise _failed("UpdateSecretVersionStage", error) from None


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
