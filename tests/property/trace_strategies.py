"""Hypothesis strategies for the simulator: loads that trend one way, with bounded noise, and the clusters
they run on.

A load is drawn as a few numbers (a ``TrendingLoad``) rather than as minute rows, so that a failing example
reads as one line and shrinks by its shape, levels and length; ``trace()`` builds the rows from it. Levels
are utilisation of the cluster *as it starts* — memory in % of maxmemory, engine CPU in % — converted to
ops/s and GiB with the twin's own physics, so a level means the same on every node type and topology.
"""

import random
from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import Physics

Shape = Literal["rise", "fall", "rise_then_plateau", "fall_then_plateau"]
Dimension = Literal["memory", "write_cpu", "read_cpu"]
ClusterMode = Literal["enabled", "disabled"]
RISING: tuple[Shape, ...] = ("rise", "rise_then_plateau")
FALLING: tuple[Shape, ...] = ("fall", "fall_then_plateau")
DIMENSIONS: tuple[Dimension, ...] = ("memory", "write_cpu", "read_cpu")

# Lowest level of any dimension; a trending one moves by at least this factor between start and end.
FLOOR = {"memory": 10, "write_cpu": 5, "read_cpu": 5}
LEAST_MOVE = 1.5
# A dimension that does not trend stays at most here: under its scale-out threshold (target 70 / 60 x 1.1)
# with the largest noise, so it never asks for capacity by itself.
STEADY_CAP = {"memory": 60, "write_cpu": 50, "read_cpu": 50}
# Where a trend may reach, in utilisation of the starting cluster. Rising: what the default policy's bounds
# can serve (10 shards, 5 replicas, any node type). A cluster-mode-disabled group grows writes only through a
# larger node, whose engine thread gains at most +72 % (I/O threads), hence its lower write cap. Falling: the
# start is at most busy, not yet breaching (no eviction below 100 %, CPU under the 90 % breach line).
RISING_CAP = {
    "enabled": {"memory": 180, "write_cpu": 150, "read_cpu": 150},
    "disabled": {"memory": 180, "write_cpu": 75, "read_cpu": 150},
}
FALLING_CAP = {"memory": 95, "write_cpu": 85, "read_cpu": 85}
# Multiplicative noise on reads and writes (the shipped scenarios use 2 %); the dataset gets a quarter of it.
NOISES = (0.0, 0.01, 0.02, 0.03)
ITEM_BYTES = (128.0, 512.0, 1024.0)


