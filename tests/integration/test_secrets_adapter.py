"""The Secrets Manager adapter against moto: staging labels move as the rotation needs them."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import SecretStr

from elasticache_autoscaler.adapters.secrets import SecretsManager
from elasticache_autoscaler.errors import CredentialCallError


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_create_stage_promote_and_label(client: Any) -> None:
    store = SecretsManager(client)
    assert store.find("elasticache-autoscaler/s/orders/auth-token") is None
    arn = store.create("elasticache-autoscaler/s/orders/auth-token", "alias/aws/secretsmanager", {"k": "v"})
    assert store.find("elasticache-autoscaler/s/orders/auth-token") == arn
    first = store.put_pending(arn, SecretStr("a" * 32), "11111111-1111-1111-1111-111111111111")
    # a secret's first version is AWSCURRENT at once, even when staged as AWSPENDING
    assert {v.version_id: v.stages for v in store.versions(arn)}[first] >= {"AWSCURRENT", "AWSPENDING"}
    store.remove_label(arn, "AWSPENDING", first)
    second = store.put_pending(arn, SecretStr("b" * 32), "22222222-2222-2222-2222-222222222222")
    store.move_label(arn, "ECAS_ROTATED", second, None)
    stages = {v.version_id: v.stages for v in store.versions(arn)}
    assert "AWSPENDING" in stages[second] and "ECAS_ROTATED" in stages[second]
    assert "AWSCURRENT" in stages[first]
    store.move_label(arn, "AWSCURRENT", second, first)
    store.remove_label(arn, "AWSPENDING", second)
    store.remove_label(arn, "ECAS_ROTATED", second)
    stages = {v.version_id: v.stages for v in store.versions(arn)}
    assert stages[second] == frozenset({"AWSCURRENT"})
    assert "AWSPREVIOUS" in stages[first]
    assert store.value(arn, second).get_secret_value() == "b" * 32


def test_errors_name_the_code_never_the_value(client: Any) -> None:
    store = SecretsManager(client)
    with pytest.raises(CredentialCallError) as raised:
        store.put_pending(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope", SecretStr("c" * 40), "x" * 36
        )
    assert "c" * 40 not in str(raised.value)
    assert "ResourceNotFoundException" in str(raised.value)
