"""``policy show|validate|set``: the effective policy (the stack default deep-merged with the cluster's
override), checked with the same model the workflow uses, before anything is written to SSM."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler.adapters.policy_store import (
    InvalidPolicyError,
    cluster_name,
    default_name,
    parse_document,
    policy_from,
)
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.console.errors import ConsoleError

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


@dataclass(frozen=True)
class PolicyView:
    default_parameter: str
    cluster_parameter: str | None
    default: dict[str, Any] | None
    override: dict[str, Any] | None
    effective: Policy

    def to_wire(self) -> dict[str, object]:
        return {
            "defaultParameter": self.default_parameter,
            "clusterParameter": self.cluster_parameter,
            "default": self.default,
            "override": self.override,
            "effective": self.effective.to_wire(),
        }


def _read(ssm: "SSMClient", name: str) -> dict[str, Any] | None:
    try:
        text = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return parse_document(name, text)


def effective(
    ssm: "SSMClient", prefix: str, cluster: str | None, replacing: dict[str, Any] | None = None
) -> PolicyView:
    """The policy ``cluster`` (None: the stack default) gets, with ``replacing`` standing in for the
    document it would be stored in. Raises ConsoleError naming each bad field."""
    default_param = default_name(prefix)
    cluster_param = cluster_name(prefix, cluster) if cluster else None
    try:
        if cluster_param is None:
            default, override = (replacing if replacing is not None else _read(ssm, default_param)), None
        else:
            default = _read(ssm, default_param)
            override = replacing if replacing is not None else _read(ssm, cluster_param)
        source = f"policy {default_param}" + (f" + {cluster_param}" if cluster_param else "")
        policy = policy_from(default or {}, override or {}, source)
    except InvalidPolicyError as error:
        raise ConsoleError(f"invalid policy: {error}") from None
    return PolicyView(default_param, cluster_param, default, override, policy)


def load_document(path: Path) -> dict[str, Any]:
    try:
        return parse_document(str(path), path.read_text())
    except InvalidPolicyError as error:
        raise ConsoleError(str(error)) from None


def set_policy(ssm: "SSMClient", prefix: str, cluster: str | None, document: dict[str, Any]) -> PolicyView:
    """Validate the policy ``cluster`` would get with ``document``, then (only then) store ``document``."""
    view = effective(ssm, prefix, cluster, replacing=document)
    name = view.cluster_parameter or view.default_parameter
    ssm.put_parameter(Name=name, Value=json.dumps(document), Type="String", Overwrite=True)
    return view
