"""The Memcached twin against hand-worked numbers: a node's share of the load, cold misses of a node-count
change (consistent hashing), the change's duration, and the baselines' rules."""

import math

import pytest

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler_cli.simulator.baselines.memcached_app_autoscaling import (
    nodes_after_scale_in,
    nodes_after_scale_out,
)
from elasticache_autoscaler_cli.simulator.baselines.memcached_autoscaler import MemcachedAutoscaler
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.memcached_physics import (
    ColdKeys,
    MemcachedPhysics,
    node_minute,
    remapped_fraction,
)
from elasticache_autoscaler_cli.simulator.memcached_twin import (
    MemcachedProposal,
    MemcachedTimings,
    MemcachedView,
    initial_capacity,
    simulate_memcached,
)
from elasticache_autoscaler_cli.simulator.physics import GIB, Load

from .builders import flat_trace

PHYSICS = MemcachedPhysics()
LARGE = node_type("cache.r7g.large")  # 2 vCPU, Graviton3, maxmemory 9.8 GiB, $0.219/h (Redis OSS price)
KEYS_IN_1_GIB_OF_1_KIB = 2**30 / 1024  # 1,048,576


def cluster(nodes: int, node: str = "cache.r7g.large") -> MemcachedSpec:
    return MemcachedSpec(kind="memcached", node_type=node, nodes=nodes)


def load(*, reads: float = 0.0, writes: float = 0.0, dataset: float = 1.0, item: float = 1024.0) -> Load:
    return Load(
        reads_per_s=reads, writes_per_s=writes, dataset_gib=dataset, connections=100, avg_item_bytes=item
    )


class ScaleOnce:
    """Asks for ``nodes`` after minute 0, then nothing."""

    name = "scripted"

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity:
        return initial_capacity(spec)

    def step(self, view: MemcachedView) -> MemcachedProposal | None:
        if view.minute == 0:
            return MemcachedProposal(view.capacity.model_copy(update={"nodes": self.nodes}), "scripted")
        return None


# --- consistent hashing: what a change remaps --------------------------------------------------------------


def test_adding_a_node_remaps_the_new_nodes_share_and_removing_one_the_removed_nodes_share() -> None:
    assert remapped_fraction(4, 5) == pytest.approx(1 / 5)  # the new node owns 1/5
    assert remapped_fraction(5, 4) == pytest.approx(1 / 5)  # the removed node owned 1/5
    assert remapped_fraction(3, 4) == pytest.approx(1 / 4)
    assert remapped_fraction(4, 2) == pytest.approx(1 / 2)
    assert remapped_fraction(4, 4) == 0


def test_cold_keys_miss_once_each_as_uniform_reads_touch_them() -> None:
    # 1 GiB of 1 KiB items = 1,048,576 keys; 4 -> 5 nodes leaves 1/5 = 209,715.2 cold. 10,000 reads/s =
    # 600,000 reads in a minute touch 1 - e^(-600000/1048576) = 43.57 % of the keys: 91,377 cold misses.
    cold = ColdKeys()
    cold.remap(remapped_fraction(4, 5))

    first = cold.minute(10_000, KEYS_IN_1_GIB_OF_1_KIB)

    assert first == pytest.approx(91_377.09, rel=1e-6)
    assert cold.fraction == pytest.approx(0.2 * math.exp(-600_000 / KEYS_IN_1_GIB_OF_1_KIB))
    rest = sum(cold.minute(10_000, KEYS_IN_1_GIB_OF_1_KIB) for _ in range(200))
    assert first + rest == pytest.approx(0.2 * KEYS_IN_1_GIB_OF_1_KIB)  # every cold key missed once


def test_a_second_change_before_the_keys_warm_counts_a_cold_key_once() -> None:
    cold = ColdKeys()
    cold.remap(0.5)
    cold.remap(0.5)

    assert cold.fraction == pytest.approx(0.75)


# --- one node's minute --------------------------------------------------------------------------------------


