"""Static provisioning of a Memcached cluster for the peak: the cheapest fixed node type and count on which
every busiest minute of the trace x 1.2 runs without a breach (the replication-group rule of
``static_peak``: CPU under 90 / 1.2 = 75 %, data under 83.3 % of maxmemory, network under 83.3 % of the
baseline, connections per node under 65,000 / 1.2). Candidates: every size of the cluster's node family,
minNodes..maxNodes of the default Memcached policy. It never changes, so it never goes cold."""

from elasticache_autoscaler.catalog import catalog, node_type
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler_cli.simulator.baselines.static_peak import (
    CONNECTION_LIMIT_PER_NODE,
    NoTopologyFitsError,
    cheapest_holding,
    peak_loads,
)
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.memcached_physics import MemcachedPhysics, node_minute
from elasticache_autoscaler_cli.simulator.memcached_twin import (
    MemcachedProposal,
    MemcachedView,
    hourly_cost,
    initial_capacity,
)
from elasticache_autoscaler_cli.simulator.physics import Load


def holds(capacity: MemcachedCapacity, loads: list[Load], physics: MemcachedPhysics) -> bool:
    node = node_type(capacity.node_type)
    for load in loads:
        minute = node_minute(physics, node, minute=0, nodes=capacity.nodes, load=load)
        if any(minute.breach_causes(physics)) or minute.connections > CONNECTION_LIMIT_PER_NODE:
            return False
    return True


def peak_capacity(
    spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics, policy: MemcachedPolicy
) -> MemcachedCapacity:
    family = node_type(spec.node_type).family
    candidates = [
        MemcachedCapacity(node_type=n.name, nodes=count)
        for n in catalog().values()
        if n.family == family
        for count in range(policy.min_nodes, policy.max_nodes + 1)
    ]
    loads = peak_loads(trace)
    return cheapest_holding(
        candidates,
        lambda c: (hourly_cost(c), c.nodes),
        lambda c: holds(c, loads, physics),
        f"{family} cluster",
    )


# StaticPeakController's shape on a Memcached cluster's types: what they share is three one-liners.
class MemcachedStaticPeak:
    name = "static-peak"

    def __init__(self, policy: MemcachedPolicy | None = None) -> None:
        self.policy = policy or MemcachedPolicy()

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity:
        try:
            return peak_capacity(spec, trace, physics, self.policy)
        except NoTopologyFitsError:
            return initial_capacity(spec)

    def step(self, view: MemcachedView) -> MemcachedProposal | None:
        return None
