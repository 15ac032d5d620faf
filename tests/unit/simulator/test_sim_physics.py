"""The twin's physics against hand-worked figures (cache.r7g.large: 2 vCPU, maxmemory 9.8 GiB, 0.937 Gbps).

With 8192-byte items one operation costs 2 op-equivalents, so 100k ops/s of capacity serve 50k of them.
"""

from pathlib import Path

import pytest

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.engine.node_type_choice import compute
from elasticache_autoscaler_cli.simulator import physics
from elasticache_autoscaler_cli.simulator.physics import (
    Load,
    Physics,
    group_metrics,
    hot_share,
    shard_metrics,
)

PHYSICS = Physics()
LARGE = node_type("cache.r7g.large")


def load(reads: float = 0.0, writes: float = 0.0, dataset: float = 1.0, item: float = 8192.0) -> Load:
    return Load(
        reads_per_s=reads, writes_per_s=writes, dataset_gib=dataset, connections=1200, avg_item_bytes=item
    )


def test_engine_cpu_splits_writes_to_the_primary_and_reads_over_the_replicas() -> None:
    # 2 even shards: 20k reads, 5k writes each; the replica takes every read and replays writes at half cost.
    shard = shard_metrics(PHYSICS, LARGE, replicas=1, share=0.5, load=load(40_000, 10_000), shards=2)

    assert shard.primary_cpu == pytest.approx(10.0)  # 5k x 2 / 100k
    assert shard.replica_cpu == pytest.approx(45.0)  # (20k + 0.5 x 5k) x 2 / 100k
    assert shard.connections_per_node == pytest.approx(300.0)  # 1200 over 4 nodes


def test_without_replicas_the_primary_serves_the_reads_too() -> None:
    shard = shard_metrics(PHYSICS, LARGE, replicas=0, share=1.0, load=load(20_000, 5_000), shards=1)

    assert shard.primary_cpu == pytest.approx(50.0)
    assert shard.replica_cpu is None


def test_more_vcpus_add_io_thread_throughput_up_to_72_percent() -> None:
    assert PHYSICS.ops_capacity(LARGE) == pytest.approx(100_000)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.xlarge")) == pytest.approx(120_000)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.2xlarge")) == pytest.approx(140_000)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.4xlarge")) == pytest.approx(160_000)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.8xlarge")) == pytest.approx(172_000)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.16xlarge")) == pytest.approx(172_000)


def test_a_graviton2_node_does_1_over_1_25_of_a_graviton3_one() -> None:
    assert PHYSICS.ops_capacity(node_type("cache.r6g.large")) == pytest.approx(80_000)
    assert PHYSICS.ops_capacity(node_type("cache.m6g.xlarge")) == pytest.approx(96_000)
    assert PHYSICS.ops_capacity(node_type("cache.m7g.large")) == pytest.approx(100_000)


def test_the_twin_does_not_use_the_engines_throughput_model() -> None:
    # The engine's own estimate of an r7g.xlarge is 1.24 x a large; the twin's is 1.2: a model the engine
    # does not share, so it is scored against a world it has to estimate.
    source = Path(physics.__file__).read_text()

    assert "from elasticache_autoscaler.engine" not in source
    assert compute(node_type("cache.r7g.xlarge")) == pytest.approx(1.24)
    assert PHYSICS.ops_capacity(node_type("cache.r7g.xlarge")) / PHYSICS.ops_capacity(LARGE) == 1.2


def test_memory_is_the_shards_slice_of_the_dataset_against_maxmemory() -> None:
    fits = shard_metrics(PHYSICS, LARGE, replicas=1, share=0.5, load=load(dataset=9.8), shards=2)
    full = shard_metrics(
        PHYSICS, LARGE, replicas=1, share=0.5, load=load(writes=1000, dataset=20.0), shards=2
    )

    assert fits.memory_percent == pytest.approx(50.0)
    assert fits.evictions == 0
    assert full.memory_percent == 100.0
    assert full.evictions == pytest.approx(500 * 60)  # every write into a full shard evicts a key


def test_network_allowance_is_exceeded_above_the_baseline_bandwidth() -> None:
    # replica out: 20k x (8192 + 64) bytes x 8 = 1.32096 Gbps, 0.38396 Gbps over 0.937.
    shard = shard_metrics(PHYSICS, LARGE, replicas=1, share=0.5, load=load(reads=40_000), shards=2)
    calm = shard_metrics(PHYSICS, LARGE, replicas=1, share=0.5, load=load(reads=20_000), shards=2)

    assert shard.network_out_exceeded == pytest.approx(383_960_000 * 60 / 12_000)
    assert shard.network_in_exceeded == 0
    assert calm.network_out_exceeded == 0


@pytest.mark.parametrize(
    ("shards", "expected"),
    [(4, 0.45), (8, 0.225), (2, 0.45 + 0.55 * 0.25 / 0.75), (1, 1.0), (12, 0.15)],
)
def test_the_hot_slot_range_splits_with_more_shards_and_merges_with_fewer(
    shards: int, expected: float
) -> None:
    assert hot_share(shards, initial_shards=4, initial_hot_share=0.45) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("shards", "expected"),
    # the hot key's share x: 0.45 = x + (1 - x) / 4, x = 0.2 / 0.75 = 4 / 15
    [(4, 0.45), (8, 4 / 15 + 11 / 15 / 8), (2, 4 / 15 + 11 / 15 / 2), (1, 1.0), (12, 4 / 15 + 11 / 15 / 12)],
)
def test_a_hot_key_stays_on_one_shard_however_the_group_reshards(shards: int, expected: float) -> None:
    share = hot_share(shards, initial_shards=4, initial_hot_share=0.45, split="stays")

    assert share == pytest.approx(expected)


def test_a_hot_key_and_a_hot_slot_range_merge_alike() -> None:
    for shards in (1, 2, 3):
        stays = hot_share(shards, initial_shards=4, initial_hot_share=0.45, split="stays")
        assert stays == pytest.approx(hot_share(shards, initial_shards=4, initial_hot_share=0.45))


def test_without_a_hot_shard_traffic_is_even() -> None:
    assert hot_share(5, initial_shards=3, initial_hot_share=None) == pytest.approx(0.2)


def test_the_group_reports_hot_and_average_views_and_breach_causes() -> None:
    group = group_metrics(
        PHYSICS,
        LARGE,
        shards=4,
        replicas=1,
        load=load(writes=100_000, dataset=8.0, item=0.001),
        initial_shards=4,
        initial_hot_share=0.7,
    )

    assert group.max_primary_cpu == pytest.approx(70.0, rel=1e-6)
    assert group.avg_primary_cpu == pytest.approx(25.0, rel=1e-6)  # what an average over shards shows
    assert group.breach_causes(PHYSICS) == (False, False, False)
    hotter = group_metrics(
        PHYSICS,
        LARGE,
        shards=4,
        replicas=1,
        load=load(writes=130_000, item=0.001),
        initial_shards=4,
        initial_hot_share=0.7,
    )
    assert hotter.breach_causes(PHYSICS) == (False, True, False)
