"""Policies in SSM Parameter Store: a stack-wide default plus per-cluster overrides, deep-merged, validated.

Parameter names: ``{prefix}/default`` and ``{prefix}/clusters/{cluster}`` (prefix e.g.
``/elasticache-autoscaler/<stack>``), each a JSON object; either may be absent (built-in defaults: observe
mode). Read with Powertools Parameters, cached for ``max_age`` seconds. A policy that is not JSON or does
not validate raises ``InvalidPolicyError`` (a ``ValueError``) whose message names the parameter and every
bad field, never a value; ``observe`` turns it into a ``failed`` decision instead of a crash loop.

A Memcached cluster's or a Serverless cache's policy is validated with its kind's model
(``kind_policy_for``): the default (written for replication groups) contributes only the plain fields
that kind has (``mode``, ``actionTimeoutSeconds``, ...), the cluster's own parameter is strict, so a
replication-group field there is an error naming the field and the kind.
"""

import json
from typing import Any, Protocol

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.validation import name_the_fields

CACHE_SECONDS = 60


class InvalidPolicyError(ValueError):
    """The stored policy does not validate; the message names each bad field and never echoes a value."""


class PolicyStoreUnavailableError(RuntimeError):
    """SSM could not be read (other than "no such parameter"): a transient failure, not a bad policy."""


class PolicySource(Protocol):
    def policy_for(self, cluster: str) -> Policy: ...


class KindPolicySource(Protocol):
    def kind_policy_for[P: BaseModel](self, cluster: str, model: type[P]) -> P: ...


class Policies(PolicySource, KindPolicySource, Protocol):
    """Every kind's policies (Observe reads them)."""


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` wins; nested objects merge key by key; lists and scalars are replaced whole."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def policy_from(default: dict[str, Any], override: dict[str, Any], source: str = "policy") -> Policy:
    try:
        return Policy.model_validate(deep_merge(default, override))
    except ValidationError as error:
        raise InvalidPolicyError(f"{source}: {name_the_fields(error)}") from None


def kind_policy_from[P: BaseModel](
    model: type[P], default: dict[str, Any], override: dict[str, Any], source: str = "policy"
) -> P:
    """``override`` validated strictly with ``model``, over the default's plain fields that ``model`` has
    (an object such as ``targets`` or ``maxStep`` means other things to another kind: never inherited)."""
    known = {name for name in model.model_fields} | {
        f.alias for f in model.model_fields.values() if f.alias is not None
    }
    shared = {k: v for k, v in default.items() if k in known and not isinstance(v, dict)}
    try:
        return model.model_validate(deep_merge(shared, override))
    except ValidationError as error:
        raise InvalidPolicyError(f"{source}: {name_the_fields(error)}") from None


def parse_document(name: str, text: str) -> dict[str, Any]:
    """One parameter's JSON object. The error names the parameter and position, never the text."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidPolicyError(f"{name} is not JSON (line {error.lineno} column {error.colno})") from None
    if not isinstance(value, dict):
        raise InvalidPolicyError(f"{name} must hold a JSON object")
    return value


def default_name(prefix: str) -> str:
    return f"{prefix.rstrip('/')}/default"


def cluster_name(prefix: str, cluster: str) -> str:
    return f"{prefix.rstrip('/')}/clusters/{cluster}"


def _not_found(error: GetParameterError) -> bool:
    cause = error.__cause__ or error.__context__
    if isinstance(cause, ClientError):
        return cause.response.get("Error", {}).get("Code") == "ParameterNotFound"
    return "ParameterNotFound" in str(error)


class PolicyStore:
    def __init__(
        self, prefix: str, provider: parameters.SSMProvider | None = None, max_age: int = CACHE_SECONDS
    ) -> None:
        self._prefix = prefix
        self._provider = provider or parameters.SSMProvider()
        self._max_age = max_age

    def _read(self, name: str) -> dict[str, Any]:
        try:
            text = self._provider.get(name, max_age=self._max_age)
        except GetParameterError as error:
            if _not_found(error):
                return {}
            raise PolicyStoreUnavailableError(f"cannot read SSM parameter {name}") from error
        return parse_document(name, str(text))

    def policy_for(self, cluster: str) -> Policy:
        default, override = default_name(self._prefix), cluster_name(self._prefix, cluster)
        return policy_from(self._read(default), self._read(override), f"policy {default} + {override}")

    def kind_policy_for[P: BaseModel](self, cluster: str, model: type[P]) -> P:
        default, override = default_name(self._prefix), cluster_name(self._prefix, cluster)
        source = f"policy {default} + {override}"
        return kind_policy_from(model, self._read(default), self._read(override), source)
