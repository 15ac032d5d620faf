"""Finding 8 (issue 11): the workflow state stays small however large the group. Step Functions caps a
state's input/output at 256 KiB; the raw series of a 90-shard x 5-replica group are ~1 MB, so they go to
the observation store and ``$.observed`` / ``$.decided`` carry a reference and the decision only."""

import json
import random
from datetime import datetime, timedelta

from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.policy import ForecastSettings, Policy
from elasticache_autoscaler.models.snapshot import MetricName, Metrics, MetricSeries, Role, Topology
from elasticache_autoscaler.models.workflow import Execution, ObserveInput
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.load_history import PERIODS
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from tests.fakes.adapters import (
    FakeDecisionLog,
    FakeElastiCache,
    FakeMetrics,
    FakeObservationStore,
    FakePolicies,
    FakeState,
    topology,
)
from tests.unit.workflow.conftest import NOW

KIB = 1024
STATE_LIMIT = 256 * KIB
STATE_BUDGET = 16 * KIB
"""What one step may add to the state: the whole state must stay well under the limit."""


def full_metrics(topo: Topology, minutes: int) -> Metrics:
    """Every series the CloudWatch adapter makes (metric x shard x role), a full window of CloudWatch-like
    floats each (the adapter's output for a group whose every node reports every metric)."""
    rng = random.Random(8)
    return Metrics(
        window_end=NOW,
        series=tuple(
            MetricSeries(
                metric=metric,
                shard_id=shard.shard_id,
                role=role,
                values=tuple(rng.uniform(0, 100) for _ in range(minutes)),
            )
            for shard in topo.shards
            for role in Role
            for metric in MetricName
        ),
    )


def eight_days(end: datetime) -> LoadHistory:
    """Every signal of the load history over 8 days of 5-minute periods, CloudWatch-like floats."""
    rng = random.Random(8)
    values = {
        name: tuple(rng.uniform(0, 100) for _ in range(PERIODS))
        for name in ("memory_percent", "write_cpu_percent", "read_cpu_percent", "connections_per_node")
    }
    return LoadHistory.model_validate({"end": end, **values})


def _sizes(
    shards: int, replicas: int, policy: Policy | None = None, state: FakeState | None = None
) -> tuple[int, int, int, int]:
    """(stored observation, $.observed, $.decided, decision record) in bytes, for an evaluation of such a
    group."""
    topo = topology("big", shards=shards, replicas=replicas)
    elasticache = FakeElastiCache()
    elasticache.add(topo)
    log = FakeDecisionLog()
    store = FakeObservationStore()
    deps = ObserveDeps(
        elasticache=elasticache,
        metrics=FakeMetrics(full_metrics(topo, minutes=60), load=eight_days),
        policies=FakePolicies(policy or Policy(mode="act")),
        state=state or FakeState(),
        log=log,
        managed_tag_key="elasticache-autoscaler:managed",
        paused_tag_key="elasticache-autoscaler:paused",
        store=store,
    )
    execution = Execution(arn="arn:aws:states:us-east-1:123456789012:execution:Scaling:big-1", started_at=NOW)
    observed = observe(
        ObserveInput(input={"cluster": "big", "action": "evaluate"}, execution=execution), deps, NOW
    )
    decided = decide_step(observed, DecideDeps(store, log, 90), NOW + timedelta(seconds=1))
    (stored,) = store.objects.values()
    (record,) = log.items.values()
    return (
        len(stored),
        len(json.dumps(observed.to_wire())),
        len(json.dumps(decided.to_wire())),
        len(json.dumps(record, default=str)),
    )


def test_a_90_shard_5_replica_group_keeps_the_state_small() -> None:
    stored, observed, decided, record = _sizes(90, 5)
    # the raw series are far over the limit: they must not be in the state ...
    assert stored > STATE_LIMIT, stored
    # ... and what the state carries is a small fraction of it
    assert observed < STATE_BUDGET, f"$.observed is {observed / KIB:.1f} KiB for 90 x 5"
    assert decided < STATE_BUDGET, f"$.decided is {decided / KIB:.1f} KiB for 90 x 5"
    # the decision record (a DynamoDB item, 400 KB at most) holds signals and reasons, never the topology
    assert record < 8 * KIB, f"the decision record is {record / KIB:.1f} KiB for 90 x 5"


def test_an_8_day_load_history_of_a_90_shard_group_stays_out_of_the_state() -> None:
    # Given a 90 x 5 group whose policy reads the load history (4 signals x 2,304 periods)
    state = FakeState()
    opted_in = Policy(mode="act", forecast=ForecastSettings(load_history=True))
    stored_off, observed_off, decided_off, record_off = _sizes(90, 5)

    stored, observed, decided, record = _sizes(90, 5, opted_in, state)

    # Then the history rides in the observation store (group-wide values: not per shard), $.observed is the
    # same size as without it, and the cached item is well within a DynamoDB item (400 KB)
    history = stored - stored_off
    cached = len(state.load_histories["big"].model_dump_json(by_alias=True))
    assert 50 * KIB < history < 100 * KIB, (
        f"the history adds {history / KIB:.1f} KiB to the stored observation"
    )
    assert cached < 100 * KIB, f"the cached load history is {cached / KIB:.1f} KiB"
    assert observed - observed_off < 64
    # the decision (in $.decided and in its record) gains the forecast note, each signal's peak and model
    assert decided - decided_off < 2 * KIB, f"the forecast note adds {(decided - decided_off) / KIB:.1f} KiB"
    assert record - record_off < 2 * KIB, f"the forecast note adds {(record - record_off) / KIB:.1f} KiB"


def test_the_state_does_not_grow_with_the_group() -> None:
    _, small_observed, small_decided, _ = _sizes(10, 2)
    _, large_observed, large_decided, _ = _sizes(90, 5)
    # only ids and numbers whose width grows with the group differ: a few bytes, never per node or series
    assert large_observed - small_observed < 64
    assert large_decided - small_decided < 512
