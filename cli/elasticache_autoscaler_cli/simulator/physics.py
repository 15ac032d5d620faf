"""The twin's physics: what one minute of load does to each shard of a given topology.

Every figure is an assumption a caller may override (see :class:`Physics`); docs/simulator.md says where
each comes from. The twin computes two shard classes only, the hottest shard and "every other shard"
(they are identical), which keeps a minute at a few dozen float operations whatever the shard count.
"""

import math
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from elasticache_autoscaler.catalog import NodeType

GIB = 1024**3
FloatArray = NDArray[np.float64]

HotKeySplit = Literal["even", "stays"]

# The twin's own node throughput, kept apart from the engine's sizing model (``engine.node_type_choice``) so
# that the engine is scored against a world it does not share code or constants with. Sources: Graviton3
# "up to 25 % better compute performance" than Graviton2 (AWS Graviton3 launch, re:Invent 2021) where the
# engine assumes 1.28; ElastiCache enhanced I/O multiplexing "up to 72 %" more throughput (ElastiCache for
# Redis 7 launch post), reached here from 32 vCPU (+20 % at 4 vCPU, +40 % at 8, +60 % at 16, +72 % from 32)
# where the engine assumes +24 % per vCPU doubling, capped from 16 vCPU.
GRAVITON3 = frozenset({"r7g", "m7g", "c7gn"})
OLDER_GENERATION_SPEED = 1 / 1.25
IO_THREAD_GAIN_BY_DOUBLING = (0.0, 0.20, 0.40, 0.60, 0.72)


@cache
def _engine_speed(vcpu: int, family: str) -> float:
    """A node's engine throughput relative to a 2-vCPU Graviton3 node (called every simulated minute)."""
    doublings = max(0, round(math.log2(max(vcpu, 2) / 2)))
    gain = IO_THREAD_GAIN_BY_DOUBLING[min(doublings, len(IO_THREAD_GAIN_BY_DOUBLING) - 1)]
    generation = 1.0 if family in GRAVITON3 else OLDER_GENERATION_SPEED
    return generation * (1 + gain)


@dataclass(frozen=True, slots=True)
class Physics:
    # Engine thread throughput at 100 % EngineCPUUtilization for small (<= 1 KiB) GET/SET: ~100k ops/s is
    # the figure Redis' own benchmarks give per core (redis.io "Redis benchmark"), and what AWS sizing
    # guidance uses for a single-threaded engine.
    ops_per_core: float = 100_000.0
    # An item of this many bytes costs one extra op-equivalent of engine time (copying the value).
    item_cost_bytes: float = 8192.0
    # A replica applying the replication stream spends about half of what the primary spent on the write
    # (no client parsing or reply).
    replication_apply_cost: float = 0.5
    # Protocol framing per request/reply on the wire.
    request_overhead_bytes: float = 64.0
    # Breach rule of the benchmark: engine CPU at or above this is a breach minute.
    cpu_breach_percent: float = 90.0

    def ops_capacity(self, node: NodeType) -> float:
        """Simple ops/s that drive one node's engine thread to 100 %.

        ``ops_per_core`` is the engine thread of a 2-vCPU Graviton3 node (r7g, m7g, c7gn .large); larger
        nodes gain from I/O threads (``IO_THREAD_GAIN_BY_DOUBLING``), an older generation does 1/1.25 of it.
        The twin's own model: the engine estimates the same thing with other constants."""
        return self.ops_per_core * _engine_speed(node.vcpu, node.family)

    def op_cost[F: (float, FloatArray)](self, item_bytes: F) -> F:
        return 1 + item_bytes / self.item_cost_bytes


@dataclass(frozen=True, slots=True)
class Load:
    """One minute of demand on the whole group."""

    reads_per_s: float
    writes_per_s: float
    dataset_gib: float
    connections: int
    avg_item_bytes: float


class LoadOf[F: (float, FloatArray)](Protocol):
    """What ``shard_demand`` reads of a load: one minute's (``Load``) or every minute's (``LoadColumns``)."""

    @property
    def reads_per_s(self) -> F: ...
    @property
    def writes_per_s(self) -> F: ...
    @property
    def dataset_gib(self) -> F: ...
    @property
    def avg_item_bytes(self) -> F: ...


@dataclass(frozen=True, slots=True)
class ShardMetrics:
    """What CloudWatch would report for one shard in one minute (per node: the max over that role's nodes).

    ``primary_cpu``/``replica_cpu`` are the *demanded* engine CPU, which may exceed 100 %; CloudWatch
    reports at most 100 (see :meth:`reported_cpu`).
    """

    memory_percent: float
    evictions: float
    primary_cpu: float
    replica_cpu: float | None
    connections_per_node: float
    network_in_exceeded: float
    network_out_exceeded: float
    primary_bytes_in: float = 0.0
    primary_bytes_out: float = 0.0
    replica_bytes_in: float = 0.0
    replica_bytes_out: float = 0.0
    """``NetworkBytesIn``/``Out`` of one node of each role over the minute (bytes)."""

    @property
    def evicting(self) -> bool:
        return self.evictions > 0

    @property
    def max_cpu(self) -> float:
        return self.primary_cpu if self.replica_cpu is None else max(self.primary_cpu, self.replica_cpu)

    @property
    def network_exceeded(self) -> bool:
        return self.network_in_exceeded > 0 or self.network_out_exceeded > 0


