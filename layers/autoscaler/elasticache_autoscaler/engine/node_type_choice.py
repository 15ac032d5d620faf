"""Cost-aware node type choice: the cheapest allowed type that meets the projected need.

Allowed = listed by ElastiCache for this group (ListAllowedNodeTypeModifications, in the topology), in the
node type catalog, inside the policy's node type rules and within ``maxStep.nodeSizes`` rungs of the size
ladder. Engine capacity (``compute``) is one engine thread helped by I/O threads on larger nodes, a Graviton2
core doing 1/1.28 of a Graviton3 one: the model the simulator's twin runs on too.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from elasticache_autoscaler.catalog import Engine, NodeType, catalog
from elasticache_autoscaler.models.policy import Policy, size_rank

Resource = Literal["memory", "engine CPU", "network"]

# "Graviton3 (M7g and R7g) instances ... deliver up to 28% increased RPS ... compared to Graviton2" (AWS
# Database Blog, "Achieve over 500 million requests per second per cluster with Amazon ElastiCache for
# Redis 7.1"). c7gn is Graviton3 too. Every other catalog family (r6g, m6g, r6gd, t4g: Graviton2; t3:
# burstable x86) is taken at the Graviton2 rate, so a move to an older generation is never free CPU.
GRAVITON3_FAMILIES = frozenset({"r7g", "m7g", "c7gn"})
GRAVITON3_SPEEDUP = 1.28
# Catalog prices within a family are linear in size only to the cent (r7g.xlarge is 0.2 % cheaper per vCPU
# than r7g.large): a smaller node may cost up to this much more per unit of engine CPU; an older
# generation costs ~20 % more.
CPU_PRICE_SLACK = 0.05


def cpu_speed(node: NodeType) -> float:
    """Engine throughput of one vCPU of this type relative to a Graviton3 vCPU."""
    return 1.0 if node.family in GRAVITON3_FAMILIES else 1 / GRAVITON3_SPEEDUP


# The engine runs commands on one thread; ElastiCache's enhanced I/O multiplexing (Redis OSS 7+, Valkey) moves
# network work to other cores on nodes with 4 vCPU or more, for "up to 72 %" more throughput (AWS, "Supported
# node types" and the 7.0.5 release blog): +24 % per vCPU doubling from 2 vCPU, capped at +72 %.
IO_GAIN_PER_DOUBLING = 0.24
IO_GAIN_CAP = 0.72


def compute(node: NodeType) -> float:
    """The node's engine throughput relative to a 2-vCPU Graviton3 node (cache.r7g.large = 1.0): what
    ``Need.compute`` is measured in. More vCPUs help only through I/O threads (r7g.xlarge 1.24, 2xlarge 1.48,
    4xlarge and up 1.72); an older generation does 1/1.28 of it."""
    doublings = max(0.0, math.log2(node.vcpu / 2))
    return cpu_speed(node) * (1 + min(IO_GAIN_CAP, IO_GAIN_PER_DOUBLING * doublings))


@dataclass(frozen=True, slots=True)
class Need:
    """What a larger node must offer: at least these, and strictly more of ``grow`` than today.

    ``compute`` is engine throughput relative to a cache.r7g.large (``compute``)."""

    maxmemory_gib: float
    compute: float
    network_gbps: float
    grow: Resource


@dataclass(frozen=True, slots=True)
class NodeChoice:
    node: NodeType | None
    reason: str


def capacity_of(node: NodeType, resource: Resource) -> float:
    match resource:
        case "memory":
            return node.maxmemory_gib
        case "engine CPU":
            return compute(node)
        case "network":
            return node.network_baseline_gbps


def _within_step(current: NodeType, candidate: NodeType, max_step: int) -> bool:
    here, there = size_rank(current.name), size_rank(candidate.name)
    return here is None or there is None or abs(there - here) <= max_step


def allowed_candidates(current: NodeType, listed: tuple[str, ...], policy: Policy) -> list[NodeType]:
    known = catalog()
    return [
        known[name]
        for name in listed
        if name in known
        and name != current.name
        and policy.node_types.allows(name, current.name)
        and _within_step(current, known[name], policy.max_step.node_sizes)
    ]


def _meets(node: NodeType, need: Need) -> bool:
    return (
        node.maxmemory_gib >= need.maxmemory_gib
        and compute(node) >= need.compute
        and node.network_baseline_gbps >= need.network_gbps
    )


def choose_larger(
    current: NodeType, listed: tuple[str, ...], policy: Policy, engine: Engine, need: Need
) -> NodeChoice:
    candidates = [
        node
        for node in allowed_candidates(current, listed, policy)
        if capacity_of(node, need.grow) > capacity_of(current, need.grow)
    ]
    if not candidates:
        return NodeChoice(None, f"node type: no allowed type with more {need.grow} than {current.name}")

    def price(node: NodeType) -> float:
        return node.price_per_hour(engine)

    meeting = [node for node in candidates if _meets(node, need)]
    if meeting:
        best = min(meeting, key=lambda node: (price(node), node.name))
        return NodeChoice(best, f"node type: {best.name} is the cheapest allowed type meeting the need")
    best = max(candidates, key=lambda node: (capacity_of(node, need.grow), -price(node)))
    return NodeChoice(
        best,
        f"node type: no allowed type within maxStep.nodeSizes {policy.max_step.node_sizes} meets the whole "
        f"need; {best.name} offers the most {need.grow}",
    )


def choose_smaller(
    current: NodeType,
    listed: tuple[str, ...],
    policy: Policy,
    engine: Engine,
    fits: Callable[[NodeType], bool],
) -> NodeChoice:
    def per_compute(node: NodeType) -> float:
        # Price per Graviton3 vCPU-equivalent: what the silicon costs, whatever a single engine makes of it.
        return node.price_per_hour(engine) / (node.vcpu * cpu_speed(node))

    # A smaller node must not make engine CPU dearer (beyond rounding): the engine sees only the
    # stabilization window, and a move to an older generation (r7g -> r6g: -6 % price, -22 % CPU) is paid
    # back at the next peak with more replicas or shards (docs/decisions.md, "Node type choice").
    cheaper = [
        node
        for node in allowed_candidates(current, listed, policy)
        if node.price_per_hour(engine) < current.price_per_hour(engine)
        and per_compute(node) <= per_compute(current) * (1 + CPU_PRICE_SLACK)
    ]
    if not cheaper:
        return NodeChoice(None, f"node type: no allowed type cheaper than {current.name}")
    fitting = [node for node in cheaper if fits(node)]
    if not fitting:
        return NodeChoice(None, "node type: no cheaper allowed type keeps projected utilisation under target")
    best = min(fitting, key=lambda node: (node.price_per_hour(engine), node.name))
    return NodeChoice(best, f"node type: {best.name} is the cheapest allowed type that stays under target")
