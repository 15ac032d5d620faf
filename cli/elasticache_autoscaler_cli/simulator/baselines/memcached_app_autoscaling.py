"""Application Auto Scaling target tracking of a Memcached cluster's node count, re-implemented.

Application Auto Scaling scales "Memcached self-designed clusters" horizontally with target tracking and
scheduled scaling ([AAS] "ElastiCache and Application Auto Scaling"): scalable dimension
``elasticache:cache-cluster:Nodes`` on resource ``cache-cluster/<name>``; its predefined metrics for a
cache cluster are ``ElastiCacheEngineCPUUtilization`` and ``ElastiCacheDatabaseMemoryUsagePercentage``
([API] ``ScalableDimension`` and ``MetricType``). The ElastiCache user guide documents target tracking only
for Valkey / Redis OSS groups; for nodes the twin applies Application Auto Scaling's own target tracking
rules ([AAS] "Target tracking scaling policies"), the same as the replication-group baseline
(``app_autoscaling``) where they are not specific to shards or replicas:

- two policies, CPU (the nodes' ``CPUUtilization``) and memory (``BytesUsedForCacheItems`` over maxmemory),
  each the Average over the nodes, targets ours clamped into 35-70 % (the ElastiCache console's range);
- scale out when a metric is at or above target for 3 of 3 one-minute datapoints, to
  ceil(nodes x metric / target), at least one more node; scale out to the largest any policy asks;
- scale in only when every policy is at or below 0.75 x target for 15 of 15 datapoints, to
  ceil(nodes x metric / target) (never so far that the metric would exceed target), the largest any asks;
- cooldowns 600 s from the end of the activity; a larger scale-out goes through during a scale-out
  cooldown (the added nodes count towards it); a scale-out ends a scale-in cooldown;
- bounds: our policy's minNodes..maxNodes; scale-in unless our policy disables it.

It never changes the node type. It removes nodes like any scale-in: the removed nodes' keys go cold.
"""

import math
from collections.abc import Sequence

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler_cli.simulator.baselines.app_autoscaling import (
    COOLDOWN_MINUTES,
    TargetTrackingPolicy,
)
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.memcached_physics import MemcachedPhysics, NodeMinute
from elasticache_autoscaler_cli.simulator.memcached_twin import (
    MemcachedProposal,
    MemcachedView,
    initial_capacity,
)
from elasticache_autoscaler_cli.simulator.result import ActionRecord

Records = Sequence[ActionRecord[MemcachedCapacity]]


def nodes_after_scale_out(current: int, metric: float, target: float) -> int:
    return max(current + 1, math.ceil(round(current * metric / target, 9)))


def nodes_after_scale_in(current: int, metric: float, target: float) -> int:
    return min(current, math.ceil(round(current * metric / target, 9)))


def _last(actions: Records, action: Action) -> ActionRecord[MemcachedCapacity] | None:
    return next((a for a in reversed(actions) if a.action is action), None)


class MemcachedAppAutoScaling:
    name = "app-autoscaling"

    def __init__(self, policy: MemcachedPolicy | None = None) -> None:
        policy = policy or MemcachedPolicy()
        targets = policy.targets
        self.policies: tuple[TargetTrackingPolicy[NodeMinute], ...] = (
            TargetTrackingPolicy[NodeMinute].of("cpu", targets.cpu_percent, lambda m: m.reported_cpu),
            TargetTrackingPolicy[NodeMinute].of(
                "memory", targets.memory_percent, lambda m: min(100.0, m.memory_percent)
            ),
        )
        self.minimum, self.maximum = policy.min_nodes, policy.max_nodes
        self.scale_in_enabled = policy.scale_in_enabled

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity:
        return initial_capacity(spec)

    def step(self, view: MemcachedView) -> MemcachedProposal | None:
        for point in view.fresh:
            for policy in self.policies:
                policy.observe(point)
        if view.modifying:
            return None
        nodes = view.capacity.nodes
        bounded = min(self.maximum, max(self.minimum, nodes))
        if bounded != nodes:
            return self._to(view, bounded, "policy creation: nodes brought within min/max capacity")
        return self._scale_out(view) or self._scale_in(view)

    def _to(self, view: MemcachedView, nodes: int, reason: str) -> MemcachedProposal:
        return MemcachedProposal(view.capacity.model_copy(update={"nodes": nodes}), reason)

    def _scale_out(self, view: MemcachedView) -> MemcachedProposal | None:
        readings = [(p.last, p.target) for p in self.policies if p.high.in_alarm and p.last is not None]
        if not readings:
            return None
        current = view.capacity.nodes
        cooling = _last(view.actions, Action.ADD_NODES)
        in_cooldown = cooling is not None and view.minute - cooling.finished_minute < COOLDOWN_MINUTES
        base = cooling.current.nodes if cooling is not None and in_cooldown else current
        desired = min(self.maximum, max(nodes_after_scale_out(base, m, t) for m, t in readings))
        if desired <= current:
            return None
        return self._to(view, desired, "target tracking: nodes at or above target")

    def _scale_in(self, view: MemcachedView) -> MemcachedProposal | None:
        if not self.scale_in_enabled:
            return None
        last_in = _last(view.actions, Action.REMOVE_NODES)
        if last_in is not None and view.minute - last_in.finished_minute < COOLDOWN_MINUTES:
            last_out = _last(view.actions, Action.ADD_NODES)
            if last_out is None or last_out.started_minute < last_in.started_minute:
                return None
        readings = [(p.last, p.target) for p in self.policies if p.low.in_alarm and p.last is not None]
        if len(readings) < len(self.policies):
            return None
        current = view.capacity.nodes
        desired = max(self.minimum, *(nodes_after_scale_in(current, m, t) for m, t in readings))
        if desired >= current:
            return None
        return self._to(view, desired, "target tracking: every policy at or below 0.75 x target")
