"""Scale-in: only on full, low data over the whole window; replica, then shard, or a smaller node type when it
leaves the cheaper group; floors kept."""

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.policy import ScaleInGate
from elasticache_autoscaler.models.snapshot import MetricName, Metrics, Role
from tests.unit.engine.builders import (
    ACT,
    NOW,
    metrics,
    past,
    quiet,
    quiet_replicas,
    replica_cpu,
    snapshot,
    topology,
)


def _drop(data: Metrics, metric: MetricName, shard: str | None = None) -> Metrics:
    kept = tuple(
        s for s in data.series if not (s.metric is metric and (shard is None or s.shard_id == shard))
    )
    return data.model_copy(update={"series": kept})


def _shorten(data: Metrics, minutes: int) -> Metrics:
    series = tuple(s.model_copy(update={"values": s.values[-minutes:]}) for s in data.series)
    return data.model_copy(update={"series": series})


@pytest.mark.parametrize(
    ("multi_az", "min_replicas", "replicas", "expected"),
    [
        (True, 0, 2, 1),  # Multi-AZ keeps one replica although the policy allows none
        (True, 0, 1, None),  # already at the Multi-AZ floor
        (False, 0, 1, 0),  # no Multi-AZ: the last replica may go
        (False, 2, 3, 2),  # the policy's minimum
        (False, 1, 5, 3),  # at most maxStep.replicas (2) at once
    ],
)
def test_replica_floor(multi_az: bool, min_replicas: int, replicas: int, expected: int | None) -> None:
    topo = topology(cluster_mode=False, shards=1, replicas=replicas, multi_az=multi_az, allowed_down=())
    policy = ACT.model_copy(update={"min_replicas_per_shard": min_replicas})

    decision = decide(snapshot(topo, quiet(topo)), policy, (), NOW)

    if expected is None:
        assert decision.action is Action.NONE
        assert any("Multi-AZ" in reason for reason in decision.reasons)
    else:
        assert decision.action is Action.REMOVE_REPLICAS
        assert decision.target.replicas_per_shard == expected


