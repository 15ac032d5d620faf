"""Hindsight: the cheapest schedule that keeps every minute under the policy's own scale-out thresholds.

Knowing the whole trace, and with changes that are free and instant, each minute runs on the cheapest
topology the autoscaler could reach on which no shard is above target x (1 + tolerance) for memory, write
CPU (primaries), read CPU (replicas) and connections per node, nothing evicts and no network allowance is
exceeded. Candidates: the group's node type and every type ``ListAllowedNodeTypeModifications`` lists for
it (``catalog.allowed_modifications``) that the policy allows — burstable types only if it names them, as
for the engine — with shards and replicas within the policy's bounds (at least 1 replica with Multi-AZ).

No policy that keeps its signals under those thresholds costs less over the trace, so a cost goal that
hindsight misses can only be met by running hotter than the targets (or by breaching). The bench prints it
beside the policies and marks such goals.
"""

from dataclasses import dataclass

from elasticache_autoscaler.catalog import allowed_modifications, node_type
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import GroupMetrics, Physics
from elasticache_autoscaler_cli.simulator.twin import hourly_cost, load_at, metrics_of


@dataclass(frozen=True, slots=True)
class Hindsight:
    cost_usd: float
    unholdable_minutes: int
    """Minutes no candidate holds under the thresholds (each billed at the dearest candidate)."""


def candidates(spec: ClusterSpec, policy: Policy) -> list[Capacity]:
    """Every topology the autoscaler could move the group to under ``policy``, cheapest first."""
    up, down = allowed_modifications(spec.node_type)
    types = [spec.node_type, *(n for n in up + down if policy.node_types.allows(n, spec.node_type))]
    min_replicas = max(policy.min_replicas_per_shard, 1 if spec.multi_az else 0)
    shards = range(policy.min_shards, policy.max_shards + 1) if spec.cluster_mode_enabled else range(1, 2)
    found = [
        Capacity(node_type=name, shards=count, replicas_per_shard=replicas)
        for name in types
        for count in shards
        for replicas in range(min_replicas, policy.max_replicas_per_shard + 1)
    ]
    return sorted(found, key=lambda c: (hourly_cost(c, spec), c.shards, c.replicas_per_shard, c.node_type))


def within_thresholds(metrics: GroupMetrics, policy: Policy) -> bool:
    """Whether every shard is at or under the level at which the engine would scale out."""
    scale = 1 + policy.tolerance
    targets = policy.targets
    for shard in metrics.each():
        if shard.evicting or shard.network_exceeded:
            return False
        if shard.memory_percent > targets.memory_percent * scale:
            return False
        if shard.primary_cpu > targets.write_cpu_percent * scale:
            return False
        if shard.replica_cpu is not None and shard.replica_cpu > targets.read_cpu_percent * scale:
            return False
        if shard.connections_per_node > targets.connections_per_node * scale:
            return False
    return True


def hindsight(trace: Trace, spec: ClusterSpec, policy: Policy, physics: Physics | None = None) -> Hindsight:
    physics = physics or Physics()
    options = candidates(spec, policy)
    nodes = {name: node_type(name) for name in {c.node_type for c in options}}
    cost = 0.0
    unholdable = 0
    for i in range(len(trace)):
        load = load_at(trace, i)
        cheapest = next(
            (
                c
                for c in options
                if within_thresholds(metrics_of(c, nodes[c.node_type], spec, load, physics), policy)
            ),
            None,
        )
        if cheapest is None:
            unholdable += 1
            cheapest = options[-1]
        cost += hourly_cost(cheapest, spec) / 60
    return Hindsight(cost_usd=cost, unholdable_minutes=unholdable)