def test_each_node_carries_one_nth_of_the_commands_and_the_data() -> None:
    # 3 x r7g.large: 2 vCPU x 50,000 = 100,000 simple ops/s at 100 % CPU; 8 KiB items cost 2 ops each.
    minute = node_minute(
        PHYSICS, LARGE, minute=0, nodes=3, load=load(reads=120_000, writes=30_000, item=8192)
    )

    assert minute.cpu_percent == pytest.approx(100.0)  # 150,000 / 3 x 2 / 100,000
    assert minute.memory_percent == pytest.approx(100 * (1 / 3) / 9.8)
    assert minute.bytes_used == pytest.approx(GIB / 3)
    assert minute.evictions == 0
    assert minute.connections == 100  # every client connects to every node
    # 40,000 reads/s x (8192 + 64) bytes x 8 = 2.64 Gbit/s out of a node with a 0.937 Gbit/s baseline
    assert minute.network_out_exceeded > 0
    assert minute.breach_causes(PHYSICS) == (False, True, True)


def test_data_over_maxmemory_evicts_and_cold_keys_are_not_held() -> None:
    over = node_minute(PHYSICS, LARGE, minute=0, nodes=3, load=load(writes=600, dataset=30.0))
    half_cold = node_minute(PHYSICS, LARGE, minute=0, nodes=3, load=load(writes=600, dataset=30.0), cold=0.5)

    assert over.memory_percent == pytest.approx(100 * 10 / 9.8)
    assert over.evictions == 200 * 60  # a node's writes that minute
    assert over.breach_causes(PHYSICS) == (True, False, False)
    assert half_cold.evictions == 0
    assert half_cold.bytes_used == pytest.approx(5 * GIB)


# --- the minute loop ----------------------------------------------------------------------------------------


def test_a_scale_out_serves_after_its_duration_and_costs_its_share_of_cold_misses() -> None:
    trace = flat_trace(120, reads=10_000, dataset=1.0, item=1024)

    result = simulate_memcached(trace, cluster(4), ScaleOnce(5))

    (action,) = result.actions
    assert action.action is Action.ADD_NODES
    assert (action.started_minute, action.finished_minute) == (1, 11)  # 10 min to add nodes
    assert result.cold_misses == pytest.approx(0.2 * KEYS_IN_1_GIB_OF_1_KIB, rel=1e-6)
    # billed: 4 nodes for minute 0, the larger (5) while it runs (1-10), then 5 nodes: (4 + 119 x 5) / 60
    assert result.cost_usd == pytest.approx((4 + 119 * 5) * 0.219 / 60)


def test_a_scale_in_takes_five_minutes_and_empties_the_removed_nodes_share() -> None:
    result = simulate_memcached(flat_trace(120, reads=10_000, item=1024), cluster(5), ScaleOnce(4))

    (action,) = result.actions
    assert (action.action, action.finished_minute) == (Action.REMOVE_NODES, 6)
    assert result.cold_misses == pytest.approx(0.2 * KEYS_IN_1_GIB_OF_1_KIB, rel=1e-6)


def test_a_node_type_change_replaces_every_node_in_batches() -> None:
    large = MemcachedCapacity(node_type="cache.r7g.large", nodes=3)

    # 20 min for the first batch, then 4 more batches of 20 % every 5 min
    assert MemcachedTimings().minutes(large, large.model_copy(update={"node_type": "cache.r7g.xlarge"})) == 40


# --- the policies -------------------------------------------------------------------------------------------


def test_application_auto_scaling_sizes_nodes_by_target_tracking() -> None:
    assert nodes_after_scale_out(3, 90.0, 60.0) == 5  # ceil(3 x 1.5 = 4.5)
    assert nodes_after_scale_out(3, 61.0, 60.0) == 4  # at least one more
    assert nodes_after_scale_in(6, 30.0, 60.0) == 3
    assert nodes_after_scale_in(6, 55.0, 60.0) == 6  # ceil(5.5): never below what keeps it under target


def test_ours_is_the_runtimes_memcached_decide_and_adds_nodes_under_cpu_pressure() -> None:
    # 3 x r7g.large at 79.7 % CPU, above the 60 % target x 1.1: the engine sizes ceil(3 x 79.7 / 60) = 4.
    trace = flat_trace(30, reads=239_000, dataset=3.0, item=1)

    result = simulate_memcached(trace, cluster(3), MemcachedAutoscaler())

    first = result.actions[0]
    assert first.action is Action.ADD_NODES
    assert first.target == MemcachedCapacity(node_type="cache.r7g.large", nodes=4)
    assert "scale-out: cpu at 1.33 x target" in first.reason  # the engine's own words
