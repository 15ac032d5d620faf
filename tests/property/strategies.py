"""Hypothesis strategies for the engine's inputs, and a crude world model for "after the action"."""

from datetime import timedelta

from hypothesis import strategies as st

from elasticache_autoscaler.catalog import node_type as lookup
from elasticache_autoscaler.engine import OperatorRequest
from elasticache_autoscaler.engine.node_type_choice import compute
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Decision
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.policy import MaxStep, Policy, Targets
from elasticache_autoscaler.models.snapshot import Guards, MetricName, Metrics, MetricSeries, Role, Snapshot
from tests.unit.engine.builders import NOW, topology

NODE_TYPES = ("cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.2xlarge", "cache.r7g.4xlarge")
SCALING = [a for a in Action if a.is_topology_change and not a.is_other_kind]


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    min_shards = draw(st.integers(1, 3))
    min_replicas = draw(st.integers(0, 2))
    return Policy(
        mode="act",
        targets=Targets(
            memory_percent=draw(st.sampled_from([60.0, 70.0, 80.0])),
            write_cpu_percent=draw(st.sampled_from([50.0, 60.0])),
            read_cpu_percent=draw(st.sampled_from([50.0, 60.0])),
        ),
        tolerance=draw(st.sampled_from([0.0, 0.1, 0.2])),
        min_shards=min_shards,
        max_shards=draw(st.integers(min_shards, 8)),
        min_replicas_per_shard=min_replicas,
        max_replicas_per_shard=draw(st.integers(max(min_replicas, 1), 5)),
        max_step=MaxStep(
            replicas=draw(st.integers(1, 3)),
            shards=draw(st.integers(1, 3)),
            node_sizes=draw(st.integers(1, 2)),
        ),
        scale_out_cooldown_seconds=draw(st.sampled_from([0, 300, 600])),
        scale_in_cooldown_seconds=draw(st.sampled_from([0, 900, 1800])),
        scale_in_stabilization_seconds=draw(st.sampled_from([600, 1800])),
    )


def _shaped(level: float, minutes: int, fall: float) -> tuple[float, ...]:
    """``minutes`` values ending at ``level``: flat (``fall`` 0) or falling by ``fall`` x level over them."""
    if fall == 0 or minutes < 2:
        return (level,) * minutes
    start = level * (1 + fall)
    return tuple(start - (start - level) * i / (minutes - 1) for i in range(minutes))


def _series(
    metric: MetricName, role: Role, shards: int, levels: list[float], minutes: int, *, fall: float = 0.0
) -> list[MetricSeries]:
    return [
        MetricSeries(
            metric=metric, shard_id=f"{i + 1:04d}", role=role, values=_shaped(levels[i], minutes, fall)
        )
        for i in range(shards)
        if minutes > 0
    ]


@st.composite
def snapshots(draw: st.DrawFn, policy: Policy) -> Snapshot:
    cluster_mode = draw(st.booleans())
    shards = draw(st.integers(policy.min_shards, policy.max_shards)) if cluster_mode else 1
    multi_az = draw(st.booleans())
    low_replicas = max(policy.min_replicas_per_shard, 1 if multi_az else 0)
    replicas = draw(st.integers(low_replicas, max(low_replicas, policy.max_replicas_per_shard)))
    busy = draw(st.sampled_from(["available"] * 6 + ["modifying", "snapshotting"]))
    topo = topology(
        cluster_mode=cluster_mode,
        shards=shards,
        replicas=replicas,
        node_type=draw(st.sampled_from(NODE_TYPES)),
        multi_az=multi_az,
        status=busy,
    )
    minutes = draw(st.sampled_from([60, 60, 60, 45, 10, 0]))

    load = draw(st.sampled_from([0.1, 0.4, 1.0]))  # quiet, moderate or anything: scale-in needs all low

    def levels(high: float) -> list[float]:
        return draw(st.lists(st.floats(0, high * load, allow_nan=False), min_size=shards, max_size=shards))

    def counts() -> list[float]:
        counts = [0.0] if load < 1 else [0.0, 0.0, 0.0, 4.0]
        return draw(st.lists(st.sampled_from(counts), min_size=shards, max_size=shards))

    # Flat, or falling through the window (a scale-in is sized on its peak over the lookback all the same).
    fall = draw(st.sampled_from([0.0, 0.0, 0.3, 1.0]))
    series = (
        _series(MetricName.MEMORY, Role.PRIMARY, shards, levels(110.0), minutes, fall=fall)
        + _series(MetricName.ENGINE_CPU, Role.PRIMARY, shards, levels(110.0), minutes, fall=fall)
        + _series(MetricName.CONNECTIONS, Role.PRIMARY, shards, levels(65_000.0), minutes, fall=fall)
        + _series(MetricName.EVICTIONS, Role.PRIMARY, shards, counts(), minutes)
        + _series(MetricName.NETWORK_IN_EXCEEDED, Role.PRIMARY, shards, counts(), minutes)
        + _series(MetricName.NETWORK_OUT_EXCEEDED, Role.PRIMARY, shards, counts(), minutes)
    )
    if replicas:
        series += _series(MetricName.ENGINE_CPU, Role.REPLICA, shards, levels(110.0), minutes, fall=fall)
    if draw(st.booleans()) and series:  # sometimes one series is missing
        series.pop(draw(st.integers(0, len(series) - 1)))
    guards = draw(
        st.sampled_from(
            [Guards()] * 6
            + [Guards(paused=True), Guards(circuit_open=True), Guards(lock_held_by="exec-other")]
        )
    )
    metrics = Metrics(period_seconds=60, window_end=NOW, series=tuple(series))
    return Snapshot(taken_at=NOW, topology=topo, metrics=metrics, guards=guards)


