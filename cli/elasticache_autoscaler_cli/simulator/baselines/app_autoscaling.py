"""AWS Application Auto Scaling target tracking for ElastiCache (Valkey / Redis OSS), re-implemented.

Each rule, with the AWS page it comes from (ElastiCache user guide: [EC]; Application Auto Scaling user
guide: [AAS]; API references: [API]; CloudWatch user guide: [CW]):

- Cluster mode enabled only; on cluster mode disabled it does nothing; it never changes node type
  ([EC] "Auto Scaling Valkey and Redis OSS clusters": prerequisites, and the two scalable dimensions,
  shards and replicas, replicas added or removed uniformly across all shards).
- Metrics, each the Average over the group, so a hot shard hides in the average ([EC] "Target tracking
  scaling policies", shards and replicas pages, "Auto Scaling considerations"):
  ``ElastiCachePrimaryEngineCPUUtilization`` (primaries) and
  ``ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage`` drive shards,
  ``ElastiCacheReplicaEngineCPUUtilization`` drives replicas. The catalog has no data-tiered node type, so
  ``ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage`` (for those) is not modelled.
- Target values 35-70 % ([EC] "Adding a scaling policy"; replicas page of "Target tracking scaling
  policies"): ours are clamped into that range.
- Scale out when the metric is equal to or greater than the target ([EC] "Target tracking scaling
  policies"; [AAS] says "above") for 3 of 3 one-minute datapoints (the contract). Shards grow by the larger
  of the % deviation from target of the current shards and 20 % of the current shards, rounded up
  ("50 shards, 30 % -> 65; 10 % -> 60"); replicas per shard by the larger of the % deviation of the
  current replicas, rounded half up ("rounded off"), and 1 ([EC] "Target tracking scaling policies",
  shards and replicas pages; rounding up so as not to add too little: [AAS] "Target tracking scaling
  policies for Application Auto Scaling", considerations).
- Scale in only when the metric is at or below 0.75 x target ([EC] both pages: "less than or equal to 45
  percent" for a 60 % target; [AAS] says only "usually more than 10% lower") for 15 of 15 datapoints (the
  contract), and only when every policy of the dimension agrees ([EC], [AAS] considerations). The new
  capacity is ceil(current x metric / target): rounded up, so it never removes too much ([AAS]
  considerations), replicas at most one at a time ([EC] replicas page: "max scale in of 1 replica").
- Several policies at once: scale out if any says so, to the largest capacity any asks for; scale in to
  the largest capacity any asks for ([AAS] considerations).
- A policy whose alarm lacks data does not scale ([EC], [AAS] considerations). An alarm in ALARM keeps
  invoking its scaling policy every minute, not only on the change of state ([CW] "Alarm actions").
- Cooldowns 600 s each (the contract; [EC] "Auto Scaling policies" gives 600 s for scale-out, 900 s for
  scale-in as defaults), per scalable dimension, counted from the end of the activity ("after a scale-out
  activity completes"). The scale-out cooldown holds further scale-out unless a larger one is triggered:
  the capacity the initiating activity added counts towards the next desired capacity ([AAS] "Define
  cooldown periods"; [API] "TargetTrackingScalingPolicyConfiguration": "only 1 is added" when a +3 follows
  a +2). The scale-in cooldown blocks scale-in only, and a scale-out stops it ([AAS], [API]). Neither
  cooldown blocks the other direction.
- ``DisableScaleIn`` defaults to false ([API]); ours maps from the policy's ``scaleInEnabled``.
- Bounds: shards 1-250, replicas 1-5 per shard, narrowed by our policy's min/max; a group outside them is
  first brought within them ([EC] "Auto Scaling policies": minimum and maximum capacity). The twin records
  that change like any other activity, cooldown included.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.alarms import Alarm, AlarmSpec, Comparison
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, Physics
from elasticache_autoscaler_cli.simulator.result import ActionRecord
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, initial_capacity

TARGET_MIN, TARGET_MAX = 35.0, 70.0
SCALE_IN_FACTOR = 0.75
HIGH_DATAPOINTS, LOW_DATAPOINTS = 3, 15
COOLDOWN_MINUTES = 10
SHARD_MIN_STEP_PERCENT = 20
SHARDS_MIN, SHARDS_MAX = 1, 250
REPLICAS_MIN, REPLICAS_MAX = 1, 5

Sizing = Callable[[int, float, float], int]


def clamp_target(value: float, highest: float = TARGET_MAX) -> float:
    return min(highest, max(TARGET_MIN, value))


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def shards_after_scale_out(current: int, metric: float, target: float) -> int:
    by_deviation = math.ceil(current * (metric - target) / target)
    by_minimum_step = math.ceil(current * SHARD_MIN_STEP_PERCENT / 100)
    return current + max(by_deviation, by_minimum_step, 1)


def replicas_after_scale_out(current: int, metric: float, target: float) -> int:
    return current + max(_round_half_up(current * (metric - target) / target), 1)


def shards_after_scale_in(current: int, metric: float, target: float) -> int:
    return min(current, math.ceil(current * metric / target))


def replicas_after_scale_in(current: int, metric: float, target: float) -> int:
    return max(current - 1, shards_after_scale_in(current, metric, target))


@dataclass(slots=True)
class TargetTrackingPolicy[M]:
    """One target tracking policy with its two CloudWatch alarms (high: 3 of 3, low: 15 of 15), reading its
    metric from a twin's minute ``M``."""

    name: str
    target: float
    reading: Callable[[M], float | None]
    high: Alarm
    low: Alarm
    last: float | None = None

    @classmethod
    def of(
        cls,
        name: str,
        target: float,
        reading: Callable[[M], float | None],
        highest: float = TARGET_MAX,
    ) -> "TargetTrackingPolicy[M]":
        target = clamp_target(target, highest)
        high = AlarmSpec(
            f"{name}-high",
            target,
            Comparison.GREATER_THAN_OR_EQUAL,
            evaluation_periods=HIGH_DATAPOINTS,
            datapoints_to_alarm=HIGH_DATAPOINTS,
        )
        low = AlarmSpec(
            f"{name}-low",
            target * SCALE_IN_FACTOR,
            Comparison.LESS_THAN_OR_EQUAL,
            evaluation_periods=LOW_DATAPOINTS,
            datapoints_to_alarm=LOW_DATAPOINTS,
        )
        return cls(name, target, reading, Alarm(high), Alarm(low))

    def observe(self, metrics: M | None) -> None:
        """One published datapoint (``None``: one CloudWatch lost); ``last`` keeps the latest value seen."""
        value = None if metrics is None else self.reading(metrics)
        if value is not None:
            self.last = value
        self.high.observe(value)
        self.low.observe(value)


