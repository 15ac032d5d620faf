"""The node type catalog: ListAllowedNodeTypeModifications as the twin and the emulator answer it
(every family, except across the data-tiering line)."""

from elasticache_autoscaler.catalog import allowed_modifications, catalog


def test_other_families_are_listed_up_by_memory_and_down_by_memory() -> None:
    up, down = allowed_modifications("cache.r7g.large")

    assert {"cache.r7g.xlarge", "cache.m7g.2xlarge", "cache.r6g.xlarge", "cache.c7gn.4xlarge"} <= set(up)
    assert {"cache.m7g.large", "cache.m6g.large", "cache.t4g.medium", "cache.c7gn.xlarge"} <= set(down)
    assert "cache.r6g.large" in up  # same memory, another generation: not a memory scale-down
    assert "cache.r7g.large" not in up + down


def test_data_tiering_and_in_memory_types_never_mix() -> None:
    up, down = allowed_modifications("cache.r7g.large")
    tiered_up, tiered_down = allowed_modifications("cache.r6gd.2xlarge")

    assert not [name for name in up + down if name.startswith("cache.r6gd.")]
    assert set(tiered_up + tiered_down) == {
        name for name, node in catalog().items() if node.family == "r6gd" and name != "cache.r6gd.2xlarge"
    }
    assert "cache.r6gd.xlarge" in tiered_down
