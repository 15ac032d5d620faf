"""Each baseline's rules against hand-worked examples (cache.r7g.large, tiny items: 100k ops/s = 100 %)."""

from datetime import datetime

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import MetricName, Role, Snapshot
from elasticache_autoscaler_cli.simulator.baselines import controller
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import AutoscalerController
from elasticache_autoscaler_cli.simulator.baselines.hpa import HpaController, Stabilizer, desired_count
from elasticache_autoscaler_cli.simulator.baselines.static_peak import peak_capacity
from elasticache_autoscaler_cli.simulator.physics import Physics
from elasticache_autoscaler_cli.simulator.twin import simulate

from .builders import flat_trace, spec

TINY = 0.001  # bytes per item: one op-equivalent per operation, no network to speak of


# --- HPA ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("metric", "expected"), [(65, 4), (55, 4), (90, 6), (30, 2), (61, 4)])
def test_hpa_desired_is_ceil_current_times_ratio_outside_a_10_percent_tolerance(
    metric: float, expected: int
) -> None:
    assert desired_count(4, metric, 60) == expected


def test_hpa_scale_down_uses_the_highest_recommendation_of_the_last_5_minutes() -> None:
    stabilizer = Stabilizer()

    assert stabilizer.stabilized(0, 5, current=5) == 5
    assert [stabilizer.stabilized(m, 3, current=5) for m in range(1, 6)] == [5, 5, 5, 5, 3]
    assert stabilizer.stabilized(6, 8, current=3) == 8  # scale up is immediate


def test_hpa_scales_replicas_on_the_average_replica_cpu() -> None:
    # 2 replicas at 85 % read CPU each (170k reads), target 60 -> ceil(2 x 1.42) = 3.
    result = simulate(flat_trace(10, reads=170_000, item=TINY), spec(shards=1, replicas=2), HpaController())

    assert (result.actions[0].started_minute, result.actions[0].target.replicas_per_shard) == (1, 3)


# --- static peak --------------------------------------------------------------------------------------


def test_static_peak_is_the_cheapest_topology_holding_the_peak_with_20_percent_headroom() -> None:
    # 20 GiB x 1.2 = 24 GiB: 3 x large (29.4 GiB) at 6 nodes x $0.1752 beats 2 x xlarge and 1 x 2xlarge.
    trace = flat_trace(30, reads=1_000, dataset=20.0, item=TINY)

    assert peak_capacity(spec(shards=2, multi_az=True), trace, Physics(), Policy()) == Capacity(
        node_type="cache.r7g.large", shards=3, replicas_per_shard=1
    )
    # Cluster mode disabled: one shard, so the node type must hold it all: 2xlarge (39.62 GiB).
    assert peak_capacity(
        spec(shards=1, mode="disabled", multi_az=True), trace, Physics(), Policy()
    ) == Capacity(node_type="cache.r7g.2xlarge", shards=1, replicas_per_shard=1)


def test_static_peak_never_changes() -> None:
    trace = flat_trace(30, reads=1_000, dataset=20.0, item=TINY)

    assert simulate(trace, spec(shards=2, multi_az=True), controller("static-peak")).actions == []


# --- ours ---------------------------------------------------------------------------------------------


class RecordingEngine:
    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    def __call__(self, snapshot: Snapshot, policy: Policy, history: History, now: datetime) -> Decision:
        self.snapshots.append(snapshot)
        current = Capacity(
            node_type=snapshot.topology.node_type,
            shards=snapshot.topology.shard_count,
            replicas_per_shard=snapshot.topology.replicas_per_shard,
        )
        return Decision(action=Action.NONE, current=current, target=current, reasons=("nothing to do",))


def test_ours_is_called_every_5_minutes_and_when_an_alarm_changes_to_alarm() -> None:
    # data outgrows maxmemory (2 x 9.8 GiB) at minute 12: the evictions alarm fires there.
    dataset = tuple(10.0 if m < 12 else 25.0 for m in range(25))
    trace = flat_trace(25, reads=1_000, writes=100, item=TINY)
    trace = type(trace)(
        trace.minutes, trace.reads_per_s, trace.writes_per_s, dataset, trace.connections, trace.avg_item_bytes
    )
    engine = RecordingEngine()
    ours = AutoscalerController(engine=engine)

    simulate(trace, spec(shards=2), ours)

    # 12: evictions (1 of 1); 13: memory at 100 % for 2 of 3 minutes; the rest: the schedule.
    assert ours.evaluations == [4, 9, 12, 13, 14, 19, 24]
    assert ours.policy.mode == "act"


def test_ours_sees_cloudwatch_series_per_shard_and_role_with_the_hot_shard_first() -> None:
    engine = RecordingEngine()
    simulate(
        flat_trace(40, writes=40_000, reads=20_000, item=TINY),
        spec(shards=4, hot=0.4),
        AutoscalerController(engine=engine),
    )

    snapshot = engine.snapshots[-1]
    assert snapshot.topology.shard_count == 4
    assert snapshot.topology.status == "available"
    write_cpu = snapshot.metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY)
    assert write_cpu["0001"][-1] == pytest.approx(16.0)  # 40 % of 40k writes
    assert write_cpu["0002"][-1] == pytest.approx(8.0)
    assert len(write_cpu["0001"]) == 40  # all 40 minutes: within the 60-min scale-in lookback and 5 minutes
    assert {s.metric for s in snapshot.metrics.series} == set(MetricName)
