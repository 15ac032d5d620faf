"""Action timing and the minute loop: capacity changes only after the action's duration, one at a time."""

import pytest

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.result import ActionRecord, count_reversals
from elasticache_autoscaler_cli.simulator.timing import ActionTimings, action_of
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, simulate

from .builders import Scripted, flat_trace, spec

TIMINGS = ActionTimings()
BASE = Capacity(node_type="cache.r7g.large", shards=4, replicas_per_shard=1)


def with_(**changes: object) -> Capacity:
    return BASE.model_copy(update=changes)


def test_durations_come_from_the_published_table() -> None:
    assert TIMINGS.add_replica_minutes == 10
    assert TIMINGS.remove_replica_minutes == 5
    assert TIMINGS.vertical_scale_minutes == 20
    assert TIMINGS.reshard_overhead_minutes == 6


@pytest.mark.parametrize(
    ("target", "dataset", "minutes"),
    [
        (with_(replicas_per_shard=3), 12.0, 10),
        (with_(replicas_per_shard=0), 12.0, 5),
        (with_(node_type="cache.r7g.xlarge"), 12.0, 20),
        (with_(shards=6), 12.0, 10),  # 6 min + 12 GiB x 2/6 moved at 1 GiB/min
        (with_(shards=2), 12.0, 12),  # 6 min + 12 GiB x 2/4 moved
        (with_(shards=5, replicas_per_shard=2), 0.0, 16),
    ],
)
def test_an_action_takes_its_time_plus_the_data_it_moves(
    target: Capacity, dataset: float, minutes: int
) -> None:
    assert TIMINGS.minutes(BASE, target, dataset) == minutes


def test_timings_are_overridable() -> None:
    fast = ActionTimings(add_replica_minutes=1, reshard_gib_per_minute=10)

    assert fast.minutes(BASE, with_(replicas_per_shard=2), 0) == 1
    assert fast.minutes(BASE, with_(shards=6), 12.0) == 7  # 6 + 0.4 rounded up


@pytest.mark.parametrize(
    ("target", "action"),
    [
        (with_(node_type="cache.r7g.xlarge"), Action.SCALE_UP),
        (with_(node_type="cache.m7g.large"), Action.SCALE_DOWN),
        (with_(shards=5), Action.ADD_SHARDS),
        (with_(shards=3), Action.REMOVE_SHARDS),
        (with_(replicas_per_shard=2), Action.ADD_REPLICAS),
        (with_(replicas_per_shard=0), Action.REMOVE_REPLICAS),
        (BASE, Action.NONE),
    ],
)
def test_the_action_is_named_from_the_capacity_change(target: Capacity, action: Action) -> None:
    assert action_of(BASE, target) is action


def test_new_capacity_serves_only_after_the_action_and_the_group_is_modifying_meanwhile() -> None:
    # tiny items (1 op-equivalent each): 90k reads on the shard's single replica -> engine CPU 90 %.
    cluster = spec(shards=1, replicas=1)
    controller = Scripted(
        {
            0: Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=3),
            3: Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=5),
        }
    )
    result = simulate(flat_trace(20, reads=90_000, item=0.001), cluster, controller)

    assert [a.action for a in result.actions] == [Action.ADD_REPLICAS]  # the minute-3 proposal was refused
    # proposed after minute 0's data: the change runs from minute 1 and serves from minute 11
    assert (result.actions[0].started_minute, result.actions[0].finished_minute) == (1, 11)
    assert result.breach_minutes == 11  # minutes 0-10 on one replica at 90 % CPU
    assert [controller.modifying[m] for m in (0, 1, 10, 11)] == [False, True, True, False]
    assert result.final.replicas_per_shard == 3


class Named(Scripted):
    """Proposes a same-memory node type move and says which way it is meant."""

    def step(self, view: ClusterView) -> Proposal | None:
        if view.minute != 0:
            return None
        return Proposal(
            Capacity(node_type="cache.r7g.large", shards=2, replicas_per_shard=1),
            "faster CPU",
            Action.SCALE_UP,
        )


def test_the_controllers_name_for_a_change_is_recorded() -> None:
    # r6g.large -> r7g.large keeps the memory: only the controller knows it is a scale up (for CPU)
    result = simulate(flat_trace(30), spec(node="cache.r6g.large"), Named({}))

    assert [a.action for a in result.actions] == [Action.SCALE_UP]
    assert action_of(result.actions[0].current, result.actions[0].target) is Action.SCALE_DOWN


def test_both_old_and_new_nodes_are_billed_while_an_action_runs() -> None:
    cluster = spec(shards=1, replicas=1)
    grow = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=3)
    result = simulate(flat_trace(60), cluster, Scripted({0: grow}))

    price = 0.1752  # valkey cache.r7g.large per node-hour
    # minute 0 runs on 2 nodes (the call is made at its end), then 4 nodes are billed from the call on.
    assert result.node_hours == pytest.approx((2 + 59 * 4) / 60)
    assert result.cost_usd == pytest.approx((2 + 59 * 4) / 60 * price)


def test_a_reversal_is_an_opposite_action_within_30_minutes_of_the_last_one_finishing() -> None:
    def record(action: Action, start: int, end: int) -> ActionRecord:
        return ActionRecord(action, start, end, BASE, BASE, "")

    add = record(Action.ADD_REPLICAS, 0, 10)
    assert count_reversals([add, record(Action.REMOVE_REPLICAS, 40, 45)]) == 1
    assert count_reversals([add, record(Action.REMOVE_REPLICAS, 41, 45)]) == 0
    assert count_reversals([add, record(Action.REMOVE_SHARDS, 20, 45)]) == 0
