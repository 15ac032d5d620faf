"""The policies of a Serverless cache: ours (``kind_autoscaler``) and its limits as set.

Ours: the runtime's Serverless Decide (``kinds.serverless`` through the registry, ``engine.serverless`` and
the cooldown guard), fed the ``ServerlessSnapshot`` Observe would build; the alarms are those of
``alarms_kinds.serverless_alarms`` (``ThrottledCmds`` above 0, 1 of 1; data and ECPUs above
``raiseAtPercent`` of their maximum, 2 of 3 minutes), which ``reconcile`` keeps in line with the limits in
effect. The policy is the default Serverless policy. ``limits-as-set``: the CacheUsageLimits the cache was
created with, never changed.
"""

from collections.abc import Callable
from datetime import datetime

from elasticache_autoscaler.alarms_kinds import serverless_alarms
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_decision import ServerlessDecision
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import ServerlessSnapshot
from elasticache_autoscaler.workflow.observe import window_minutes
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import sim_time
from elasticache_autoscaler_cli.simulator.baselines.kind_alarms import DeployedAlarms
from elasticache_autoscaler_cli.simulator.baselines.kind_autoscaler import ALARM_PREFIX, KindAutoscaler
from elasticache_autoscaler_cli.simulator.kind_observe import serverless_snapshot
from elasticache_autoscaler_cli.simulator.serverless_physics import ServerlessMinute
from elasticache_autoscaler_cli.simulator.serverless_twin import ServerlessProposal, ServerlessView

_READINGS: dict[str, Callable[[ServerlessMinute], float]] = {
    "throttled": lambda m: m.throttled_cmds,
    "data-storage-near-max": lambda m: m.bytes_used,
    "ecpu-near-max": lambda m: m.ecpu,
}


class ServerlessAutoscaler(
    KindAutoscaler[ServerlessView, ServerlessPolicy, ServerlessDecision, ServerlessProposal]
):
    def __init__(self, policy: ServerlessPolicy | None = None, schedule_minutes: int = 5) -> None:
        base = policy or ServerlessPolicy()
        window = window_minutes(base.scale_in_stabilization_seconds)
        super().__init__(CacheKind.SERVERLESS, ServerlessDecision, base, schedule_minutes, window)
        self._alarms = DeployedAlarms(_READINGS)

    def _fired(self, view: ServerlessView) -> list[str]:
        """``reconcile`` re-deploys the near-maximum alarms' thresholds when the maximums change."""
        return self._alarms.fired(
            view.limits,
            lambda: serverless_alarms(
                serverless_snapshot(view, 1, sim_time(view.minute + 1)).cache, self.policy, ALARM_PREFIX
            ),
            view.fresh,
        )

    def _snapshot(self, view: ServerlessView, now: datetime) -> ServerlessSnapshot:
        return serverless_snapshot(view, self.window_minutes, now)

    def _proposal(
        self, view: ServerlessView, decision: ServerlessDecision, reason: str
    ) -> ServerlessProposal | None:
        if decision.target == view.limits:
            return None
        return ServerlessProposal(decision.target, reason, Action(decision.action.value))


class LimitsAsSet:
    name = "limits-as-set"

    def step(self, view: ServerlessView) -> ServerlessProposal | None:
        return None
