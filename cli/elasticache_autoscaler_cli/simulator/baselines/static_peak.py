"""Static provisioning for the peak: the cheapest fixed topology that holds the trace's peak with headroom.

Rule (issue 6: "the smallest fixed topology that holds the trace's peak with 20 % headroom"): every minute of
the trace, with its load multiplied by 1.2 (capacity >= 1.2 x peak demand on every dimension), must run on the
topology without a breach, i.e. at the real (un-multiplied) peak:
- memory: 1.2 x data per shard <= maxmemory (no eviction): peak memory <= 100 / 1.2 = 83.3 % of maxmemory;
- engine CPU: 1.2 x demanded CPU < the 90 % breach level: peak engine CPU < 90 / 1.2 = 75 % on every node;
- network: 1.2 x bytes per node <= the node type's baseline bandwidth: peak <= 83.3 % of the baseline;
- connections: 1.2 x connections per node <= 65,000 (ElastiCache's per-node limit): peak <= 54,167.
(The headroom is on the peak, as "20 % headroom" over peak demand reads; it is applied to every dimension.)
Candidates: every size of the cluster's own node family, shards within the policy's bounds
(cluster mode enabled) or exactly 1, replicas within the policy's bounds (at least 1 with Multi-AZ).
The cheapest candidate that passes wins; it never changes afterwards.
"""

import heapq
from collections.abc import Callable
from dataclasses import replace

from elasticache_autoscaler.catalog import catalog, node_type
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import Load, Physics
from elasticache_autoscaler_cli.simulator.twin import (
    ClusterView,
    Proposal,
    hourly_cost,
    initial_capacity,
    load_at,
    metrics_of,
)

HEADROOM = 1.2
CONNECTION_LIMIT_PER_NODE = 65_000  # ElastiCache maxclients per node
# Only the busiest minutes by each load column can be the binding ones; checking these keeps the search
# fast on long traces.
PEAK_ROWS_PER_COLUMN = 25


class NoTopologyFitsError(ValueError):
    pass


def peak_loads(trace: Trace, headroom: float = HEADROOM) -> list[Load]:
    columns = (trace.reads_per_s, trace.writes_per_s, trace.dataset_gib, trace.connections)
    volume = [
        (trace.reads_per_s[i] + trace.writes_per_s[i]) * trace.avg_item_bytes[i] for i in range(len(trace))
    ]
    rows: set[int] = set()
    for column in (*columns, volume):
        rows.update(heapq.nlargest(PEAK_ROWS_PER_COLUMN, range(len(trace)), key=column.__getitem__))
    loads = []
    for i in sorted(rows):
        load = load_at(trace, i)
        loads.append(
            replace(
                load,
                reads_per_s=load.reads_per_s * headroom,
                writes_per_s=load.writes_per_s * headroom,
                dataset_gib=load.dataset_gib * headroom,
                connections=round(load.connections * headroom),
            )
        )
    return loads


def holds(capacity: Capacity, spec: ClusterSpec, loads: list[Load], physics: Physics) -> bool:
    node = node_type(capacity.node_type)
    for load in loads:
        metrics = metrics_of(capacity, node, spec, load, physics)
        if any(metrics.breach_causes(physics)):
            return False
        if any(s.connections_per_node > CONNECTION_LIMIT_PER_NODE for s in metrics.each()):
            return False
    return True


def peak_capacity(spec: ClusterSpec, trace: Trace, physics: Physics, policy: Policy) -> Capacity:
    family = node_type(spec.node_type).family
    min_replicas = max(policy.min_replicas_per_shard, 1 if spec.multi_az else 0)
    shard_range = (
        range(policy.min_shards, policy.max_shards + 1) if spec.cluster_mode_enabled else range(1, 2)
    )
    candidates = [
        Capacity(node_type=n.name, shards=shards, replicas_per_shard=replicas)
        for n in catalog().values()
        if n.family == family
        for shards in shard_range
        for replicas in range(min_replicas, policy.max_replicas_per_shard + 1)
    ]
    loads = peak_loads(trace)
    return cheapest_holding(
        candidates,
        lambda c: (hourly_cost(c, spec), c.shards, c.replicas_per_shard),
        lambda c: holds(c, spec, loads, physics),
        f"{family} topology",
    )


def cheapest_holding[C](
    candidates: list[C],
    price: Callable[[C], tuple[float, ...]],
    holds: Callable[[C], bool],
    what: str,
) -> C:
    """The first candidate by ``price`` (cost, then fewest nodes) that ``holds`` the peak."""
    for capacity in sorted(candidates, key=price):
        if holds(capacity):
            return capacity
    raise NoTopologyFitsError(f"no {what} within the policy's bounds holds the trace's peak")


class StaticPeakController:
    name = "static-peak"

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        try:
            return peak_capacity(spec, trace, physics, self.policy)
        except NoTopologyFitsError:
            return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        return None