def reported_cpu(cpu: float) -> float:
    return min(100.0, cpu)


def hot_share(
    shards: int, initial_shards: int, initial_hot_share: float | None, split: HotKeySplit = "even"
) -> float:
    """Share of all traffic on the hottest shard once the group has ``shards`` shards.

    ``even``: the hot traffic lives in a slot range that was one shard wide at the start
    (``initial_shards``): splitting the keyspace finer splits that range too; merging adds the even traffic
    of the other range. ``stays``: the excess is one hot key (or a few in one slot), which no reshard splits:
    the hot shard keeps the key's share ``x`` plus its even part of the rest, ``x + (1 - x) / shards``, with
    ``x`` such that this is ``initial_hot_share`` at ``initial_shards``. Both agree when merging.
    """
    even = 1 / shards
    if initial_hot_share is None or initial_shards <= 1:
        return even
    if split == "stays":
        key = (initial_hot_share - 1 / initial_shards) / (1 - 1 / initial_shards)
        return min(1.0, key + (1 - key) / shards)
    width = 1 / initial_shards
    if shards >= initial_shards:
        share = initial_hot_share * initial_shards / shards
    else:
        share = initial_hot_share + (1 - initial_hot_share) * (even - width) / (1 - width)
    return min(1.0, max(share, even))


def _exceeded_packets(bits_per_s: float, baseline_bits_per_s: float) -> float:
    """Packets per minute shaped by the allowance (1500-byte packets), 0 when under the baseline."""
    excess = bits_per_s - baseline_bits_per_s
    return 0.0 if excess <= 0 else excess * 60 / (1500 * 8)


@dataclass(frozen=True, slots=True)
class ShardDemand[F: (float, FloatArray)]:
    """What one shard's traffic asks of its nodes, for one minute (``float``) or every minute (arrays)."""

    memory_percent: F
    writes: F
    primary_cpu: F
    replica_cpu: F | None
    primary_in: F
    primary_out: F
    replica_in: F
    replica_out: F


def shard_demand[F: (float, FloatArray)](
    physics: Physics,
    node: NodeType,
    *,
    replicas: int,
    share: float,
    shards: int,
    load: LoadOf[F],
) -> ShardDemand[F]:
    """One shard carrying ``share`` of the traffic and 1/``shards`` of the data: of one minute's ``Load``
    or of every minute's ``LoadColumns`` at once.

    Reads go to the shard's replicas when it has any (reader endpoint / READONLY routing), else to the
    primary; writes go to the primary and are replayed on every replica. Bandwidths in bits/s.
    """
    avg_item_bytes, dataset_gib = load.avg_item_bytes, load.dataset_gib
    cost = physics.op_cost(avg_item_bytes)
    capacity = physics.ops_capacity(node)
    reads = load.reads_per_s * share
    writes = load.writes_per_s * share
    reads_on_primary = reads if replicas == 0 else reads * 0.0
    reads_per_replica = reads / replicas if replicas else reads * 0.0
    wire = avg_item_bytes + physics.request_overhead_bytes
    return ShardDemand(
        memory_percent=100 * (dataset_gib / shards) / node.maxmemory_gib,
        writes=writes,
        primary_cpu=100 * (writes + reads_on_primary) * cost / capacity,
        replica_cpu=(
            100 * (reads_per_replica + physics.replication_apply_cost * writes) * cost / capacity
            if replicas
            else None
        ),
        primary_in=writes * wire * 8,
        primary_out=(reads_on_primary * wire + writes * avg_item_bytes * replicas) * 8,
        replica_in=writes * avg_item_bytes * 8 if replicas else writes * 0.0,
        replica_out=reads_per_replica * wire * 8,
    )


def shard_metrics(
    physics: Physics,
    node: NodeType,
    *,
    replicas: int,
    share: float,
    load: Load,
    shards: int,
) -> ShardMetrics:
    """One shard's CloudWatch view of its ``shard_demand``."""
    demand = shard_demand(physics, node, replicas=replicas, share=share, shards=shards, load=load)
    memory_percent = demand.memory_percent
    writes = demand.writes
    evictions = max(1.0, writes * 60) if memory_percent > 100 else 0.0
    baseline = node.network_baseline_gbps * 1e9
    primary_in, primary_out = demand.primary_in, demand.primary_out
    replica_in, replica_out = demand.replica_in, demand.replica_out

    return ShardMetrics(
        memory_percent=min(100.0, memory_percent),
        evictions=evictions,
        primary_cpu=demand.primary_cpu,
        replica_cpu=demand.replica_cpu,
        connections_per_node=load.connections / (shards * (1 + replicas)),
        network_in_exceeded=max(
            _exceeded_packets(primary_in, baseline), _exceeded_packets(replica_in, baseline)
        ),
        network_out_exceeded=max(
            _exceeded_packets(primary_out, baseline), _exceeded_packets(replica_out, baseline)
        ),
        primary_bytes_in=primary_in / 8 * 60,
        primary_bytes_out=primary_out / 8 * 60,
        replica_bytes_in=replica_in / 8 * 60,
        replica_bytes_out=replica_out / 8 * 60,
    )