@st.composite
def histories(draw: st.DrawFn) -> History:
    entries = draw(
        st.lists(
            st.tuples(
                st.sampled_from([*SCALING, Action.ROTATE_AUTH_TOKEN]),
                st.one_of(st.integers(0, 12), st.integers(0, 40), st.integers(0, 240)),
                st.booleans(),
            ),
            max_size=3,
        )
    )
    return tuple(
        PastDecision(
            action=action,
            decided_at=NOW - timedelta(minutes=minutes),
            finished_at=NOW - timedelta(minutes=minutes),
            status="succeeded" if took_effect else "skipped",
        )
        for action, minutes, took_effect in entries
    )


requests = st.one_of(
    st.none(),
    st.builds(
        OperatorRequest,
        action=st.sampled_from(list(Action)),
        target=st.one_of(st.none(), st.integers(0, 12), st.sampled_from(NODE_TYPES)),
    ),
)


def _factors(decision: Decision) -> dict[tuple[MetricName, Role], float]:
    """How each series scales after the change, in the engine's own model of load spreading."""
    current, target = decision.current, decision.target
    shards = current.shards / target.shards
    replicas_before, replicas_after = current.replicas_per_shard, target.replicas_per_shard
    old, new = lookup(current.node_type), lookup(target.node_type)
    memory = old.maxmemory_gib / new.maxmemory_gib
    cpu = compute(old) / compute(new)
    read = replicas_before / replicas_after if replicas_before and replicas_after else 1.0
    connections = (replicas_before + 1) / (replicas_after + 1)
    return {
        (MetricName.MEMORY, Role.PRIMARY): shards * memory,
        (MetricName.ENGINE_CPU, Role.PRIMARY): shards * cpu,
        (MetricName.ENGINE_CPU, Role.REPLICA): shards * cpu * read,
        (MetricName.CONNECTIONS, Role.PRIMARY): connections,
    }


def after(snapshot: Snapshot, decision: Decision) -> Snapshot:
    """The snapshot just after ``decision`` took effect: new capacity, load spread, hot shard kept."""
    target = decision.target
    topo = topology(
        cluster_mode=snapshot.topology.cluster_mode_enabled,
        shards=target.shards,
        replicas=target.replicas_per_shard,
        node_type=target.node_type,
        multi_az=snapshot.topology.multi_az,
    )
    factors = _factors(decision)
    hottest: dict[tuple[MetricName, Role], tuple[float, ...]] = {}
    for s in snapshot.metrics.series:
        key = (s.metric, s.role)
        hottest[key] = max(hottest.get(key, ()), s.values, key=lambda v: max(v, default=0.0))
    if target.replicas_per_shard == 0 and (MetricName.ENGINE_CPU, Role.REPLICA) in hottest:
        reads = hottest.pop((MetricName.ENGINE_CPU, Role.REPLICA))
        writes = hottest.get((MetricName.ENGINE_CPU, Role.PRIMARY), ())
        hottest[(MetricName.ENGINE_CPU, Role.PRIMARY)] = tuple(
            w + r for w, r in zip(writes, reads, strict=False)
        )
    if decision.action is Action.SCALE_UP:
        for metric in (MetricName.NETWORK_IN_EXCEEDED, MetricName.NETWORK_OUT_EXCEEDED, MetricName.EVICTIONS):
            hottest.pop((metric, Role.PRIMARY), None)
    series = tuple(
        MetricSeries(
            metric=metric,
            shard_id=shard.shard_id,
            role=role,
            values=tuple(v * factors.get((metric, role), 1.0) for v in values),
        )
        for (metric, role), values in hottest.items()
        for shard in topo.shards
    )
    return snapshot.model_copy(
        update={"topology": topo, "metrics": snapshot.metrics.model_copy(update={"series": series})}
    )
