"""A past period's load read against today's capacity, by hand-worked numbers (``engine.rescale``)."""

from datetime import timedelta

import pytest

from elasticache_autoscaler.engine.rescale import rescaled
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.decision import Capacity
from tests.unit.engine.builders import NOW
from tests.unit.engine.load_histories import history

HOUR = timedelta(hours=1)


def _capacity(shards: int, replicas: int = 1, node_type: str = "cache.r7g.large") -> Capacity:
    return Capacity(node_type=node_type, shards=shards, replicas_per_shard=replicas)


def _changed(at_hours_ago: float, before: Capacity, after: Capacity) -> CapacityTimeline:
    return CapacityTimeline(
        changes=(CapacityChange(at=NOW - at_hours_ago * HOUR, before=before, after=after),)
    )


def test_memory_at_60_percent_on_2_shards_reads_40_percent_on_3() -> None:
    # Given two hourly periods measured on 2 shards, then the group went to 3 (between them)
    measured = history(NOW, period_seconds=3600, memory_percent=(60.0, 40.0))
    timeline = _changed(1, before=_capacity(2), after=_capacity(3))

    # When read against today's 3 shards
    now = rescaled(measured, timeline, _capacity(3))

    # Then the period on 2 shards is 60 x 2/3 = 40 %, the one on 3 shards is as measured
    assert now.memory_percent == (40.0, 40.0)


def test_every_signal_follows_the_shards_and_replicas_then() -> None:
    measured = history(
        NOW,
        period_seconds=3600,
        memory_percent=(60.0,),
        write_cpu_percent=(30.0,),
        read_cpu_percent=(50.0,),
        connections_per_node=(900.0,),
    )
    # then 2 shards x 1 replica, now 3 shards x 2 replicas
    timeline = _changed(0, before=_capacity(2, replicas=1), after=_capacity(3, replicas=2))

    now = rescaled(measured, timeline, _capacity(3, replicas=2))

    assert now.memory_percent == (40.0,)  # 60 x 2/3
    assert now.write_cpu_percent == (20.0,)  # 30 x 2/3
    assert now.read_cpu_percent == pytest.approx((16.667,))  # 50 x 2/3 x 1/2
    assert now.connections_per_node == (400.0,)  # 900 x 2/3 x 2/3 (2 nodes a shard then, 3 now)


def test_a_larger_node_type_now_reads_a_period_on_the_smaller_by_maxmemory() -> None:
    measured = history(NOW, period_seconds=3600, memory_percent=(60.0,))
    large, xlarge = _capacity(2), _capacity(2, node_type="cache.r7g.xlarge")

    now = rescaled(measured, _changed(0, before=large, after=xlarge), xlarge)

    assert now.memory_percent == pytest.approx((60 * 9.8 / 19.74,), abs=1e-3)  # maxmemory GiB then / now


def test_no_replica_now_means_no_read_cpu_and_no_timeline_means_as_measured() -> None:
    measured = history(NOW, period_seconds=3600, memory_percent=(60.0, None), read_cpu_percent=(10.0, 12.0))

    now = rescaled(measured, CapacityTimeline(), _capacity(2, replicas=0))

    assert now.memory_percent == (60.0, None)
    assert now.read_cpu_percent == ()


def test_periods_before_the_first_change_read_as_what_it_started_from() -> None:
    # Given 4 shards -> 3 two hours ago, then 3 -> 2 one hour ago: three periods, one on each
    measured = history(NOW, period_seconds=3600, memory_percent=(30.0, 40.0, 60.0))
    timeline = CapacityTimeline(
        changes=(
            CapacityChange(at=NOW - 2 * HOUR, before=_capacity(4), after=_capacity(3)),
            CapacityChange(at=NOW - HOUR, before=_capacity(3), after=_capacity(2)),
        )
    )

    now = rescaled(measured, timeline, _capacity(2))

    assert now.memory_percent == (60.0, 60.0, 60.0)  # 30 x 4/2, 40 x 3/2, 60
