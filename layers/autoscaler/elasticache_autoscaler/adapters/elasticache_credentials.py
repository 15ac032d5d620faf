"""ElastiCache for credential rotation: a group's AUTH state, ROTATE/SET of its token, RBAC user passwords.

Separate from adapters/elasticache.py on purpose: only the rotation function holds it (and the IAM to
send an ``AuthToken``); the scaling functions cannot. Credentials travel as ``SecretStr``; a failed call
raises with the error code only (botocore's messages could echo a parameter).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from botocore.exceptions import ClientError, ParamValidationError
from pydantic import SecretStr

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.elasticache import describe_group, describe_members, topology_from
from elasticache_autoscaler.adapters.error_codes import GROUP_BUSY, USER_BUSY, USER_NOT_FOUND
from elasticache_autoscaler.adapters.request_fields import check_request
from elasticache_autoscaler.errors import CredentialBusyError, CredentialCallError
from elasticache_autoscaler.models.snapshot import Topology

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_elasticache.type_defs import (
        ModifyReplicationGroupMessageTypeDef,
        ModifyUserMessageTypeDef,
    )

TokenStrategy = Literal["ROTATE", "SET"]


@dataclass(frozen=True)
class GroupAuth:
    """A group's AUTH state: its ``Topology`` (status, quiescence, token flags, as the scaling functions read
    them: one parse of DescribeReplicationGroups) and what only rotation needs."""

    topology: Topology
    auth_token_status: str | None  # ROTATING / SETTING while a token change is pending
    host: str | None
    port: int | None

    @property
    def group_id(self) -> str:
        return self.topology.replication_group_id

    @property
    def transit_encryption(self) -> bool:
        return self.topology.transit_encryption

    @property
    def auth_token_enabled(self) -> bool:
        return self.topology.auth_token_enabled

    @property
    def auth_token_last_modified(self) -> datetime | None:
        return self.topology.auth_token_last_modified

    def busy_because(self) -> str | None:
        """Why the group cannot take a token change now (``Topology.not_quiescent_because``), or None."""
        return self.topology.not_quiescent_because()


@dataclass(frozen=True)
class UserAuth:
    user_id: str
    user_name: str
    status: str
    authentication_type: str
    password_count: int


class CredentialsPort(Protocol):
    def group_auth(self, group_id: str) -> GroupAuth: ...
    def change_token(self, group_id: str, token: SecretStr, strategy: TokenStrategy) -> None: ...
    def user(self, user_id: str) -> UserAuth | None: ...
    def set_passwords(self, user_id: str, passwords: tuple[SecretStr, ...]) -> None: ...


def group_auth_from(group: Mapping[str, Any], members: Mapping[str, Mapping[str, Any]]) -> GroupAuth:
    """From DescribeReplicationGroups' group and DescribeCacheClusters' members by id."""
    pending = group.get("PendingModifiedValues") or {}
    endpoint = group.get("ConfigurationEndpoint") or next(
        (ng.get("PrimaryEndpoint") for ng in group.get("NodeGroups", []) if ng.get("PrimaryEndpoint")), None
    )
    return GroupAuth(
        topology=topology_from(group, members),
        auth_token_status=pending.get("AuthTokenStatus"),
        host=endpoint.get("Address") if endpoint else None,
        port=int(endpoint["Port"]) if endpoint and endpoint.get("Port") else None,
    )


def token_request(
    group_id: str, token: SecretStr, strategy: TokenStrategy
) -> "ModifyReplicationGroupMessageTypeDef":
    return {
        "ReplicationGroupId": group_id,
        "AuthToken": token.get_secret_value(),
        "AuthTokenUpdateStrategy": strategy,
        "ApplyImmediately": True,
    }


def passwords_request(user_id: str, passwords: tuple[SecretStr, ...]) -> "ModifyUserMessageTypeDef":
    """ModifyUser replaces the user's whole password list (one or two): [new, old] keeps the old one."""
    return {"UserId": user_id, "Passwords": [p.get_secret_value() for p in passwords]}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


class ElastiCacheCredentials:
    def __init__(self, client: "ElastiCacheClient | None" = None) -> None:
        self._client = client or aws.elasticache()

    def group_auth(self, group_id: str) -> GroupAuth:
        group = describe_group(self._client, group_id)
        return group_auth_from(group, describe_members(self._client, group))

    def change_token(self, group_id: str, token: SecretStr, strategy: TokenStrategy) -> None:
        try:
            request = token_request(group_id, token, strategy)
            check_request("modify_replication_group", request)
            self._client.modify_replication_group(**request)
        except ClientError as error:
            if _code(error) in GROUP_BUSY:
                raise CredentialBusyError(f"{group_id} is busy ({_code(error)})") from None
            raise CredentialCallError(
                f"ModifyReplicationGroup {strategy} on {group_id}: {_code(error)}"
            ) from None
        except ParamValidationError:
            raise CredentialCallError(
                f"ModifyReplicationGroup {strategy} on {group_id}: invalid request"
            ) from None

    def user(self, user_id: str) -> UserAuth | None:
        try:
            (user,) = self._client.describe_users(UserId=user_id)["Users"]
        except ClientError as error:
            if _code(error) in USER_NOT_FOUND:
                return None
            raise
        auth = user.get("Authentication") or {}
        return UserAuth(
            user_id=user["UserId"],
            user_name=user.get("UserName") or user["UserId"],
            status=user.get("Status", "unknown"),
            authentication_type=auth.get("Type", "unknown"),
            password_count=int(auth.get("PasswordCount", 0)),
        )

    def set_passwords(self, user_id: str, passwords: tuple[SecretStr, ...]) -> None:
        try:
            request = passwords_request(user_id, passwords)
            check_request("modify_user", request)
            self._client.modify_user(**request)
        except ClientError as error:
            if _code(error) in USER_BUSY:
                raise CredentialBusyError(f"user {user_id} is busy ({_code(error)})") from None
            raise CredentialCallError(f"ModifyUser on {user_id}: {_code(error)}") from None
        except ParamValidationError:
            raise CredentialCallError(f"ModifyUser on {user_id}: invalid request") from None