@pytest.mark.parametrize(
    "metric",
    [
        MetricName.MEMORY,
        MetricName.ENGINE_CPU,
        MetricName.CONNECTIONS,
        MetricName.EVICTIONS,
        MetricName.NETWORK_IN_EXCEEDED,
    ],
)
def test_a_missing_metric_never_scales_in(metric: MetricName) -> None:
    topo = topology(replicas=2)

    decision = decide(snapshot(topo, _drop(quiet(topo), metric)), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("missing data" in reason for reason in decision.reasons)


def test_one_shard_without_data_never_scales_in() -> None:
    topo = topology(shards=3, replicas=2)

    decision = decide(snapshot(topo, _drop(quiet(topo), MetricName.MEMORY, shard="0002")), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("memory on shard 0002: 0 of 30 points" in reason for reason in decision.reasons)


def test_a_window_shorter_than_the_stabilization_window_never_scales_in() -> None:
    topo = topology(replicas=2)

    decision = decide(snapshot(topo, _shorten(quiet(topo), 20)), ACT, (), NOW)

    assert decision.action is Action.NONE


def _spike(data: Metrics, metric: MetricName, role: Role, value: float) -> Metrics:
    spiked = tuple(
        s.model_copy(update={"values": (*s.values[:40], value, *s.values[41:])})
        if s.metric is metric and s.role is role
        else s
        for s in data.series
    )
    return data.model_copy(update={"series": spiked})


def test_one_busy_minute_of_read_cpu_in_the_window_prevents_removing_replicas() -> None:
    topo = topology(replicas=2, allowed_down=())
    data = _spike(quiet(topo), MetricName.ENGINE_CPU, Role.REPLICA, 58.0)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("replicas: not every signal it affects is low (read CPU" in r for r in decision.reasons)


def test_busy_memory_keeps_the_shards_but_not_the_replicas() -> None:
    """Removing a replica does not change memory per shard: memory does not hold replicas back."""
    topo = topology(replicas=2, allowed_down=())
    data = _spike(quiet(topo), MetricName.MEMORY, Role.PRIMARY, 58.0)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.REMOVE_REPLICAS
    topo = topology(replicas=1, allowed_down=())
    decision = decide(
        snapshot(topo, _spike(quiet(topo), MetricName.MEMORY, Role.PRIMARY, 58.0)), ACT, (), NOW
    )
    assert decision.action is Action.NONE
    assert any("shards: not every signal it affects is low (memory" in r for r in decision.reasons)


def test_an_eviction_in_the_window_prevents_every_scale_in() -> None:
    topo = topology(replicas=2)
    data = _spike(quiet(topo), MetricName.EVICTIONS, Role.PRIMARY, 3.0)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("scale-in: not safe (6 evictions)" in r for r in decision.reasons)  # 2 shards


def test_inside_the_stabilization_window_after_a_scale_out_nothing_is_removed() -> None:
    topo = topology(replicas=2)

    decision = decide(snapshot(topo, quiet(topo)), ACT, (past(Action.ADD_REPLICAS, minutes_ago=20),), NOW)

    assert decision.action is Action.NONE
    assert any("stabilization window" in reason for reason in decision.reasons)


@pytest.mark.parametrize(("minutes_ago", "removed"), [(30, False), (31, True)])
def test_a_scale_in_needs_strictly_more_than_the_window_since_the_last_change(
    minutes_ago: float, removed: bool
) -> None:
    # exactly 30 min after a change, a removal would still undo it "within 30 minutes" (a lookback no longer
    # than the window: the default's 60 min is test_scale_in_gate's)
    topo = topology(replicas=2)
    history = (past(Action.ADD_REPLICAS, minutes_ago=minutes_ago),)
    policy = ACT.model_copy(update={"scale_in_gate": ScaleInGate(lookback_seconds=1800)})

    decision = decide(snapshot(topo, quiet_replicas(topo)), policy, history, NOW)

    assert (decision.action is Action.REMOVE_REPLICAS) is removed


def _series(data: Metrics, metric: MetricName, role: Role, values: tuple[float, ...]) -> Metrics:
    replaced = tuple(
        s.model_copy(update={"values": values}) if s.metric is metric and s.role is role else s
        for s in data.series
    )
    return data.model_copy(update={"series": replaced})


def test_a_rising_signal_blocks_the_scale_ins_it_affects_however_low_it_is() -> None:
    """Memory 10 -> 25 % over the hour (every minute far below 75 x 0.75): a linear projection of 3 -> 2
    shards stays under target, but a rise that may accelerate keeps every shard."""
    topo = topology(shards=3, replicas=1, allowed_down=())
    rising = tuple(10.0 + 15.0 * i / 59 for i in range(60))
    data = _series(quiet(topo), MetricName.MEMORY, Role.PRIMARY, rising)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("shards: not every signal it affects is low (memory rising (+" in r for r in decision.reasons)


def test_noise_without_a_rise_does_not_block_a_scale_in() -> None:
    topo = topology(shards=3, replicas=1, allowed_down=())
    noisy = tuple(10.0 + (1.0 if i % 2 else -1.0) for i in range(60))
    data = _series(quiet(topo), MetricName.MEMORY, Role.PRIMARY, noisy)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.REMOVE_SHARDS
    assert not any("rising (+" in reason for reason in decision.reasons)


def test_scale_in_disabled_by_policy() -> None:
    topo = topology(replicas=2)

    decision = decide(
        snapshot(topo, quiet(topo)), ACT.model_copy(update={"scale_in_enabled": False}), (), NOW
    )

    assert decision.action is Action.NONE
    assert any("scaleInEnabled false" in reason for reason in decision.reasons)


def test_only_fewer_replicas_fit_so_replicas_go() -> None:
    topo = topology(shards=2, replicas=2)  # r7g.large: no smaller r7g type; memory 40 %: no shard fewer

    decision = decide(snapshot(topo, quiet_replicas(topo)), ACT, (), NOW)

    assert decision.action is Action.REMOVE_REPLICAS
    assert not any("the cheapest group left wins" in reason for reason in decision.reasons)


def test_fewer_shards_go_first_when_they_leave_the_cheaper_group() -> None:
    """3 shards x 3 r7g.large nodes (0.1752 $/h). Replicas 2 -> 1: 3 x 2 x 0.1752 = 1.051 $/h left; shards
    3 -> 1 (maxStep 2; memory 10 % x 3 = 30 %): 1 x 3 x 0.1752 = 0.526 $/h left. Shards go first."""
    topo = topology(shards=3, replicas=2)

    decision = decide(snapshot(topo, quiet(topo)), ACT, (), NOW)

    assert decision.action is Action.REMOVE_SHARDS
    assert decision.target.shards == 1
    assert any(
        "the cheapest group left wins: remove_shards (remove_replicas 1.051 $/h, remove_shards 0.526 $/h)"
        in reason
        for reason in decision.reasons
    )


def test_a_smaller_node_type_goes_first_when_it_leaves_the_cheaper_group() -> None:
    """Cluster mode disabled, 3 r7g.xlarge nodes (0.3496 $/h). Replicas 2 -> 1: 2 x 0.3496 = 0.699 $/h
    left; r7g.large on all 3: 3 x 0.1752 = 0.526 $/h left. The node type goes first."""
    topo = topology(cluster_mode=False, shards=1, replicas=2, node_type="cache.r7g.xlarge")

    decision = decide(snapshot(topo, quiet(topo)), ACT, (), NOW)

    assert decision.action is Action.SCALE_DOWN
    assert decision.target.node_type == "cache.r7g.large"
    assert decision.cost_per_hour_after == pytest.approx(0.5256)
    assert any("(remove_replicas 0.699 $/h, scale_down 0.526 $/h)" in reason for reason in decision.reasons)


def test_fewer_replicas_go_first_when_they_leave_the_cheaper_group() -> None:
    """Cluster mode disabled, 4 r7g.xlarge nodes. Replicas 3 -> 1 (maxStep 2): 2 x 0.3496 = 0.699 $/h left;
    r7g.large on all 4: 4 x 0.1752 = 0.701 $/h left. Fewer replicas go first."""
    topo = topology(cluster_mode=False, shards=1, replicas=3, node_type="cache.r7g.xlarge")

    decision = decide(snapshot(topo, quiet(topo)), ACT, (), NOW)

    assert decision.action is Action.REMOVE_REPLICAS
    assert decision.target.replicas_per_shard == 1


def test_shards_go_when_replicas_are_at_the_floor_emptiest_first() -> None:
    topo = topology(shards=4, replicas=1)
    data = metrics(
        topo, memory={"0001": 12.0, "0002": 4.0, "0003": 9.0, "0004": 3.0}, write_cpu=5.0, read_cpu=5.0
    )

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.REMOVE_SHARDS
    assert decision.target.shards == 2
    assert decision.shards_to_remove == ("0004", "0002")


def test_shards_are_not_removed_when_the_rest_would_go_over_target() -> None:
    topo = topology(shards=2, replicas=1, allowed_down=())
    data = metrics(topo, memory=40.0, write_cpu=10.0, read_cpu=10.0)  # 2 -> 1 would be 80 % > 70 %

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("shards: removing one would push" in reason for reason in decision.reasons)


def test_a_smaller_node_only_when_projected_memory_stays_under_target() -> None:
    topo = topology(cluster_mode=False, shards=1, node_type="cache.r7g.2xlarge")

    fits = decide(snapshot(topo, metrics(topo, memory=30.0, write_cpu=5.0, read_cpu=5.0)), ACT, (), NOW)
    too_full = decide(snapshot(topo, metrics(topo, memory=50.0, write_cpu=5.0, read_cpu=5.0)), ACT, (), NOW)

    assert fits.action is Action.SCALE_DOWN
    assert fits.target.node_type == "cache.r7g.xlarge"  # 30 % x 2 = 60 % < 75 %; large would be 120 %
    assert fits.cost_per_hour_after < fits.cost_per_hour_before
    assert too_full.action is Action.NONE


GBPS = 1e9 / 8 * 60  # NetworkBytesIn/Out per minute of one Gbit/s


@pytest.mark.parametrize(("gbps", "expected"), [(1.0, Action.SCALE_DOWN), (1.6, Action.NONE)])
def test_a_smaller_node_keeps_the_busiest_nodes_traffic_within_its_bandwidth(
    gbps: float, expected: Action
) -> None:
    # r7g.2xlarge -> r7g.xlarge: 1.876 Gbit/s baseline, planned to at most 80 % of it (1.5 Gbit/s)
    topo = topology(cluster_mode=False, shards=1, node_type="cache.r7g.2xlarge")
    data = metrics(topo, memory=30.0, write_cpu=5.0, read_cpu=5.0, network_bytes=gbps * GBPS)

    assert decide(snapshot(topo, data), ACT, (), NOW).action is expected


def test_without_traffic_data_a_smaller_node_never_has_less_bandwidth() -> None:
    topo = topology(cluster_mode=False, shards=1, node_type="cache.r7g.2xlarge")
    data = metrics(topo, memory=30.0, write_cpu=5.0, read_cpu=5.0)
    data = _drop(_drop(data, MetricName.NETWORK_BYTES_IN), MetricName.NETWORK_BYTES_OUT)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("no cheaper allowed type keeps projected utilisation" in r for r in decision.reasons)


@pytest.mark.parametrize(("gbps", "replicas_after"), [(0.3, 1), (0.5, 2)])
def test_removing_replicas_keeps_the_others_traffic_within_their_bandwidth(
    gbps: float, replicas_after: int
) -> None:
    # 2 -> 1 replica doubles the remaining one's traffic: 0.6 Gbit/s fits 80 % of r7g.large's 0.937; 1.0 not
    topo = topology(cluster_mode=False, shards=1, replicas=2, multi_az=False, allowed_down=())
    data = metrics(topo, memory=10.0, write_cpu=5.0, read_cpu=5.0, network_bytes=gbps * GBPS)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.target.replicas_per_shard == replicas_after


def test_removing_replicas_keeps_connections_under_target() -> None:
    topo = topology(cluster_mode=False, shards=1, replicas=3, multi_az=False)
    data = metrics(topo, memory=10.0, write_cpu=5.0, read_cpu=5.0, connections=30_000.0)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    # 4 nodes x 30k = 120k connections; 3 nodes -> 40k (< 50k) fits, 2 nodes -> 60k does not.
    assert decision.target.replicas_per_shard == 2


def test_remove_shards_needs_approval_by_default() -> None:
    topo = topology(shards=3, replicas=1)

    decision = decide(snapshot(topo, quiet(topo)), ACT, (), NOW)

    assert decision.action is Action.REMOVE_SHARDS
    assert decision.approval_required


def test_noise_is_projected_from_the_window_peak() -> None:
    """The same levels as noise (no fall through the window): the window's peak decides, nothing goes."""
    topo = topology(replicas=2, allowed_down=())
    noisy = tuple(26.0 if i % 2 else 34.0 for i in range(60))
    data = replica_cpu(quiet(topo), noisy)

    decision = decide(snapshot(topo, data), ACT, (), NOW)

    assert decision.action is Action.NONE
    assert any("replicas: removing one would push read CPU" in r for r in decision.reasons)
