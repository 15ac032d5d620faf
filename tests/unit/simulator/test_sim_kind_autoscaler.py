"""What ours does alike on a Memcached cluster and a Serverless cache (``baselines.kind_autoscaler``): no
evaluation while a change runs, and alarms built again only when ``reconcile`` would re-deploy them."""

from elasticache_autoscaler.alarms_kinds import KindAlarm
from elasticache_autoscaler_cli.simulator.baselines.kind_alarms import DeployedAlarms
from elasticache_autoscaler_cli.simulator.baselines.memcached_autoscaler import MemcachedAutoscaler
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.memcached_twin import simulate_memcached

from .builders import flat_trace


def test_ours_is_not_evaluated_while_a_change_runs() -> None:
    # 3 x r7g.large at 79.7 % CPU: ours adds a node (10 minutes), the schedule fires every 5 minutes.
    ours = MemcachedAutoscaler()
    result = simulate_memcached(
        flat_trace(40, reads=239_000, dataset=3.0, item=1),
        MemcachedSpec(kind="memcached", node_type="cache.r7g.large", nodes=3),
        ours,
    )

    first = result.actions[0]
    assert first.finished_minute - first.started_minute >= ours.schedule_minutes
    assert ours.evaluations
    assert not [m for m in ours.evaluations if first.started_minute <= m < first.finished_minute]


def _alarm(threshold: float) -> KindAlarm:
    return KindAlarm(
        name="simulated-memory",
        cache_id="simulated",
        signal="memory",
        metric="BytesUsedForCache",
        dimensions=(),
        statistic="Maximum",
        threshold=threshold,
        evaluation_periods=1,
        datapoints_to_alarm=1,
    )


def test_alarms_are_built_again_only_when_what_they_are_built_from_changes() -> None:
    deployed = DeployedAlarms[float]({"memory": lambda value: value})
    built: list[float] = []

    def definitions(threshold: float) -> tuple[KindAlarm, ...]:
        built.append(threshold)
        return (_alarm(threshold),)

    assert deployed.fired("large", lambda: definitions(100.0), [150.0]) == ["memory"]
    assert deployed.fired("large", lambda: definitions(100.0), [150.0]) == []  # still in ALARM: no change
    assert deployed.fired("xlarge", lambda: definitions(200.0), [150.0]) == []  # new threshold, not above
    assert deployed.fired("xlarge", lambda: definitions(200.0), [250.0]) == ["memory"]
    assert built == [100.0, 200.0]
