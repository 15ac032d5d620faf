"""AWS Application Auto Scaling target tracking for ElastiCache (Valkey / Redis OSS), re-implemented.

Rules, from the ElastiCache user guide ("Auto Scaling Valkey and Redis OSS clusters": "Using target
tracking scaling policies" for shards and for replicas) and the Application Auto Scaling user guide
("Target tracking scaling policies"):

- Cluster mode enabled only; on cluster mode disabled it does nothing. It never changes node type.
- Predefined metrics averaged over the group: ``ElastiCachePrimaryEngineCPUUtilization`` and
  ``ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage`` drive shards,
  ``ElastiCacheReplicaEngineCPUUtilization`` drives replicas. Target values are limited to 35-70 %.
- Scale out when the metric is above target for 3 of 3 one-minute datapoints; shards grow by the larger of
  the % deviation from target and 20 % of the current shards; replicas by the larger of round(% deviation)
  and 1 per shard.
- Scale in only when the metric is at or below 0.75 x target for 15 of 15 one-minute datapoints and every
  policy of that dimension agrees; replicas one at a time, shards to ceil(current x metric / target).
- Scale-out and scale-in cooldowns 600 s; no scale in during a scale-out cooldown.
- Bounds (the scalable target's min/max capacity) and targets come from the same policy as ours, so the
  comparison is like for like.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.simulator.alarms import Alarm, AlarmSpec, Comparison
from elasticache_autoscaler.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler.simulator.physics import GroupMetrics, Physics
from elasticache_autoscaler.simulator.twin import ClusterView, Proposal, initial_capacity

TARGET_MIN, TARGET_MAX = 35.0, 70.0
SCALE_IN_FACTOR = 0.75
COOLDOWN_MINUTES = 10
SHARD_MIN_STEP = 0.20


def clamp_target(value: float) -> float:
    return min(TARGET_MAX, max(TARGET_MIN, value))


def shards_after_scale_out(current: int, metric: float, target: float) -> int:
    deviation = (metric - target) / target
    return current + max(math.ceil(current * deviation), math.ceil(current * SHARD_MIN_STEP), 1)


def replicas_after_scale_out(current: int, metric: float, target: float) -> int:
    deviation = (metric - target) / target
    return current + max(round(current * deviation), 1)


def shards_after_scale_in(current: int, metric: float, target: float) -> int:
    return min(current - 1, math.ceil(current * metric / target))


@dataclass(slots=True)
class TargetTrackingPolicy:
    """One target tracking policy with its two CloudWatch alarms (high: 3 of 3, low: 15 of 15)."""

    name: str
    target: float
    reading: Callable[[GroupMetrics], float | None]
    high: Alarm
    low: Alarm
    last: float | None = None

    @classmethod
    def of(
        cls, name: str, target: float, reading: Callable[[GroupMetrics], float | None]
    ) -> "TargetTrackingPolicy":
        target = clamp_target(target)
        high = AlarmSpec(
            f"{name}-high", target, Comparison.GREATER_THAN, evaluation_periods=3, datapoints_to_alarm=3
        )
        low = AlarmSpec(
            f"{name}-low",
            target * SCALE_IN_FACTOR,
            Comparison.LESS_THAN_OR_EQUAL,
            evaluation_periods=15,
            datapoints_to_alarm=15,
        )
        return cls(name, target, reading, Alarm(high), Alarm(low))

    def observe(self, metrics: GroupMetrics) -> None:
        self.last = self.reading(metrics)
        self.high.observe(self.last)
        self.low.observe(self.last)


@dataclass(slots=True)
class Dimension:
    """A scalable dimension (shards or replicas) with its policies and its cooldown clocks."""

    policies: list[TargetTrackingPolicy]
    last_scale_out: int | None = None
    last_scale_in: int | None = None

    def in_scale_out_cooldown(self, minute: int) -> bool:
        return self.last_scale_out is not None and minute - self.last_scale_out < COOLDOWN_MINUTES

    def in_scale_in_cooldown(self, minute: int) -> bool:
        return self.last_scale_in is not None and minute - self.last_scale_in < COOLDOWN_MINUTES


class AppAutoScalingController:
    name = "app-autoscaling"

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        targets = self.policy.targets
        self.shards = Dimension(
            [
                TargetTrackingPolicy.of(
                    "primary-cpu", targets.write_cpu_percent, lambda m: m.avg_primary_cpu
                ),
                TargetTrackingPolicy.of("memory", targets.memory_percent, lambda m: m.avg_memory),
            ]
        )
        self.replicas = Dimension(
            [TargetTrackingPolicy.of("replica-cpu", targets.read_cpu_percent, lambda m: m.avg_replica_cpu)]
        )
        self.min_replicas = self.policy.min_replicas_per_shard

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        if spec.multi_az:
            self.min_replicas = max(1, self.min_replicas)
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        if not view.spec.cluster_mode_enabled:
            return None
        for policy in (*self.shards.policies, *self.replicas.policies):
            policy.observe(view.metrics[-1])
        if view.modifying:
            return None
        return self._scale_out(view) or self._scale_in(view)

    def _scale_out(self, view: ClusterView) -> Proposal | None:
        current, minute = view.capacity, view.minute
        if not self.shards.in_scale_out_cooldown(minute):
            wanted = [
                shards_after_scale_out(current.shards, p.last, p.target)
                for p in self.shards.policies
                if p.high.in_alarm and p.last is not None
            ]
            shards = min(self.policy.max_shards, max(wanted, default=current.shards))
            if shards > current.shards:
                self.shards.last_scale_out = minute
                return Proposal(
                    current.model_copy(update={"shards": shards}), "target tracking: shards above target"
                )
        if not self.replicas.in_scale_out_cooldown(minute):
            wanted = [
                replicas_after_scale_out(current.replicas_per_shard, p.last, p.target)
                for p in self.replicas.policies
                if p.high.in_alarm and p.last is not None
            ]
            replicas = min(
                self.policy.max_replicas_per_shard, max(wanted, default=current.replicas_per_shard)
            )
            if replicas > current.replicas_per_shard:
                self.replicas.last_scale_out = minute
                return Proposal(
                    current.model_copy(update={"replicas_per_shard": replicas}),
                    "target tracking: replicas above target",
                )
        return None

    def _scale_in(self, view: ClusterView) -> Proposal | None:
        current, minute = view.capacity, view.minute
        for dimension in (self.shards, self.replicas):
            if dimension.in_scale_out_cooldown(minute) or dimension.in_scale_in_cooldown(minute):
                continue
            if not all(p.low.in_alarm and p.last is not None for p in dimension.policies):
                continue
            if dimension is self.shards:
                wanted = [
                    shards_after_scale_in(current.shards, p.last or 0.0, p.target) for p in dimension.policies
                ]
                shards = max(self.policy.min_shards, *wanted)
                if shards < current.shards:
                    dimension.last_scale_in = minute
                    return Proposal(
                        current.model_copy(update={"shards": shards}),
                        "target tracking: shards below 75 % of target",
                    )
            elif current.replicas_per_shard - 1 >= self.min_replicas:
                dimension.last_scale_in = minute
                return Proposal(
                    current.model_copy(update={"replicas_per_shard": current.replicas_per_shard - 1}),
                    "target tracking: replicas below 75 % of target",
                )
        return None
