"""The constrained oracle: a lower bound on what any zero-breach schedule of the twin costs.

It knows the whole trace, but obeys the twin: it starts from the group as it is; it makes one change at a
time, called after a minute and started with the next; while a change runs the old capacity serves (and must
hold the load) and the dearer of the old and the new is billed, per minute, as the twin bills; the new
capacity serves at least one minute before the next change; no shard may breach in any minute (the twin's
breach rule, ``physics.breach_free``). Capacities: every node type ElastiCache lists as a modification of the
group's type, and of those types in turn, that the policy allows, with shards and replicas within the
policy's bounds (at least 1 replica with Multi-AZ): every topology a policy in the bench can reach.

Computed exactly by dynamic programming over minute x capacity, with one relaxation that keeps it fast: a
change lasts the shortest time a change of its kind can take (``change_minutes``): another node type, the
twin's vertical scale; more nodes of the same type, the shorter of adding a replica and resharding's fixed
part; fewer or as many, the shorter of removing a replica and resharding's fixed part. A real change lasts at
least that long, so every schedule of the twin maps onto one of the oracle's that costs no more: run the old
capacity alone for the difference (billed at its own price, which the twin bills at least), then change.
Hence no policy that starts from the group as it is and breaches no minute costs less in the twin than
``oracle``'s figure.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from elasticache_autoscaler.catalog import NodeType, allowed_modifications, node_type
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import LoadColumns, Physics, breach_free, hot_share
from elasticache_autoscaler_cli.simulator.timing import ActionTimings
from elasticache_autoscaler_cli.simulator.twin import hourly_cost, initial_capacity, nodes_of


@dataclass(frozen=True, slots=True)
class OracleResult:
    cost_usd: float
    """What the cheapest zero-breach schedule costs; ``math.inf`` when none exists (``feasible``)."""

    @property
    def feasible(self) -> bool:
        return math.isfinite(self.cost_usd)


def reachable_types(spec: ClusterSpec, policy: Policy) -> list[str]:
    """The group's type and every type reachable through ``ListAllowedNodeTypeModifications`` steps that
    ``policy`` allows (burstable ones only if it names them, as for the engine)."""
    found = [spec.node_type]
    frontier = [spec.node_type]
    while frontier:
        up, down = allowed_modifications(frontier.pop())
        for name in (*up, *down):
            if name not in found and policy.node_types.allows(name, spec.node_type):
                found.append(name)
                frontier.append(name)
    return found


def shapes(spec: ClusterSpec, policy: Policy) -> list[tuple[int, int]]:
    """(shards, replicas per shard) within the policy's bounds, and the group's own, fewest nodes first."""
    min_replicas = max(policy.min_replicas_per_shard, 1 if spec.multi_az else 0)
    shards = range(policy.min_shards, policy.max_shards + 1) if spec.cluster_mode_enabled else range(1, 2)
    found = {(s, r) for s in shards for r in range(min_replicas, policy.max_replicas_per_shard + 1)}
    found.add((spec.shards, spec.replicas_per_shard))
    return sorted(found, key=lambda shape: (shape[0] * (1 + shape[1]), shape))


@dataclass(frozen=True, slots=True)
class ChangeMinutes:
    """The shortest a change of each kind lasts in the twin (whole minutes, at least 1)."""

    other_type: int
    more_nodes: int
    fewer_nodes: int


def change_minutes(timings: ActionTimings) -> ChangeMinutes:
    def whole(minutes: float) -> int:
        return max(1, math.ceil(minutes))

    return ChangeMinutes(
        other_type=whole(timings.vertical_scale_minutes),
        more_nodes=whole(min(timings.add_replica_minutes, timings.reshard_overhead_minutes)),
        fewer_nodes=whole(min(timings.remove_replica_minutes, timings.reshard_overhead_minutes)),
    )


def load_columns(trace: Trace) -> LoadColumns:
    return LoadColumns(
        reads_per_s=np.asarray(trace.reads_per_s, dtype=np.float64),
        writes_per_s=np.asarray(trace.writes_per_s, dtype=np.float64),
        dataset_gib=np.asarray(trace.dataset_gib, dtype=np.float64),
        avg_item_bytes=np.asarray(trace.avg_item_bytes, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class _Space:
    """The capacities in blocks of one node type each, every block the same ``shapes`` in the same order."""

    capacities: list[Capacity]
    types: int
    per_type: int
    cost_per_minute: NDArray[np.float64]
    holds: NDArray[np.bool_]
    """(minute, capacity): the capacity runs that minute without a breach."""


def _space(trace: Trace, spec: ClusterSpec, policy: Policy, physics: Physics) -> _Space:
    grid, load = shapes(spec, policy), load_columns(trace)

    def block(name: str) -> NDArray[np.bool_]:
        node = node_type(name)
        return np.stack(
            [
                breach_free(
                    physics,
                    node,
                    shards=shards,
                    replicas=replicas,
                    hot=hot_share(shards, spec.shards, spec.hot_shard_share, spec.hot_key_split),
                    load=load,
                )
                for shards, replicas in grid
            ],
            axis=1,
        )

    blocks = _undominated(reachable_types(spec, policy), block, spec, physics)
    capacities = [
        Capacity(node_type=name, shards=shards, replicas_per_shard=replicas)
        for name in blocks
        for shards, replicas in grid
    ]
    cost = np.array([hourly_cost(c, spec) / 60 for c in capacities], dtype=np.float64)
    holds = np.concatenate(list(blocks.values()), axis=1)
    return _Space(capacities, len(blocks), len(grid), cost, holds)


def _undominated(
    types: list[str], block: Callable[[str], NDArray[np.bool_]], spec: ClusterSpec, physics: Physics
) -> dict[str, NDArray[np.bool_]]:
    """The types left, each with its ``block`` of (minute, shape) breach-free flags, once every type that
    another, no dearer, type beats is dropped: one that holds every minute the other holds, in every shape
    (known without computing it when the other has at least its memory, engine throughput and network
    bandwidth, or holds everywhere). Replacing the dropped type by its better in a schedule keeps it
    breach-free, bills no more and shortens no wait (a change between the two becomes one within a type),
    so the oracle's figure does not change. The group's own type is kept: the schedule starts there."""
    nodes = {name: node_type(name) for name in types}
    price = {name: node.price_per_hour(spec.engine) for name, node in nodes.items()}

    def at_least(better: NodeType, worse: NodeType) -> bool:
        return (
            better.maxmemory_gib >= worse.maxmemory_gib
            and physics.ops_capacity(better) >= physics.ops_capacity(worse)
            and better.network_baseline_gbps >= worse.network_baseline_gbps
        )

    kept: dict[str, NDArray[np.bool_]] = {}
    everywhere: set[str] = set()
    for name in sorted(types, key=lambda n: (n != spec.node_type, price[n])):
        cheaper = [other for other in kept if price[other] <= price[name]] if name != spec.node_type else []
        if any(other in everywhere or at_least(nodes[other], nodes[name]) for other in cheaper):
            continue
        flags = block(name)
        if any(bool(np.all(kept[other] | ~flags)) for other in cheaper):
            continue
        kept[name] = flags
        if flags.all():
            everywhere.add(name)
    return kept


def _last_at_most(values: NDArray[np.float64]) -> NDArray[np.intp]:
    """For each position of sorted ``values``: the last index whose value is at most its own."""
    return np.searchsorted(values, values, side="right") - 1


def _first_above(values: NDArray[np.float64]) -> NDArray[np.intp]:
    """For each position of sorted ``values``: the first index whose value is above its own (or ``len``)."""
    return np.searchsorted(values, values, side="right")


@dataclass(frozen=True, slots=True)
class _Moves:
    """Index tables for "the best target at most / above my price": per block (same type) and over all."""

    block_at_most: NDArray[np.intp]
    block_above: NDArray[np.intp]
    order: NDArray[np.intp]
    rank: NDArray[np.intp]
    all_at_most: NDArray[np.intp]
    all_above: NDArray[np.intp]


def _moves(space: _Space) -> _Moves:
    block_nodes = np.array([nodes_of(c) for c in space.capacities[: space.per_type]], dtype=np.float64)
    order = np.argsort(space.cost_per_minute, kind="stable")
    sorted_cost = space.cost_per_minute[order]
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return _Moves(
        block_at_most=_last_at_most(block_nodes),
        block_above=_first_above(block_nodes),
        order=order,
        rank=rank,
        all_at_most=_last_at_most(sorted_cost),
        all_above=_first_above(sorted_cost),
    )


def _suffix_min(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Suffix minima along the last axis, with one ``inf`` appended (the "no dearer target" position)."""
    out = np.full((*values.shape[:-1], values.shape[-1] + 1), np.inf)
    out[..., :-1] = np.minimum.accumulate(values[..., ::-1], axis=-1)[..., ::-1]
    return out