@dataclass(frozen=True, slots=True)
class GroupMetrics:
    """One minute of the whole group: the hottest shard and (when there are others) any other shard."""

    shards: int
    hot: ShardMetrics
    rest: ShardMetrics | None

    def each(self) -> tuple[ShardMetrics, ...]:
        return (self.hot,) if self.rest is None else (self.hot, self.rest)

    def average(self, value: float, rest_value: float | None) -> float:
        """Average over all shards of a per-shard value (hot once, the rest ``shards - 1`` times)."""
        if rest_value is None:
            return value
        return (value + rest_value * (self.shards - 1)) / self.shards

    @property
    def max_memory(self) -> float:
        return max(s.memory_percent for s in self.each())

    @property
    def max_primary_cpu(self) -> float:
        return max(s.primary_cpu for s in self.each())

    @property
    def max_replica_cpu(self) -> float | None:
        values = [s.replica_cpu for s in self.each() if s.replica_cpu is not None]
        return max(values) if values else None

    @property
    def avg_memory(self) -> float:
        return self.average(self.hot.memory_percent, self.rest.memory_percent if self.rest else None)

    @property
    def avg_primary_cpu(self) -> float:
        return self.average(
            reported_cpu(self.hot.primary_cpu), reported_cpu(self.rest.primary_cpu) if self.rest else None
        )

    @property
    def avg_replica_cpu(self) -> float | None:
        if self.hot.replica_cpu is None:
            return None
        rest = self.rest.replica_cpu if self.rest else None
        return self.average(reported_cpu(self.hot.replica_cpu), None if rest is None else reported_cpu(rest))

    def breach_causes(self, physics: Physics) -> tuple[bool, bool, bool]:
        """(memory: a shard evicts, cpu: an engine at/above the breach level, network: allowance exceeded)."""
        shards = self.each()
        return (
            any(s.evicting for s in shards),
            any(s.max_cpu >= physics.cpu_breach_percent for s in shards),
            any(s.network_exceeded for s in shards),
        )


def group_metrics(
    physics: Physics,
    node: NodeType,
    *,
    shards: int,
    replicas: int,
    load: Load,
    initial_shards: int,
    initial_hot_share: float | None,
    hot_key_split: HotKeySplit = "even",
) -> GroupMetrics:
    share = hot_share(shards, initial_shards, initial_hot_share, hot_key_split)
    hot = shard_metrics(physics, node, replicas=replicas, share=share, load=load, shards=shards)
    if shards == 1:
        return GroupMetrics(shards=1, hot=hot, rest=None)
    rest = shard_metrics(
        physics, node, replicas=replicas, share=(1 - share) / (shards - 1), load=load, shards=shards
    )
    return GroupMetrics(shards=shards, hot=hot, rest=rest)


@dataclass(frozen=True, slots=True)
class LoadColumns:
    """A whole trace's load, one array per column (what ``breach_free`` evaluates every minute at once)."""

    reads_per_s: FloatArray
    writes_per_s: FloatArray
    dataset_gib: FloatArray
    avg_item_bytes: FloatArray


def _shard_breaches(demand: ShardDemand[FloatArray], physics: Physics, baseline: float) -> NDArray[np.bool_]:
    """``GroupMetrics.breach_causes`` of one shard, every minute: evicting, engine CPU, network allowance."""
    over = (demand.memory_percent > 100) | (demand.primary_cpu >= physics.cpu_breach_percent)
    if demand.replica_cpu is not None:
        over |= demand.replica_cpu >= physics.cpu_breach_percent
    for bits in (demand.primary_in, demand.primary_out, demand.replica_in, demand.replica_out):
        over |= bits - baseline > 0
    return over


def breach_free(
    physics: Physics, node: NodeType, *, shards: int, replicas: int, hot: float, load: LoadColumns
) -> NDArray[np.bool_]:
    """Per minute, whether the topology runs ``load`` without a breach: the twin's breach rule
    (``GroupMetrics.breach_causes``) on the same ``shard_demand``, for every minute at once."""
    baseline = node.network_baseline_gbps * 1e9
    ok = np.ones(len(load.reads_per_s), dtype=np.bool_)
    shares = (hot,) if shards == 1 else (hot, (1 - hot) / (shards - 1))
    for share in shares:
        demand = shard_demand(physics, node, replicas=replicas, share=share, shards=shards, load=load)
        ok &= ~_shard_breaches(demand, physics, baseline)
    return ok
