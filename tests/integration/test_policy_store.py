"""The SSM policy store against moto: default + per-cluster override, deep merge, caching, clear errors."""

import json
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from botocore.exceptions import ClientError
from moto import mock_aws

from elasticache_autoscaler.adapters.policy_store import (
    InvalidPolicyError,
    PolicySource,
    PolicyStore,
    PolicyStoreUnavailableError,
)
from elasticache_autoscaler.models.actions import Action
from tests.fakes.policy_store import InMemoryPolicyStore

PREFIX = "/elasticache-autoscaler/test-stack"


@pytest.fixture
def ssm() -> Iterator[object]:
    with mock_aws():
        yield boto3.client("ssm", region_name="us-east-1")


def put(ssm: object, name: str, value: object) -> None:
    text = value if isinstance(value, str) else json.dumps(value)
    ssm.put_parameter(Name=name, Value=text, Type="String", Overwrite=True)  # type: ignore[attr-defined]


def store(ssm: object, max_age: int = 0) -> PolicyStore:
    return PolicyStore(PREFIX, parameters.SSMProvider(boto3_client=ssm), max_age=max_age)  # type: ignore[arg-type]


def test_no_parameters_at_all_gives_the_safe_defaults(ssm: object) -> None:
    policy = store(ssm).policy_for("orders")

    assert policy.mode == "observe"
    assert policy.targets.memory_percent == 75.0


def test_cluster_override_deep_merges_over_the_stack_default(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"mode": "act", "targets": {"memoryPercent": 65, "writeCpuPercent": 50}})
    put(ssm, f"{PREFIX}/clusters/orders", {"targets": {"memoryPercent": 80}, "maxShards": 4})

    policy = store(ssm).policy_for("orders")

    assert policy.mode == "act"
    assert policy.targets.memory_percent == 80
    assert policy.targets.write_cpu_percent == 50
    assert policy.max_shards == 4


def test_another_cluster_only_gets_the_default(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"maxShards": 6})
    put(ssm, f"{PREFIX}/clusters/orders", {"maxShards": 4})

    assert store(ssm).policy_for("sessions").max_shards == 6


def test_lists_in_the_override_replace_the_defaults_list(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"approvalRequired": ["scale_down", "remove_shards"]})
    put(ssm, f"{PREFIX}/clusters/orders", {"approvalRequired": ["remove_replicas"]})

    assert store(ssm).policy_for("orders").approval_required == frozenset({Action.REMOVE_REPLICAS})


def test_a_bad_field_is_named_and_its_value_never_echoed(ssm: object) -> None:
    put(ssm, f"{PREFIX}/clusters/orders", {"targets": {"memoryPercent": 170}, "secretArn": "hunter2-token"})

    with pytest.raises(InvalidPolicyError) as raised:
        store(ssm).policy_for("orders")

    message = str(raised.value)
    assert "targets.memoryPercent" in message
    assert "secretArn: unknown field" in message
    assert "170" not in message
    assert "hunter2" not in message
    assert f"{PREFIX}/clusters/orders" in message


def test_inverted_bounds_are_refused_by_name(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"minShards": 5, "maxShards": 2})

    with pytest.raises(InvalidPolicyError, match="minShards must not exceed maxShards"):
        store(ssm).policy_for("orders")


def test_text_that_is_not_json_names_the_parameter_not_the_text(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", "mode=act password=hunter2")

    with pytest.raises(InvalidPolicyError) as raised:
        store(ssm).policy_for("orders")

    assert f"{PREFIX}/default is not JSON" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_json_array_is_not_a_policy(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", [1, 2])

    with pytest.raises(InvalidPolicyError, match="must hold a JSON object"):
        store(ssm).policy_for("orders")


def test_an_invalid_policy_is_a_value_error_for_observe_to_record(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"mode": "yolo"})

    with pytest.raises(ValueError, match="mode"):
        store(ssm).policy_for("orders")


def test_values_are_cached_for_max_age(ssm: object) -> None:
    put(ssm, f"{PREFIX}/default", {"maxShards": 6})
    cached = store(ssm, max_age=300)
    assert cached.policy_for("orders").max_shards == 6

    put(ssm, f"{PREFIX}/default", {"maxShards": 3})

    assert cached.policy_for("orders").max_shards == 6
    assert store(ssm, max_age=0).policy_for("orders").max_shards == 3


def test_the_in_memory_fake_behaves_like_the_store(ssm: object) -> None:
    default, override = {"mode": "act", "targets": {"memoryPercent": 65}}, {"targets": {"readCpuPercent": 40}}
    put(ssm, f"{PREFIX}/default", default)
    put(ssm, f"{PREFIX}/clusters/orders", override)
    fake = InMemoryPolicyStore(prefix=PREFIX)
    fake.put_default(default)
    fake.put_cluster("orders", override)
    sources: list[PolicySource] = [store(ssm), fake]

    policies = [source.policy_for("orders") for source in sources]

    assert policies[0] == policies[1]


def test_the_fake_refuses_the_same_bad_policy() -> None:
    fake = InMemoryPolicyStore()
    fake.put_cluster("orders", {"maxStep": {"replicas": 0}})

    with pytest.raises(InvalidPolicyError, match=r"maxStep\.replicas"):
        fake.policy_for("orders")


class _DeniedProvider(parameters.SSMProvider):
    def _get(self, name: str, decrypt: bool = False, **sdk_options: object) -> str:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetParameter")


def test_an_unreadable_store_is_a_failure_not_a_default_policy(ssm: object) -> None:
    denied = PolicyStore(PREFIX, _DeniedProvider(boto3_client=ssm))  # type: ignore[arg-type]

    with pytest.raises(PolicyStoreUnavailableError, match=f"{PREFIX}/default"):
        denied.policy_for("orders")