def _best_change(
    arrive: NDArray[np.float64], minutes: int, space: _Space, moves: _Moves, same_type: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """From each capacity (last axis), the cheapest change lasting ``minutes`` whose target is worth
    ``arrive`` on arrival: (towards a target at most as dear, billed at the source's price; towards a dearer
    one, billed at the target's). Leading axes are minutes."""
    cost = space.cost_per_minute
    lead = arrive.shape[:-1]
    if same_type:
        shape = (*lead, space.types, space.per_type)
        blocks = arrive.reshape(shape)
        cheaper = np.minimum.accumulate(blocks, axis=-1)[..., moves.block_at_most].reshape(arrive.shape)
        priced = cost.reshape(space.types, space.per_type) * minutes + blocks
        dearer = _suffix_min(priced)[..., moves.block_above].reshape(arrive.shape)
        return cost * minutes + cheaper, dearer
    ordered = arrive[..., moves.order]
    cheaper = np.minimum.accumulate(ordered, axis=-1)[..., moves.all_at_most][..., moves.rank]
    dearer = _suffix_min(cost[moves.order] * minutes + ordered)[..., moves.all_above][..., moves.rank]
    return cost * minutes + cheaper, dearer


def _arrival(settled: NDArray[np.float64], minute: int, minutes: int, size: int) -> NDArray[np.float64]:
    """What arriving at each capacity for ``minute`` is worth: nothing after the trace, impossible past it."""
    if minute > minutes:
        return np.full(settled.shape[1], np.inf)
    if minute == minutes:
        return np.zeros(settled.shape[1])
    row: NDArray[np.float64] = settled[minute % size]
    return row


def oracle(
    trace: Trace,
    spec: ClusterSpec,
    policy: Policy | None = None,
    physics: Physics | None = None,
    timings: ActionTimings | None = None,
) -> OracleResult:
    policy, physics = policy or Policy(), physics or Physics()
    space = _space(trace, spec, policy, physics)
    moves = _moves(space)
    durations = change_minutes(timings or ActionTimings())
    # (minutes, same type only, towards: "cheaper" targets, "dearer" ones or both)
    kinds = (
        (durations.other_type, False, "both"),
        (durations.more_nodes, True, "dearer"),
        (durations.fewer_nodes, True, "cheaper"),
    )
    longest = max(length for length, _, _ in kinds)
    # Changes last at least `step` minutes: the options of `step` minutes in a row depend only on later
    # minutes' values, so they are computed together.
    step = min(length for length, _, _ in kinds)
    minutes, count = len(trace), len(space.capacities)
    # settled[t % size]: the cheapest cost from minute t on, having arrived at each capacity for minute t (it
    # serves minute t whatever comes next); beyond the trace, nothing more is billed.
    size = longest + step + 1
    settled = np.zeros((size, count), dtype=np.float64)
    best_next = np.zeros(count, dtype=np.float64)
    run = np.zeros(count, dtype=np.int64)
    for last in range(minutes - 1, -1, -step):
        chunk = range(last, max(last - step, -1), -1)
        runs = []
        for t in chunk:
            run = np.where(space.holds[t], run + 1, 0)
            runs.append(run)
        change = np.full((len(chunk), count), np.inf)
        for length, same_type, towards in kinds:
            arrive = np.stack([_arrival(settled, t + length, minutes, size) for t in chunk])
            cheaper, dearer = _best_change(arrive, length, space, moves, same_type)
            best = {"cheaper": cheaper, "dearer": dearer}.get(towards, np.minimum(cheaper, dearer))
            change = np.minimum(change, np.where(np.stack(runs) >= length, best, np.inf))
        for row, t in enumerate(chunk):
            stay = np.where(space.holds[t], space.cost_per_minute + best_next, np.inf)
            settled[t % size] = stay
            # A change is called after a minute of data: none starts at minute 0.
            best_next = np.minimum(stay, change[row]) if t >= 1 else stay
    start = space.capacities.index(initial_capacity(spec))
    return OracleResult(cost_usd=float(settled[0][start]))
