"""Policies in SSM Parameter Store: a stack-wide default plus per-cluster overrides, deep-merged, validated.

Parameter names: ``{prefix}/default`` and ``{prefix}/clusters/{cluster}``, each a JSON object.
Read with Powertools Parameters (cached for ``max_age`` seconds).
"""

import json
from typing import Any

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from pydantic import ValidationError

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.validation import name_the_fields

CACHE_SECONDS = 60


class InvalidPolicyError(ValueError):
    """The stored policy does not validate; the message names each bad field and never echoes a value."""


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def policy_from(default: dict[str, Any], override: dict[str, Any]) -> Policy:
    try:
        return Policy.model_validate(deep_merge(default, override))
    except ValidationError as error:
        raise InvalidPolicyError(name_the_fields(error)) from None


class PolicyStore:
    def __init__(self, prefix: str, provider: parameters.SSMProvider | None = None) -> None:
        self._prefix = prefix.rstrip("/")
        self._provider = provider or parameters.SSMProvider()

    def _read(self, name: str) -> dict[str, Any]:
        try:
            text = self._provider.get(name, max_age=CACHE_SECONDS)
        except GetParameterError:
            return {}
        try:
            value = json.loads(str(text))
        except json.JSONDecodeError as error:
            raise InvalidPolicyError(f"{name} is not JSON (line {error.lineno} column {error.colno})") from None
        if not isinstance(value, dict):
            raise InvalidPolicyError(f"{name} must hold a JSON object")
        return value

    def policy_for(self, cluster: str) -> Policy:
        return policy_from(self._read(f"{self._prefix}/default"), self._read(f"{self._prefix}/clusters/{cluster}"))