def _last_of(actions: Sequence[ActionRecord], action: Action) -> ActionRecord | None:
    return next((record for record in reversed(actions) if record.action is action), None)


@dataclass(frozen=True, slots=True)
class Dimension:
    """A scalable dimension (shards or replicas per shard): its policies, bounds, sizing and cooldowns."""

    field: Literal["shards", "replicas_per_shard"]
    policies: tuple[TargetTrackingPolicy[GroupMetrics], ...]
    minimum: int
    maximum: int
    grow: Sizing
    shrink: Sizing

    @property
    def scale_out(self) -> Action:
        return Action.ADD_SHARDS if self.field == "shards" else Action.ADD_REPLICAS

    @property
    def scale_in(self) -> Action:
        return Action.REMOVE_SHARDS if self.field == "shards" else Action.REMOVE_REPLICAS

    @property
    def label(self) -> str:
        return "shards" if self.field == "shards" else "replicas"

    def count(self, capacity: Capacity) -> int:
        return capacity.shards if self.field == "shards" else capacity.replicas_per_shard

    def resized(self, capacity: Capacity, count: int) -> Capacity:
        return capacity.model_copy(update={self.field: count})

    def scale_out_cooldown(self, actions: Sequence[ActionRecord], minute: int) -> ActionRecord | None:
        """The completed scale-out whose cooldown still runs at ``minute``, if any."""
        record = _last_of(actions, self.scale_out)
        if record is None or minute - record.finished_minute >= COOLDOWN_MINUTES:
            return None
        return record

    def in_scale_in_cooldown(self, actions: Sequence[ActionRecord], minute: int) -> bool:
        record = _last_of(actions, self.scale_in)
        if record is None or minute - record.finished_minute >= COOLDOWN_MINUTES:
            return False
        later_scale_out = _last_of(actions, self.scale_out)
        return later_scale_out is None or later_scale_out.started_minute < record.started_minute


