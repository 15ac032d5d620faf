"""The policies of a Serverless cache: ours (the runtime's Serverless Decide) and its limits as set.

Ours: ``kinds.serverless`` through the registry (``engine.serverless`` and the cooldown guard), fed the
``ServerlessSnapshot`` Observe would build, invoked on the EventBridge schedule every ``schedule_minutes`` and
by every alarm of ``alarms_kinds.serverless_alarms`` that changes to ALARM (``ThrottledCmds`` above 0, 1 of
1; data and ECPUs above ``raiseAtPercent`` of their maximum, 2 of 3 minutes), which ``reconcile`` keeps in
line with the limits in effect. The policy is the default Serverless policy with ``mode=act`` and no
approvals. ``limits-as-set``: the CacheUsageLimits the cache was created with, never changed.
"""

from collections.abc import Callable

from elasticache_autoscaler.alarms_kinds import serverless_alarms
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_decision import ServerlessDecision
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler.workflow.observe import window_minutes
from elasticache_autoscaler_cli.simulator.alarms import Alarm
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import past_decisions, sim_time
from elasticache_autoscaler_cli.simulator.baselines.kind_alarms import fired, one_per_signal
from elasticache_autoscaler_cli.simulator.kind_observe import decide_as_deployed, serverless_snapshot
from elasticache_autoscaler_cli.simulator.serverless_physics import ServerlessMinute
from elasticache_autoscaler_cli.simulator.serverless_twin import ServerlessProposal, ServerlessView

ALARM_PREFIX = "simulated-"
_READINGS: dict[str, Callable[[ServerlessMinute], float]] = {
    "throttled": lambda m: m.throttled_cmds,
    "data-storage-near-max": lambda m: m.bytes_used,
    "ecpu-near-max": lambda m: m.ecpu,
}


class ServerlessAutoscaler:
    name = "autoscaler"

    def __init__(self, policy: ServerlessPolicy | None = None, schedule_minutes: int = 5) -> None:
        base = policy or ServerlessPolicy()
        self.policy = base.model_copy(update={"mode": "act", "approval_required": frozenset()})
        self.schedule_minutes = schedule_minutes
        self.window_minutes = window_minutes(self.policy.scale_in_stabilization_seconds)
        self.evaluations: list[int] = []
        self._alarms: list[tuple[Alarm, Callable[[ServerlessMinute], float]]] = []
        self._alarmed_limits: UsageLimits | None = None

    def _alarms_for(self, view: ServerlessView) -> list[tuple[Alarm, Callable[[ServerlessMinute], float]]]:
        """``reconcile`` re-deploys the near-maximum alarms' thresholds when the maximums change."""
        if view.limits != self._alarmed_limits:
            cache = serverless_snapshot(view, 1, sim_time(view.minute + 1)).cache
            self._alarms = one_per_signal(serverless_alarms(cache, self.policy, ALARM_PREFIX), _READINGS)
            self._alarmed_limits = view.limits
        return self._alarms

    def step(self, view: ServerlessView) -> ServerlessProposal | None:
        alarms = fired(self._alarms_for(view), view.fresh)
        scheduled = (view.minute + 1) % self.schedule_minutes == 0
        if view.modifying or not (alarms or scheduled) or not view.metrics:
            return None
        now = sim_time(view.minute + 1)
        self.evaluations.append(view.minute)
        decision = decide_as_deployed(
            CacheKind.SERVERLESS,
            serverless_snapshot(view, self.window_minutes, now),
            self.policy,
            past_decisions(view.actions, view.minute),
            now,
            "alarm" if alarms else "schedule",
        )
        if not isinstance(decision, ServerlessDecision) or not decision.changes_something:
            return None
        if decision.target == view.limits:
            return None
        trigger = f"alarm {', '.join(alarms)}" if alarms else "schedule"
        reason = f"{trigger}: {'; '.join(decision.reasons)}"
        return ServerlessProposal(decision.target, reason, Action(decision.action.value))


class LimitsAsSet:
    name = "limits-as-set"

    def step(self, view: ServerlessView) -> ServerlessProposal | None:
        return None
