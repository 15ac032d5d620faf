"""Multi-tick scenarios: a toy cluster driven minute by minute through decide(): load rises, peaks, falls.

The toy world: data spreads evenly over shards, writes over primaries, reads over replicas, and capacity
comes from the node type catalog; an action takes a few minutes (the group is ``modifying`` meanwhile).
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import pairwise

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import MetricName, Metrics, MetricSeries, Role, Snapshot
from tests.unit.engine.builders import NOW, topology

ACTION_MINUTES = 5
WINDOW_MINUTES = 60


@dataclass(frozen=True)
class Load:
    dataset_gib: float
    write_units: float  # vCPU-percent of work on the primaries, in total
    read_units: float  # vCPU-percent of work on the replicas, in total


@dataclass
class World:
    capacity: Capacity
    cluster_mode: bool = True
    policy: Policy = field(default_factory=lambda: Policy(mode="act", max_shards=12))
    samples: list[tuple[float, float, float]] = field(default_factory=list)
    history: list[PastDecision] = field(default_factory=list)
    busy_until: int = -1
    pending: Capacity | None = None
    actions: list[tuple[int, Action]] = field(default_factory=list)

    def utilisation(self, load: Load) -> tuple[float, float, float]:
        node = node_type(self.capacity.node_type)
        shards, replicas = self.capacity.shards, max(self.capacity.replicas_per_shard, 1)
        memory = 100 * load.dataset_gib / shards / node.maxmemory_gib
        write = load.write_units / shards / node.vcpu
        read = load.read_units / (shards * replicas) / node.vcpu
        return memory, write, read

    def snapshot(self, minute: int) -> Snapshot:
        topo = topology(
            cluster_mode=self.cluster_mode,
            shards=self.capacity.shards,
            replicas=self.capacity.replicas_per_shard,
            node_type=self.capacity.node_type,
            status="modifying" if minute < self.busy_until else "available",
        )
        recent = self.samples[-WINDOW_MINUTES:]
        series: list[MetricSeries] = []
        for shard in topo.shards:
            for metric, role, values in (
                (MetricName.MEMORY, Role.PRIMARY, [m for m, _, _ in recent]),
                (MetricName.ENGINE_CPU, Role.PRIMARY, [w for _, w, _ in recent]),
                (MetricName.ENGINE_CPU, Role.REPLICA, [r for _, _, r in recent]),
                (MetricName.CONNECTIONS, Role.PRIMARY, [500.0] * len(recent)),
                (MetricName.EVICTIONS, Role.PRIMARY, [100.0 if m > 100 else 0.0 for m, _, _ in recent]),
                (MetricName.NETWORK_IN_EXCEEDED, Role.PRIMARY, [0.0] * len(recent)),
                (MetricName.NETWORK_OUT_EXCEEDED, Role.PRIMARY, [0.0] * len(recent)),
                (MetricName.NETWORK_BYTES_IN, Role.PRIMARY, [60e6] * len(recent)),
                (MetricName.NETWORK_BYTES_OUT, Role.PRIMARY, [60e6] * len(recent)),
                (MetricName.NETWORK_BYTES_OUT, Role.REPLICA, [60e6] * len(recent)),
            ):
                series.append(
                    MetricSeries(metric=metric, shard_id=shard.shard_id, role=role, values=tuple(values))
                )
        now = NOW + timedelta(minutes=minute)
        return Snapshot(taken_at=now, topology=topo, metrics=Metrics(window_end=now, series=tuple(series)))

    def tick(self, minute: int, load: Load) -> None:
        if self.pending is not None and minute >= self.busy_until:
            self.capacity, self.pending = self.pending, None
            self.samples.clear()  # CloudWatch history of the old topology no longer describes this one
        self.samples.append(self.utilisation(load))
        now = NOW + timedelta(minutes=minute)
        decision = decide(self.snapshot(minute), self.policy, tuple(self.history), now)
        if decision.changes_something:
            self.actions.append((minute, decision.action))
            self.pending, self.busy_until = decision.target, minute + ACTION_MINUTES
            finished = now + timedelta(minutes=ACTION_MINUTES)
            self.history.append(
                PastDecision(action=decision.action, decided_at=now, status="succeeded", finished_at=finished)
            )


def _day(minute: int) -> Load:
    """Rise for 90 min, peak for 60, fall for 90, then quiet."""
    if minute < 90:
        level = 0.2 + 0.8 * minute / 90
    elif minute < 150:
        level = 1.0
    elif minute < 240:
        level = 1.0 - 0.8 * (minute - 150) / 90
    else:
        level = 0.2
    return Load(dataset_gib=24.0 * level, write_units=500.0 * level, read_units=400.0 * level)


def _reversals(actions: list[tuple[int, Action]], within: int) -> list[tuple[int, int]]:
    return [
        (a, b) for (a, first), (b, second) in pairwise(actions) if first.opposite is second and b - a < within
    ]


def test_a_day_of_load_scales_out_on_the_way_up_and_in_on_the_way_down() -> None:
    world = World(Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1))

    for minute in range(480):
        world.tick(minute, _day(minute))

    kinds = [a for _, a in world.actions]
    adds = kinds.count(Action.ADD_SHARDS)
    # The rising trend is met early: two or three steps out, then only steps in.
    assert adds in (2, 3), world.actions
    assert kinds == [Action.ADD_SHARDS] * adds + [Action.REMOVE_SHARDS] * (len(kinds) - adds), world.actions
    outs = [(m, a) for m, a in world.actions if a.is_scale_out]
    ins = [(m, a) for m, a in world.actions if a.is_scale_in]
    assert outs, world.actions
    assert ins, world.actions
    assert all(m < 150 for m, _ in outs), world.actions  # only while load rises
    assert all(m >= 150 for m, _ in ins), world.actions  # only once it falls
    assert not _reversals(world.actions, within=30)
    peak = max(world.utilisation(_day(m))[0] for m in range(300, 480))
    assert peak < world.policy.targets.memory_percent
    assert world.capacity.shards < 12


def test_memory_never_stays_above_100_percent_for_long_on_the_way_up() -> None:
    world = World(Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1))
    over = 0

    for minute in range(150):
        world.tick(minute, _day(minute))
        over += world.samples[-1][0] > 100

    assert over <= 10


def test_noise_around_the_target_does_not_flap() -> None:
    world = World(Capacity(node_type="cache.r7g.large", shards=4, replicas_per_shard=1))

    for minute in range(360):
        wobble = 1 + 0.08 * math.sin(minute / 3)
        world.tick(
            minute,
            Load(dataset_gib=4 * 9.8 * 0.68 * wobble, write_units=4 * 2 * 55.0, read_units=4 * 2 * 50.0),
        )

    assert world.actions == []


def test_cluster_mode_disabled_grows_the_node_then_shrinks_it() -> None:
    world = World(Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1), cluster_mode=False)

    for minute in range(480):
        load = _day(minute)
        world.tick(minute, Load(load.dataset_gib / 2, load.write_units / 4, load.read_units / 4))

    assert [a for _, a in world.actions] == [Action.SCALE_UP, Action.SCALE_DOWN]
    assert not _reversals(world.actions, within=30)
