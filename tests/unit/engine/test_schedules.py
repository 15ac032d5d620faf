"""Scheduled windows: held while active (scale out to the minimum, never scale in below it), scaled out to
ahead of the start by the action's duration, through daylight saving changes, until they expire."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.engine.durations import dataset_gib, scale_out_minutes
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy, Decision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.schedule import Schedule
from elasticache_autoscaler.models.snapshot import Snapshot, Topology
from tests.unit.engine.builders import NO_HISTORY, metrics, quiet, topology

# 2026-03-29 is the night Paris moves from UTC+1 to UTC+2: 08:00 in Paris is 07:00 UTC on Friday 27,
# 06:00 UTC on Monday 30.
FRIDAY_OPEN = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
MONDAY_OPEN = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def _schedule(**fields: Any) -> Schedule:
    base: dict[str, Any] = {
        "name": "business-hours",
        "cron": "0 8 * * MON-FRI",
        "timeZone": "Europe/Paris",
        "durationMinutes": 600,
        "minReplicasPerShard": 2,
    }
    return Schedule.model_validate(base | fields)


def _policy(*schedules: Schedule) -> Policy:
    return Policy(mode="act", schedules=schedules)


def _decide(now: datetime, policy: Policy, topo: Topology | None = None, busy: bool = True) -> Decision:
    topo = topo or topology()
    data = (metrics(topo) if busy else quiet(topo)).model_copy(update={"window_end": now})
    return decide(Snapshot(taken_at=now, topology=topo, metrics=data), policy, NO_HISTORY, now)


@pytest.mark.parametrize(
    ("now", "active"),
    [
        (FRIDAY_OPEN - timedelta(minutes=30), False),  # 07:30 Paris (CET)
        (FRIDAY_OPEN, True),
        (FRIDAY_OPEN + timedelta(minutes=599), True),
        (FRIDAY_OPEN + timedelta(minutes=600), False),
        (datetime(2026, 3, 28, 9, 0, tzinfo=UTC), False),  # Saturday
        (MONDAY_OPEN - timedelta(minutes=1), False),  # 07:59 Paris (CEST)
        (MONDAY_OPEN, True),  # 08:00 Paris (CEST), 06:00 UTC: an hour earlier in UTC than on Friday
        (MONDAY_OPEN + timedelta(minutes=30), True),
    ],
)
def test_the_window_is_active_on_the_zones_wall_clock_across_the_dst_change(
    now: datetime, active: bool
) -> None:
    assert (_schedule().window_at(now) is not None) is active


def test_while_active_the_group_is_scaled_out_to_the_scheduled_minimum() -> None:
    decision = _decide(MONDAY_OPEN + timedelta(hours=1), _policy(_schedule(minReplicasPerShard=3)))

    assert decision.action is Action.ADD_REPLICAS
    assert decision.target.replicas_per_shard == 3
    assert decision.driven_by == "schedule:business-hours"
    assert any("schedule business-hours holds at least 3 replica(s) per shard" in r for r in decision.reasons)


def test_ahead_of_the_window_by_the_lead_time_of_the_action_and_not_before() -> None:
    lead = scale_out_minutes(topology().capacity, topology(replicas=2).capacity, 0.0)
    policy = _policy(_schedule())

    early = _decide(MONDAY_OPEN - timedelta(minutes=lead + 1), policy)
    on_time = _decide(MONDAY_OPEN - timedelta(minutes=lead), policy)

    assert lead == 10
    assert early.action is Action.NONE
    assert any("window starts in 11 min: no scale-in below its minimum" in r for r in early.reasons)
    assert on_time.action is Action.ADD_REPLICAS and on_time.driven_by == "schedule:business-hours"
    assert any("window starts in 10 min, within the 10 min the scale-out" in r for r in on_time.reasons)


def test_the_lead_time_of_adding_shards_counts_the_data_they_move() -> None:
    topo = topology(shards=2)
    policy = _policy(_schedule(minShards=4, minReplicasPerShard=None))
    target = topo.capacity.model_copy(update={"shards": 4})
    lead = scale_out_minutes(topo.capacity, target, dataset_gib(topo.capacity, 40.0))

    decision = _decide(MONDAY_OPEN - timedelta(minutes=lead), policy, topo)
    early = _decide(MONDAY_OPEN - timedelta(minutes=lead + 1), policy, topo)

    assert lead > 6  # the reshard's overhead plus the moved data at ~1 GiB/min
    assert decision.action is Action.ADD_SHARDS and decision.target.shards == 4
    assert early.action is Action.NONE


def test_a_minimum_node_type_scales_up_to_exactly_that_type() -> None:
    policy = _policy(_schedule(minReplicasPerShard=None, minNodeType="cache.r7g.xlarge"))

    decision = _decide(MONDAY_OPEN, policy)

    assert decision.action is Action.SCALE_UP and decision.target.node_type == "cache.r7g.xlarge"


def test_one_part_at_a_time_node_type_first() -> None:
    policy = _policy(_schedule(minShards=3, minNodeType="cache.r7g.xlarge"))

    assert _decide(MONDAY_OPEN, policy).action is Action.SCALE_UP
    bigger = topology(node_type="cache.r7g.xlarge")
    assert _decide(MONDAY_OPEN, policy, bigger).action is Action.ADD_SHARDS
    assert (
        _decide(MONDAY_OPEN, policy, topology(node_type="cache.r7g.xlarge", shards=3)).action
        is Action.ADD_REPLICAS
    )


def test_signal_pressure_comes_before_a_schedule() -> None:
    topo = topology()
    data = metrics(topo, memory=90.0).model_copy(update={"window_end": MONDAY_OPEN})
    seen = Snapshot(taken_at=MONDAY_OPEN, topology=topo, metrics=data)

    decision = decide(seen, _policy(_schedule()), NO_HISTORY, MONDAY_OPEN)

    assert decision.action is Action.ADD_SHARDS and decision.driven_by is None


@pytest.mark.parametrize(
    ("topo", "schedule", "held"),
    [
        (topology(shards=1, replicas=2, allowed_down=()), _schedule(), "floor 2 (schedule business-hours)"),
        (
            topology(shards=3, replicas=1, allowed_down=()),
            _schedule(minShards=3, minReplicasPerShard=None),
            "shards: at the floor 3 (schedule business-hours)",
        ),
        (
            topology(cluster_mode=False, shards=1, replicas=1, node_type="cache.r7g.xlarge"),
            _schedule(minShards=None, minReplicasPerShard=None, minNodeType="cache.r7g.xlarge"),
            "(schedule business-hours holds at least cache.r7g.xlarge)",
        ),
    ],
)
def test_never_scales_in_below_a_schedules_minimum(topo: Topology, schedule: Schedule, held: str) -> None:
    # Given a quiet group the signals would scale in (checked without the schedule)
    free = _decide(MONDAY_OPEN + timedelta(hours=2), _policy(), topo, busy=False)
    assert free.action.is_scale_in

    # When the window is active, or starts within the time a removal and its re-add take
    for now in (MONDAY_OPEN + timedelta(hours=2), MONDAY_OPEN - timedelta(minutes=60)):
        decision = _decide(now, _policy(schedule), topo, busy=False)

        # Then nothing is removed below its minimum, and the reasons say which schedule holds it
        assert decision.action is not free.action
        assert decision.target.replicas_per_shard >= (schedule.min_replicas_per_shard or 0)
        assert decision.target.shards >= (schedule.min_shards or 0)
        assert decision.target.node_type == topo.node_type
        assert any(held in r for r in decision.reasons)


def test_an_expired_schedule_or_one_not_yet_started_holds_nothing() -> None:
    expired = _schedule(endTime="2026-03-28T00:00:00Z")
    later = _schedule(startTime="2026-04-01T00:00:00Z")
    cut = _schedule(endTime="2026-03-30T07:00:00Z")

    assert expired.window_at(MONDAY_OPEN) is None and later.window_at(MONDAY_OPEN) is None
    assert _decide(MONDAY_OPEN, _policy(expired)).action is Action.NONE
    assert cut.window_at(MONDAY_OPEN + timedelta(minutes=59)) is not None
    assert cut.window_at(MONDAY_OPEN + timedelta(minutes=60)) is None  # expired mid-window
    assert later.window_at(datetime(2026, 4, 1, 6, 0, tzinfo=UTC)) is not None


def test_a_schedule_that_expires_before_its_next_window_does_not_scale_out_ahead_of_it() -> None:
    expiring = _schedule(endTime=MONDAY_OPEN.isoformat())
    ahead = MONDAY_OPEN - timedelta(minutes=10)

    assert expiring.next_start(ahead, timedelta(minutes=10)) is None
    assert _schedule().next_start(ahead, timedelta(minutes=10)) == MONDAY_OPEN
    assert _decide(ahead, _policy(expiring)).action is Action.NONE


def test_a_minimum_of_several_parts_leads_by_each_part_and_the_cooldowns_between_them() -> None:
    # a larger node type (20 min), then, one scale-out cooldown (5 min) later, a replica more (10 min)
    policy = _policy(_schedule(minNodeType="cache.r7g.xlarge"))

    early = _decide(MONDAY_OPEN - timedelta(minutes=36), policy)
    on_time = _decide(MONDAY_OPEN - timedelta(minutes=35), policy)

    assert early.action is Action.NONE
    assert on_time.action is Action.SCALE_UP and on_time.driven_by == "schedule:business-hours"
    assert any("within the 35 min the scale-out" in r for r in on_time.reasons)


def test_overlapping_windows_hold_the_largest_of_their_minimums_and_name_its_schedule() -> None:
    small = _schedule(name="small", minReplicasPerShard=2, minNodeType="cache.r7g.xlarge")
    large = _schedule(name="large", minReplicasPerShard=3, minNodeType="cache.r7g.2xlarge")
    bigger = topology(node_type="cache.r7g.2xlarge")

    up = _decide(MONDAY_OPEN, _policy(small, large))
    more = _decide(MONDAY_OPEN, _policy(small, large), bigger)

    assert (up.action, up.target.node_type, up.driven_by) == (
        Action.SCALE_UP,
        "cache.r7g.2xlarge",
        "schedule:large",
    )
    assert (more.action, more.target.replicas_per_shard) == (Action.ADD_REPLICAS, 3)


def test_a_node_type_elasticache_does_not_offer_waits_while_the_other_parts_go_ahead() -> None:
    policy = _policy(_schedule(minNodeType="cache.r7g.xlarge"))
    offered_nothing = topology(allowed_up=("cache.r7g.4xlarge",))
    nothing_else = topology(replicas=2, allowed_up=("cache.r7g.4xlarge",))

    other_part = _decide(MONDAY_OPEN, policy, offered_nothing)
    stuck = _decide(MONDAY_OPEN, policy, nothing_else)

    assert other_part.action is Action.ADD_REPLICAS
    assert stuck.action is Action.SCALE_UP and stuck.blocked_code is BlockedBy.AT_BOUNDS
    assert stuck.driven_by == "schedule:business-hours"
