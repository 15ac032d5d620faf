"""Secrets Manager: the credentials' store. Values travel as ``SecretStr`` and never reach a log or an error.

One secret per credential; its versions carry the rotation's progress in staging labels (see
rotation/steps.py): ``AWSPENDING`` (staged), ``ECAS_ROTATED`` (in use beside the old one), ``AWSCURRENT``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.exceptions import ClientError, ParamValidationError
from pydantic import SecretStr

from elasticache_autoscaler.adapters.aws import RETRIES
from elasticache_autoscaler.errors import CredentialCallError

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