@dataclass(frozen=True, slots=True)
class Level:
    """A dimension's utilisation of the starting cluster at the first and at the last trending minute."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TrendingLoad:
    """A monotone load with bounded noise on one cluster. ``read_cpu`` is the replicas' engine CPU from reads
    alone (each replica also replays the writes at half cost)."""

    cluster: ClusterSpec
    shape: Shape
    minutes: int
    plateau_from: float
    """Fraction of the trace after which a ``*_then_plateau`` shape stays at its end level."""
    curvature: float
    """Progress is raised to this power: below 1 the move is front-loaded, above 1 back-loaded."""
    memory: Level
    write_cpu: Level
    read_cpu: Level
    noise: float
    seed: int
    item_bytes: float

    def progress(self, minute: int) -> float:
        """0 at minute 0, 1 at the end of the move (the last minute, or where the plateau starts)."""
        plateau = self.shape.endswith("_then_plateau")
        moving = max(1, round((self.minutes - 1) * (self.plateau_from if plateau else 1.0)))
        return float(min(1.0, minute / moving) ** self.curvature)  # float ** float is Any to mypy

    def trace(self) -> Trace:
        physics = Physics()
        node = node_type(self.cluster.node_type)
        shards, replicas = self.cluster.shards, self.cluster.replicas_per_shard
        ops = physics.ops_capacity(node) / physics.op_cost(self.item_bytes)  # per engine at 100 %
        rng = random.Random(self.seed)

        def at(level: Level, minute: int) -> float:
            return (level.start + (level.end - level.start) * self.progress(minute)) / 100

        def jitter(amplitude: float) -> float:
            return 1 + rng.uniform(-amplitude, amplitude)

        reads, writes, dataset, connections = [], [], [], []
        for minute in range(self.minutes):
            write = at(self.write_cpu, minute) * ops * shards * jitter(self.noise)
            read = at(self.read_cpu, minute) * ops * shards * replicas * jitter(self.noise)
            reads.append(round(read, 1))
            writes.append(round(write, 1))
            data = at(self.memory, minute) * node.maxmemory_gib * shards * jitter(self.noise / 4)
            dataset.append(round(data, 3))
            connections.append(round(2000 + (read + write) / 40))  # as tools/make_scenarios.py
        return Trace(
            minutes=tuple(range(self.minutes)),
            reads_per_s=tuple(reads),
            writes_per_s=tuple(writes),
            dataset_gib=tuple(dataset),
            connections=tuple(connections),
            avg_item_bytes=(self.item_bytes,) * self.minutes,
        )


@st.composite
def clusters(draw: st.DrawFn, mode: ClusterMode) -> ClusterSpec:
    """A group as the shipped scenarios start them: Graviton3, 1-2 replicas, 1-3 shards when it can shard."""
    multi_az = draw(st.booleans())
    return ClusterSpec(
        engine=draw(st.sampled_from(["valkey", "redis"])),
        cluster_mode=mode,
        node_type=draw(st.sampled_from(["cache.r7g.large", "cache.r7g.xlarge"])),
        shards=draw(st.integers(1, 3)) if mode == "enabled" else 1,
        replicas_per_shard=draw(st.integers(1, 2)),
        multi_az=multi_az,
    )


def _trend(draw: st.DrawFn, low: int, high: int, rising: bool) -> Level:
    """At least ``LEAST_MOVE`` x between the two ends, both inside ``[low, high]``."""
    small = draw(st.integers(low, int(high / LEAST_MOVE)))
    large = draw(st.integers(int(small * LEAST_MOVE + 0.999), high))
    return Level(small, large) if rising else Level(large, small)


@st.composite
def trending_loads(draw: st.DrawFn, mode: ClusterMode, shapes: tuple[Shape, ...]) -> TrendingLoad:
    """A 2-8 hour load in which reads, writes and/or the dataset move one way; the rest stays level."""
    cluster = draw(clusters(mode))
    shape = draw(st.sampled_from(shapes))
    rising = shape in RISING
    trending = draw(st.sets(st.sampled_from(DIMENSIONS), min_size=1))
    levels: dict[Dimension, Level] = {}
    for dimension in DIMENSIONS:  # writes before reads: a replica replays every write at half cost
        cap = RISING_CAP[mode][dimension] if rising else FALLING_CAP[dimension]
        steady = STEADY_CAP[dimension]
        if dimension == "read_cpu":
            replay = max(levels["write_cpu"].start, levels["write_cpu"].end) / 2
            cap, steady = int(cap - replay), int(steady - replay)
        if dimension in trending:
            levels[dimension] = _trend(draw, FLOOR[dimension], cap, rising)
        else:
            level = draw(st.integers(FLOOR[dimension], max(FLOOR[dimension], steady)))
            levels[dimension] = Level(level, level)
    return TrendingLoad(
        cluster=cluster,
        shape=shape,
        minutes=draw(st.integers(4, 16)) * 30,
        plateau_from=draw(st.sampled_from([0.3, 0.5, 0.7])),
        curvature=draw(st.sampled_from([1.0, 0.5, 2.0])),
        memory=levels["memory"],
        write_cpu=levels["write_cpu"],
        read_cpu=levels["read_cpu"],
        noise=draw(st.sampled_from(NOISES)),
        seed=draw(st.integers(0, 2**16)),
        item_bytes=draw(st.sampled_from(ITEM_BYTES)),
    )


@dataclass(frozen=True, slots=True)
class BurstLoad:
    """A load at a base level with a burst of ``dimension`` every ``period`` minutes for ``length`` minutes
    (1-minute edges), levels in utilisation of the starting cluster; the other dimensions stay level."""

    cluster: ClusterSpec
    dimension: Literal["write_cpu", "read_cpu"]
    base: int
    burst: int
    period: int
    length: int
    bursts: int
    write_cpu: int
    memory: int
    noise: float
    seed: int
    item_bytes: float

    def trace(self) -> Trace:
        physics = Physics()
        node = node_type(self.cluster.node_type)
        shards, replicas = self.cluster.shards, self.cluster.replicas_per_shard
        ops = physics.ops_capacity(node) / physics.op_cost(self.item_bytes)
        rng = random.Random(self.seed)
        minutes = self.period * self.bursts
        reads, writes, dataset, connections = [], [], [], []
        for minute in range(minutes):
            bursting = minute % self.period < self.length
            level = (self.burst if bursting else self.base) / 100
            write_level = level if self.dimension == "write_cpu" else self.write_cpu / 100
            read_level = level if self.dimension == "read_cpu" else self.base / 100
            jitter = 1 + rng.uniform(-self.noise, self.noise)
            write = write_level * ops * shards * jitter
            read = read_level * ops * shards * replicas * jitter
            reads.append(round(read, 1))
            writes.append(round(write, 1))
            dataset.append(round(self.memory / 100 * node.maxmemory_gib * shards, 3))
            connections.append(round(2000 + (read + write) / 40))
        return Trace(
            minutes=tuple(range(minutes)),
            reads_per_s=tuple(reads),
            writes_per_s=tuple(writes),
            dataset_gib=tuple(dataset),
            connections=tuple(connections),
            avg_item_bytes=(self.item_bytes,) * minutes,
        )


# Burst periods the engine sees whole: up to an hour, within its default scale-in lookback
# (scaleInGate.lookbackSeconds, 2 h); a quiet gap longer than the lookback looks like a load that has gone.
BURST_PERIODS = (20, 30, 40, 50, 60)


@st.composite
def burst_loads(draw: st.DrawFn, mode: ClusterMode) -> BurstLoad:
    """3-8 bursts of reads (or writes) from a quiet base to above the scale-out threshold and back."""
    cluster = draw(clusters(mode))
    period = draw(st.sampled_from(BURST_PERIODS))
    dimensions: list[Literal["write_cpu", "read_cpu"]] = (
        ["read_cpu", "write_cpu"] if mode == "enabled" else ["read_cpu"]
    )
    dimension = draw(st.sampled_from(dimensions))
    write_cpu = draw(st.integers(FLOOR["write_cpu"], 20))
    top = 150 - write_cpu // 2 if dimension == "read_cpu" else 140
    return BurstLoad(
        cluster=cluster,
        dimension=dimension,
        base=draw(st.integers(5, 30)),
        burst=draw(st.integers(70, top)),
        period=period,
        length=draw(st.integers(3, min(15, period // 2))),
        bursts=draw(st.integers(3, 8)),
        write_cpu=write_cpu,
        memory=draw(st.integers(FLOOR["memory"], STEADY_CAP["memory"])),
        noise=draw(st.sampled_from(NOISES)),
        seed=draw(st.integers(0, 2**16)),
        item_bytes=draw(st.sampled_from(ITEM_BYTES)),
    )
