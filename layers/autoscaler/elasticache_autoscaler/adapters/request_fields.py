"""The allow-list of every mutating ElastiCache request the product makes: which fields, which values.

IAM can deny a ModifyReplicationGroup field only where AWS documents a condition key for it
(``elasticache:EngineVersion``, ``elasticache:MultiAZEnabled``, ...; see docs/iam.md). Many fields have
none - ``SecurityGroupIds``, ``UserGroupIdsToAdd``/``ToRemove``, ``RemoveUserGroups``,
``PrimaryClusterId``, ``NotificationTopicArn``, ``LogDeliveryConfigurations``, ``PreferredMaintenanceWindow``,
``ModifyUser``'s ``AccessString`` - so the code refuses them: ``check_request`` runs right before each
mutating call and raises FieldNotAllowedError (an ActionFailedError) naming the operation and the field,
never a value (a request may carry an AUTH token or passwords).

Each operation has one or more *shapes*: a request must fit one shape entirely (a node type change and an
AUTH token change never travel in one call). Fields in ``required`` must be present.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from elasticache_autoscaler.errors import FieldNotAllowedError


@dataclass(frozen=True)
class Shape:
    purpose: str
    required: frozenset[str]
    optional: frozenset[str] = frozenset()
    values: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)
    """Per-field value checks (the field's value must pass)."""

    @property
    def fields(self) -> frozenset[str]:
        return self.required | self.optional


def _is_true(value: Any) -> bool:
    return value is True


def _one_of(*allowed: str) -> Callable[[Any], bool]:
    return lambda value: value in allowed


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _replica_configuration(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and set(item) == {"NodeGroupId", "NewReplicaCount"}
        and _count(item["NewReplicaCount"])
        for item in value
    )


def _shard_ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _passwords(value: Any) -> bool:
    return isinstance(value, list) and 1 <= len(value) <= 2  # [new] or [new, old] (DESIGN §5)


def _node_count(value: Any) -> bool:
    return _count(value) and 1 <= value <= 40  # ModifyCacheCluster: Memcached takes 1 to 40 nodes


def _scale_config(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"ScalePercentage", "ScaleIntervalMinutes"}
        and all(_count(v) for v in value.values())
    )


def _usage_limits(value: Any) -> bool:
    """Only ``DataStorage`` (in GB) and ``ECPUPerSecond``, each with nothing but its limits."""
    if not isinstance(value, dict) or not value or not set(value) <= {"DataStorage", "ECPUPerSecond"}:
        return False
    storage, ecpu = value.get("DataStorage", {"Unit": "GB"}), value.get("ECPUPerSecond", {})
    return (
        isinstance(storage, dict)
        and storage.get("Unit") == "GB"
        and set(storage) <= {"Maximum", "Minimum", "Unit"}
        and isinstance(ecpu, dict)
        and set(ecpu) <= {"Maximum", "Minimum"}
        and all(_count(v) for v in [*ecpu.values(), storage.get("Maximum", 0), storage.get("Minimum", 0)])
    )


_REPLICAS = Shape(
    purpose="replica count",
    required=frozenset({"ReplicationGroupId", "ApplyImmediately"}),
    optional=frozenset({"NewReplicaCount", "ReplicaConfiguration"}),
    values={
        "ApplyImmediately": _is_true,
        "NewReplicaCount": _count,
        "ReplicaConfiguration": _replica_configuration,
    },
)

ALLOWED: Mapping[str, tuple[Shape, ...]] = {
    "increase_replica_count": (_REPLICAS,),
    "decrease_replica_count": (_REPLICAS,),
    "modify_replication_group_shard_configuration": (
        Shape(
            purpose="shard count",
            required=frozenset({"ReplicationGroupId", "NodeGroupCount", "ApplyImmediately"}),
            optional=frozenset({"NodeGroupsToRemove"}),
            values={"ApplyImmediately": _is_true, "NodeGroupCount": _count, "NodeGroupsToRemove": _shard_ids},
        ),
    ),
    "modify_replication_group": (
        Shape(
            purpose="node type",
            required=frozenset({"ReplicationGroupId", "CacheNodeType", "ApplyImmediately"}),
            values={"ApplyImmediately": _is_true},
        ),
        Shape(
            purpose="AUTH token rotation",
            required=frozenset(
                {"ReplicationGroupId", "AuthToken", "AuthTokenUpdateStrategy", "ApplyImmediately"}
            ),
            values={
                "ApplyImmediately": _is_true,
                # Never DELETE: it removes AUTH from the group (DESIGN §5 rotates, never removes).
                "AuthTokenUpdateStrategy": _one_of("ROTATE", "SET"),
            },
        ),
    ),
    "modify_cache_cluster": (
        Shape(
            purpose="Memcached node count",
            required=frozenset({"CacheClusterId", "NumCacheNodes", "ApplyImmediately"}),
            optional=frozenset({"NewAvailabilityZones", "CacheNodeIdsToRemove"}),
            values={
                "ApplyImmediately": _is_true,
                "NumCacheNodes": _node_count,
                "NewAvailabilityZones": _shard_ids,
                "CacheNodeIdsToRemove": _shard_ids,
            },
        ),
        Shape(
            purpose="Memcached node type",
            required=frozenset({"CacheClusterId", "CacheNodeType", "ScaleConfig", "ApplyImmediately"}),
            values={"ApplyImmediately": _is_true, "ScaleConfig": _scale_config},
        ),
    ),
    "modify_serverless_cache": (
        Shape(
            purpose="serverless usage limits",
            required=frozenset({"ServerlessCacheName", "CacheUsageLimits"}),
            values={"CacheUsageLimits": _usage_limits},
        ),
    ),
    "modify_user": (
        Shape(
            purpose="RBAC password rotation",
            required=frozenset({"UserId", "Passwords"}),
            values={"Passwords": _passwords},
        ),
    ),
}


def _fits(shape: Shape, params: Mapping[str, Any]) -> str | None:
    """None when ``params`` fits ``shape``; else what does not (field names only, never values)."""
    extra = sorted(set(params) - shape.fields)
    if extra:
        return f"fields {', '.join(extra)} are never sent for a {shape.purpose} change"
    missing = sorted(shape.required - set(params))
    if missing:
        return f"fields {', '.join(missing)} are required for a {shape.purpose} change"
    bad = sorted(name for name, ok in shape.values.items() if name in params and not ok(params[name]))
    if bad:
        return f"fields {', '.join(bad)} have a value the product never sends"
    return None


def check_request(operation: str, params: Mapping[str, Any]) -> None:
    """Refuse a mutating ElastiCache request that is not exactly one the product makes."""
    shapes = ALLOWED.get(operation)
    if shapes is None:
        raise FieldNotAllowedError(f"{operation}: not an operation the autoscaler makes")
    problems = [_fits(shape, params) for shape in shapes]
    if any(problem is None for problem in problems):
        return
    raise FieldNotAllowedError(f"{operation} refused: {'; '.join(p for p in problems if p)}")
