"""The per-cluster scaling policy, as stored (JSON) in SSM Parameter Store. Safe by default: observe only."""

from typing import Literal

from pydantic import Field, model_validator

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel

Mode = Literal["observe", "act"]


class Targets(WireModel):
    memory_percent: float = Field(default=70.0, gt=0, le=100)
    write_cpu_percent: float = Field(default=60.0, gt=0, le=100)
    read_cpu_percent: float = Field(default=60.0, gt=0, le=100)
    connections_per_node: int = Field(default=50_000, gt=0, le=65_000)


class NodeFamilyRange(WireModel):
    family: str
    min_size: str | None = None
    max_size: str | None = None


class NodeTypeRules(WireModel):
    """Which node types the autoscaler may move to: an explicit list, or families with a size range."""

    types: tuple[str, ...] = ()
    families: tuple[NodeFamilyRange, ...] = ()


class MaxStep(WireModel):
    replicas: int = Field(default=2, ge=1)
    shards: int = Field(default=2, ge=1)
    node_sizes: int = Field(default=1, ge=1)


class Rotation(WireModel):
    interval_days: int | None = Field(default=None, ge=1)
    grace_period_seconds: int = Field(default=3600, ge=0)
    users: tuple[str, ...] = ()
    secret_arn: str | None = None


class Policy(WireModel):
    mode: Mode = "observe"
    targets: Targets = Targets()
    tolerance: float = Field(default=0.1, ge=0, le=1)
    scale_in_factor: float = Field(default=0.75, gt=0, lt=1)
    min_replicas_per_shard: int = Field(default=1, ge=0, le=5)
    max_replicas_per_shard: int = Field(default=5, ge=0, le=5)
    min_shards: int = Field(default=1, ge=1, le=500)
    max_shards: int = Field(default=10, ge=1, le=500)
    node_types: NodeTypeRules = NodeTypeRules()
    max_step: MaxStep = MaxStep()
    scale_out_cooldown_seconds: int = Field(default=600, ge=0)
    scale_in_cooldown_seconds: int = Field(default=1800, ge=0)
    scale_in_stabilization_seconds: int = Field(default=1800, ge=0)
    scale_in_enabled: bool = True
    rotation: Rotation = Rotation()
    approval_required: frozenset[Action] = frozenset({Action.SCALE_DOWN, Action.REMOVE_SHARDS})
    circuit_breaker_failures: int = Field(default=3, ge=1)
    action_timeout_seconds: int = Field(default=3600, ge=60)
    check_interval_seconds: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> "Policy":
        if self.min_replicas_per_shard > self.max_replicas_per_shard:
            raise ValueError("minReplicasPerShard must not exceed maxReplicasPerShard")
        if self.min_shards > self.max_shards:
            raise ValueError("minShards must not exceed maxShards")
        return self
