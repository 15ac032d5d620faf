"""Ours: the same ``decide()`` the Lambdas run, fed the snapshot ``observe`` would build.

How it is invoked mirrors the deployed stack (DESIGN §2): the EventBridge schedule every
``schedule_minutes``, plus every CloudWatch alarm that *changes* to ALARM (a state change is the only
event). The alarms are the ones ``reconcile`` deploys (``simulator.alarms.policy_alarms``, built from
``elasticache_autoscaler.alarms``): one per signal on the hottest node, above target x (1 + tolerance) for
2 of 3 one-minute datapoints; evictions and network allowance above 0 for 1 of 1.

The policy is the default one with two changes a simulation needs: ``mode`` is ``act`` (the default,
``observe``, would only record), and no action waits for a person's approval.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot
from elasticache_autoscaler.workflow.observe import window_minutes
from elasticache_autoscaler_cli.simulator.alarms import AlarmValue, policy_alarms
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.observe import snapshot_of
from elasticache_autoscaler_cli.simulator.physics import Physics
from elasticache_autoscaler_cli.simulator.result import Timed
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, initial_capacity

# A Monday at midnight UTC: minute 0 of every trace.
SIM_EPOCH = datetime(2026, 1, 5, tzinfo=UTC)

Decide = Callable[[Snapshot, Policy, History, datetime], Decision]


def sim_time(minute: int) -> datetime:
    """The wall-clock time of a simulated minute's start."""
    return SIM_EPOCH + timedelta(minutes=minute)


def past_decisions(actions: Sequence[Timed], minute: int) -> History:
    """The decision log's view of the twin's actions after minute ``minute``: what the engine's cooldowns and
    anti-flapping read (finished ones succeeded, the running one is in progress)."""
    return tuple(
        PastDecision(
            action=a.action,
            decided_at=sim_time(a.started_minute),
            status="succeeded" if a.finished_minute <= minute else "in_progress",
            finished_at=sim_time(a.finished_minute) if a.finished_minute <= minute else None,
        )
        for a in actions
    )


class AutoscalerController:
    name = "autoscaler"

    def __init__(
        self, policy: Policy | None = None, schedule_minutes: int = 5, engine: Decide = decide
    ) -> None:
        base = policy or Policy()
        self.policy = base.model_copy(update={"mode": "act", "approval_required": frozenset()})
        self.schedule_minutes = schedule_minutes
        # as Observe fetches: every window the policy reads (stabilization, scale-in lookback), + 5 min
        self.window_minutes = window_minutes(max(base.metrics_lookback_seconds, 1800))
        self.alarms = policy_alarms(self.policy)
        self.evaluations: list[int] = []
        self._decide = engine

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        fired = [
            alarm.spec.name
            for point in view.new_datapoints()
            for alarm, read in self.alarms
            if alarm.observe(None if point is None else read(point)) is AlarmValue.ALARM
        ]
        scheduled = (view.minute + 1) % self.schedule_minutes == 0
        # While the group is modifying the workflow refuses to act (not quiescent): skip the call.
        if view.modifying or not (fired or scheduled) or not view.metrics:
            return None
        now = SIM_EPOCH + timedelta(minutes=view.minute + 1)
        self.evaluations.append(view.minute)
        decision = self._decide(
            snapshot_of(view, self.window_minutes, now),
            self.policy,
            past_decisions(view.actions, view.minute),
            now,
        )
        if not decision.changes_something or decision.target == view.capacity:
            return None
        trigger = f"alarm {', '.join(fired)}" if fired else "schedule"
        return Proposal(decision.target, f"{trigger}: {'; '.join(decision.reasons)}", decision.action)
