"""The Memcached twin's physics: one minute of load on N nodes, and the cold misses a node-count change costs.

Clients spread keys over the nodes by consistent hashing (Auto Discovery hands them the node list; each
client holds a connection to every node). The twin's ring is the ideal one: every node owns 1/N of the
keyspace, so of the data, of the commands and of the bytes on the wire. Going from N to M nodes remaps
``|M - N| / max(M, N)`` of the keyspace (``remapped_fraction``): on a scale-out the new nodes own that share
and start empty; on a scale-in the removed nodes' share is gone. A node type change replaces every node
(new nodes start empty): all of it. A remapped key misses on its next read (``ColdKeys``) until the client
re-fills it from the database.

Every figure is an assumption a caller may override (:class:`MemcachedPhysics`); docs/simulator.md says
where each comes from.
"""

import math
from dataclasses import dataclass

from elasticache_autoscaler.catalog import NodeType
from elasticache_autoscaler_cli.simulator.physics import GIB, GRAVITON3, OLDER_GENERATION_SPEED, Load


@dataclass(frozen=True, slots=True)
class MemcachedPhysics:
    # Memcached is multi-threaded (one worker thread per vCPU on ElastiCache): a node's throughput grows with
    # its vCPUs. ``CPUUtilization`` is the whole host's, network stack included, so a vCPU does half of the
    # replication-group twin's 100k ops/s engine thread before the host reads 100 %.
    ops_per_vcpu: float = 50_000.0
    item_cost_bytes: float = 8192.0
    request_overhead_bytes: float = 64.0
    # Breach rule of the benchmark: host CPU at or above this on a node is a breach minute.
    cpu_breach_percent: float = 90.0

    def ops_capacity(self, node: NodeType) -> float:
        """Simple ops/s that drive one node's host CPU to 100 % (Graviton2 and older at 1/1.25)."""
        generation = 1.0 if node.family in GRAVITON3 else OLDER_GENERATION_SPEED
        return self.ops_per_vcpu * node.vcpu * generation


@dataclass(frozen=True, slots=True)
class NodeMinute:
    """One minute of every node of the cluster (the ideal ring makes them equal), as CloudWatch reports it
    per node: ``cpu_percent`` is the *demanded* CPU (CloudWatch reports at most 100)."""

    minute: int
    cpu_percent: float
    bytes_used: float
    memory_percent: float
    """Warm data over the node type's maxmemory (may exceed 100: the node evicts)."""
    evictions: float
    connections: float
    network_in_exceeded: float
    network_out_exceeded: float

    @property
    def reported_cpu(self) -> float:
        return min(100.0, self.cpu_percent)

    def breach_causes(self, physics: MemcachedPhysics) -> tuple[bool, bool, bool]:
        """(memory: the node evicts, cpu: at/above the breach level, network: allowance exceeded)."""
        return (
            self.evictions > 0,
            self.cpu_percent >= physics.cpu_breach_percent,
            self.network_in_exceeded > 0 or self.network_out_exceeded > 0,
        )


def _exceeded_packets(bits_per_s: float, baseline_bits_per_s: float) -> float:
    excess = bits_per_s - baseline_bits_per_s
    return 0.0 if excess <= 0 else excess * 60 / (1500 * 8)


def node_minute(
    physics: MemcachedPhysics,
    node: NodeType,
    *,
    minute: int,
    nodes: int,
    load: Load,
    cold: float = 0.0,
    refills_per_s: float = 0.0,
) -> NodeMinute:
    """A node's 1/``nodes`` of ``load`` in ``minute``; ``cold``: the share of the keyspace not re-filled
    yet (not held); ``refills_per_s``: the sets clients send after a cold miss, beside the trace's writes."""
    share = 1 / nodes
    reads, writes = load.reads_per_s * share, (load.writes_per_s + refills_per_s) * share
    cost = 1 + load.avg_item_bytes / physics.item_cost_bytes
    warm_gib = load.dataset_gib * (1 - cold) * share
    memory_percent = 100 * warm_gib / node.maxmemory_gib
    wire_bits = (load.avg_item_bytes + physics.request_overhead_bytes) * 8
    baseline = node.network_baseline_gbps * 1e9
    return NodeMinute(
        minute=minute,
        cpu_percent=100 * (reads + writes) * cost / physics.ops_capacity(node),
        bytes_used=min(warm_gib, node.maxmemory_gib) * GIB,
        memory_percent=memory_percent,
        evictions=max(1.0, writes * 60) if memory_percent > 100 else 0.0,
        connections=float(load.connections),
        network_in_exceeded=_exceeded_packets(writes * wire_bits, baseline),
        network_out_exceeded=_exceeded_packets(reads * wire_bits, baseline),
    )


def remapped_fraction(before: int, after: int) -> float:
    """The share of the keyspace that changes node when an ideal ring goes from ``before`` (N) to ``after``
    (M) nodes: the new nodes' share on a scale-out, (M - N) / M; the removed nodes' on a scale-in,
    (N - M) / N."""
    return abs(after - before) / max(after, before)


@dataclass(slots=True)
class ColdKeys:
    """The share of the keyspace that misses until read once (and re-filled by the client).

    Reads pick keys uniformly: of ``K`` keys with a cold share ``f``, ``r`` reads in a minute touch
    ``K f (1 - e^(-r/K))`` distinct cold keys, each a miss (the expected count), and leave ``f e^(-r/K)``
    cold. Over time every cold key misses once: a change's misses add up to ``K x`` its remapped share."""

    fraction: float = 0.0

    def remap(self, share: float) -> None:
        """A change remapped ``share`` of the keyspace (already-cold keys stay cold, counted once)."""
        self.fraction = min(1.0, self.fraction + share * (1 - self.fraction))

    def minute(self, reads_per_s: float, keys: float) -> float:
        """The misses of one minute of ``reads_per_s`` over ``keys`` keys; re-fills what they touched."""
        if self.fraction == 0 or keys <= 0:
            return 0.0
        touched = 1 - math.exp(-reads_per_s * 60 / keys)
        misses = keys * self.fraction * touched
        self.fraction *= 1 - touched
        return misses


def key_count(load: Load) -> float:
    """Items in the cache: the dataset over the average item size."""
    return load.dataset_gib * GIB / load.avg_item_bytes
