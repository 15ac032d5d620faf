"""Cost-aware node type choice: the cheapest allowed type that meets the projected need.

Allowed = listed by ElastiCache for this group (ListAllowedNodeTypeModifications, in the topology), in the
node type catalog, inside the policy's node type rules and within ``maxStep.nodeSizes`` rungs of the size
ladder. Engine CPU is modelled as spreading over vCPUs (Valkey/Redis 6+ I/O threads): a crude but
monotone model the simulator shares.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from elasticache_autoscaler.catalog import Engine, NodeType, catalog
from elasticache_autoscaler.models.policy import Policy, size_rank

Resource = Literal["memory", "vcpu", "network"]


@dataclass(frozen=True, slots=True)
class Need:
    """What a larger node must offer: at least these, and strictly more of ``grow`` than today."""

    maxmemory_gib: float
    vcpu: float
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
        case "vcpu":
            return node.vcpu
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
        and policy.node_types.allows(name)
        and _within_step(current, known[name], policy.max_step.node_sizes)
    ]


def _meets(node: NodeType, need: Need) -> bool:
    return (
        node.maxmemory_gib >= need.maxmemory_gib
        and node.vcpu >= need.vcpu
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
    cheaper = [
        node
        for node in allowed_candidates(current, listed, policy)
        if node.price_per_hour(engine) < current.price_per_hour(engine)
    ]
    if not cheaper:
        return NodeChoice(None, f"node type: no allowed type cheaper than {current.name}")
    fitting = [node for node in cheaper if fits(node)]
    if not fitting:
        return NodeChoice(None, "node type: no cheaper allowed type keeps projected utilisation under target")
    best = min(fitting, key=lambda node: (node.price_per_hour(engine), node.name))
    return NodeChoice(best, f"node type: {best.name} is the cheapest allowed type that stays under target")