class AppAutoScalingController:
    """``highest_target``: AWS's 70 % cap; the bench also runs it at our memory target (75 %) so that the
    two are compared on equal targets, a configuration AWS does not accept."""

    def __init__(self, policy: Policy | None = None, highest_target: float = TARGET_MAX) -> None:
        at = "" if highest_target == TARGET_MAX else f"@{highest_target:g}"
        self.name = f"app-autoscaling{at}"
        self.policy = policy or Policy()
        targets = self.policy.targets
        self.scale_in_enabled = self.policy.scale_in_enabled
        self.shards = Dimension(
            "shards",
            (
                TargetTrackingPolicy.of(
                    "primary-cpu", targets.write_cpu_percent, lambda m: m.avg_primary_cpu, highest_target
                ),
                TargetTrackingPolicy.of(
                    "memory", targets.memory_percent, lambda m: m.avg_memory, highest_target
                ),
            ),
            minimum=max(SHARDS_MIN, self.policy.min_shards),
            maximum=min(SHARDS_MAX, self.policy.max_shards),
            grow=shards_after_scale_out,
            shrink=shards_after_scale_in,
        )
        replicas_min = max(REPLICAS_MIN, self.policy.min_replicas_per_shard)
        self.replicas = Dimension(
            "replicas_per_shard",
            (
                TargetTrackingPolicy.of(
                    "replica-cpu", targets.read_cpu_percent, lambda m: m.avg_replica_cpu, highest_target
                ),
            ),
            minimum=replicas_min,
            maximum=max(replicas_min, min(REPLICAS_MAX, self.policy.max_replicas_per_shard)),
            grow=replicas_after_scale_out,
            shrink=replicas_after_scale_in,
        )

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        if not view.spec.cluster_mode_enabled:
            return None
        for point in view.new_datapoints():
            for policy in (*self.shards.policies, *self.replicas.policies):
                policy.observe(point)
        if view.modifying:
            return None
        return self._within_bounds(view.capacity) or self._scale_out(view) or self._scale_in(view)

    def _within_bounds(self, capacity: Capacity) -> Proposal | None:
        for dimension in (self.shards, self.replicas):
            count = dimension.count(capacity)
            bounded = min(dimension.maximum, max(dimension.minimum, count))
            if bounded != count:
                return Proposal(
                    dimension.resized(capacity, bounded),
                    f"policy creation: {dimension.label} brought within min/max capacity",
                )
        return None

    def _scale_out(self, view: ClusterView) -> Proposal | None:
        for dimension in (self.shards, self.replicas):
            readings = [
                (p.last, p.target) for p in dimension.policies if p.high.in_alarm and p.last is not None
            ]
            if not readings:
                continue
            current = dimension.count(view.capacity)
            # During the scale-out cooldown the capacity that activity added counts towards the new desire:
            # size from where it started, so only a larger scale-out goes through.
            cooling = dimension.scale_out_cooldown(view.actions, view.minute)
            base = current if cooling is None else dimension.count(cooling.current)
            desired = min(
                dimension.maximum, max(dimension.grow(base, metric, target) for metric, target in readings)
            )
            if desired > current:
                return Proposal(
                    dimension.resized(view.capacity, desired),
                    f"target tracking: {dimension.label} at or above target",
                )
        return None

    def _scale_in(self, view: ClusterView) -> Proposal | None:
        if not self.scale_in_enabled:
            return None
        for dimension in (self.shards, self.replicas):
            if dimension.in_scale_in_cooldown(view.actions, view.minute):
                continue
            readings = [
                (p.last, p.target) for p in dimension.policies if p.low.in_alarm and p.last is not None
            ]
            if not readings or len(readings) < len(dimension.policies):
                continue
            current = dimension.count(view.capacity)
            desired = max(
                dimension.minimum, *(dimension.shrink(current, metric, target) for metric, target in readings)
            )
            if desired < current:
                return Proposal(
                    dimension.resized(view.capacity, desired),
                    f"target tracking: {dimension.label} at or below 75 % of target",
                )
        return None
