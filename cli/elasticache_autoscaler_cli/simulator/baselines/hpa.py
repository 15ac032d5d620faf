"""Kubernetes' Horizontal Pod Autoscaler algorithm applied to shards and replicas.

Rules, from the Kubernetes documentation ("Horizontal Pod Autoscaling", "Algorithm details"):

- desiredReplicas = ceil(currentReplicas x currentMetricValue / desiredMetricValue), the metric being the
  average over the pods (here: over shards, or over replicas);
- no change while the ratio is within the tolerance (0.1 by default);
- with several metrics, the largest desired count wins;
- scale-down stabilization (``--horizontal-pod-autoscaler-downscale-stabilization``, 5 minutes by
  default): the highest recommendation of the last 5 minutes is used; scale up is immediate.

Mapped onto ElastiCache: shards follow average primary engine CPU and memory (cluster mode enabled only),
replicas per shard follow average replica engine CPU. One change at a time (ElastiCache refuses a second
while the group is modifying); targets and bounds are those of the default policy, like ours.
"""

import math
from collections import deque

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import Physics
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, initial_capacity

TOLERANCE = 0.1
STABILIZATION_MINUTES = 5


def desired_count(current: int, metric: float, target: float, tolerance: float = TOLERANCE) -> int:
    ratio = metric / target
    if abs(ratio - 1) <= tolerance:
        return current
    return math.ceil(current * ratio)


class Stabilizer:
    """Scale-down stabilization: the highest recommendation within the window."""

    def __init__(self, minutes: int = STABILIZATION_MINUTES) -> None:
        self._recent: deque[tuple[int, int]] = deque()
        self._minutes = minutes

    def stabilized(self, minute: int, recommendation: int, current: int) -> int:
        self._recent.append((minute, recommendation))
        while self._recent and self._recent[0][0] <= minute - self._minutes:
            self._recent.popleft()
        if recommendation >= current:
            return recommendation
        return max(r for _, r in self._recent)


class HpaController:
    name = "hpa"

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self.shards = Stabilizer()
        self.replicas = Stabilizer()
        self.min_replicas = max(1, self.policy.min_replicas_per_shard)

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        if not view.metrics:
            return None
        current, latest, targets = view.capacity, view.metrics[-1], self.policy.targets
        shards = current.shards
        if view.spec.cluster_mode_enabled:
            wanted = max(
                desired_count(current.shards, latest.avg_primary_cpu, targets.write_cpu_percent),
                desired_count(current.shards, latest.avg_memory, targets.memory_percent),
            )
            wanted = min(self.policy.max_shards, max(self.policy.min_shards, wanted))
            shards = self.shards.stabilized(view.minute, wanted, current.shards)
        replicas = current.replicas_per_shard
        replica_cpu = latest.avg_replica_cpu
        if replica_cpu is not None and current.replicas_per_shard > 0:
            wanted = desired_count(current.replicas_per_shard, replica_cpu, targets.read_cpu_percent)
            wanted = min(self.policy.max_replicas_per_shard, max(self.min_replicas, wanted))
            replicas = self.replicas.stabilized(view.minute, wanted, current.replicas_per_shard)
        if view.modifying:
            return None
        if shards != current.shards:
            return Proposal(
                current.model_copy(update={"shards": shards}), "hpa: shards to ceil(n x metric / target)"
            )
        if replicas != current.replicas_per_shard:
            return Proposal(
                current.model_copy(update={"replicas_per_shard": replicas}),
                "hpa: replicas to ceil(n x metric / target)",
            )
        return None
