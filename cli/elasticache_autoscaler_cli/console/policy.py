"""``policy show|validate|set``: the effective policy (the stack default deep-merged with the cluster's
override), checked with the same model the workflow uses for the cache's kind (a replication group's
``Policy``, a Memcached cluster's or a Serverless cache's), before anything is written to SSM."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticache_autoscaler.adapters.policy_store import (
    InvalidPolicyError,
    cluster_name,
    default_name,
    kind_policy_from,
    parse_document,
    policy_from,
)
from elasticache_autoscaler.models.any_kind import AnyPolicy
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler_cli.console.errors import ConsoleError

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient


@dataclass(frozen=True)
class PolicyView:
    default_parameter: str
    cluster_parameter: str | None
    default: dict[str, Any] | None
    override: dict[str, Any] | None
    effective: AnyPolicy
    kind: CacheKind = CacheKind.REPLICATION_GROUP

    def to_wire(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
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


def _validated(kind: CacheKind, default: dict[str, Any], override: dict[str, Any], source: str) -> AnyPolicy:
    """As the workflow reads it: a group's policy is the merge; another kind's, its override strictly over
    the default's plain fields its model has (``kind_policy_from``)."""
    match kind:
        case CacheKind.REPLICATION_GROUP:
            return policy_from(default, override, source)
        case CacheKind.MEMCACHED:
            return kind_policy_from(MemcachedPolicy, default, override, source)
        case CacheKind.SERVERLESS:
            return kind_policy_from(ServerlessPolicy, default, override, source)


def effective(
    ssm: "SSMClient",
    prefix: str,
    cluster: str | None,
    replacing: dict[str, Any] | None = None,
    kind: CacheKind = CacheKind.REPLICATION_GROUP,
) -> PolicyView:
    """The policy ``cluster`` (None: the stack default) of ``kind`` gets, with ``replacing`` standing in
    for the document it would be stored in. Raises ConsoleError naming each bad field."""
    default_param = default_name(prefix)
    cluster_param = cluster_name(prefix, cluster) if cluster else None
    try:
        if cluster_param is None:
            default, override = (replacing if replacing is not None else _read(ssm, default_param)), None
        else:
            default = _read(ssm, default_param)
            override = replacing if replacing is not None else _read(ssm, cluster_param)
        source = f"policy {default_param}" + (f" + {cluster_param}" if cluster_param else "")
        policy = _validated(kind, default or {}, override or {}, source)
    except InvalidPolicyError as error:
        raise ConsoleError(f"invalid policy: {error}") from None
    return PolicyView(default_param, cluster_param, default, override, policy, kind)


def load_document(path: Path) -> dict[str, Any]:
    try:
        return parse_document(str(path), path.read_text())
    except InvalidPolicyError as error:
        raise ConsoleError(str(error)) from None


def set_policy(
    ssm: "SSMClient",
    prefix: str,
    cluster: str | None,
    document: dict[str, Any],
    kind: CacheKind = CacheKind.REPLICATION_GROUP,
) -> PolicyView:
    """Validate the policy ``cluster`` would get with ``document``, then (only then) store ``document``."""
    view = effective(ssm, prefix, cluster, replacing=document, kind=kind)
    name = view.cluster_parameter or view.default_parameter
    ssm.put_parameter(Name=name, Value=json.dumps(document), Type="String", Overwrite=True)
    return view
