"""Ours on a Memcached cluster: the runtime's Memcached Decide (``kinds.memcached`` through the registry,
``engine.memcached``), fed the ``MemcachedSnapshot`` Observe would build.

Invoked as the deployed stack invokes it: the EventBridge schedule every ``schedule_minutes``, and every
alarm of ``alarms_kinds.memcached_alarms`` that changes to ALARM (CPU and memory above target x
(1 + tolerance), 2 of 3 minutes; evictions above 0, 1 of 1). The policy is the default Memcached policy with
``mode=act`` and no approvals (a simulation cannot wait for a person).
"""

from collections.abc import Callable

from elasticache_autoscaler.alarms_kinds import memcached_alarms
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_decision import MemcachedDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.workflow.observe import window_minutes
from elasticache_autoscaler_cli.simulator.alarms import Alarm
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import past_decisions, sim_time
from elasticache_autoscaler_cli.simulator.baselines.kind_alarms import fired, one_per_signal
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.kind_observe import decide_as_deployed, memcached_snapshot
from elasticache_autoscaler_cli.simulator.memcached_physics import MemcachedPhysics, NodeMinute
from elasticache_autoscaler_cli.simulator.memcached_twin import (
    MemcachedProposal,
    MemcachedView,
    initial_capacity,
)

ALARM_PREFIX = "simulated-"
_READINGS: dict[str, Callable[[NodeMinute], float]] = {
    "cpu": lambda m: m.reported_cpu,
    "memory": lambda m: m.bytes_used,
    "evictions": lambda m: m.evictions,
}


class MemcachedAutoscaler:
    name = "autoscaler"

    def __init__(self, policy: MemcachedPolicy | None = None, schedule_minutes: int = 5) -> None:
        base = policy or MemcachedPolicy()
        self.policy = base.model_copy(update={"mode": "act", "approval_required": frozenset()})
        self.schedule_minutes = schedule_minutes
        self.window_minutes = window_minutes(
            max(self.policy.scale_in_stabilization_seconds, self.policy.scale_out_evaluation_seconds)
        )
        self.evaluations: list[int] = []
        self._alarms: list[tuple[Alarm, Callable[[NodeMinute], float]]] = []
        self._alarmed_type: str | None = None

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity:
        return initial_capacity(spec)

    def _alarms_for(self, view: MemcachedView) -> list[tuple[Alarm, Callable[[NodeMinute], float]]]:
        """``reconcile`` re-deploys the memory alarm's threshold (bytes) when the node type changes."""
        if view.capacity.node_type != self._alarmed_type:
            cluster = memcached_snapshot(view, 1, sim_time(view.minute + 1)).cluster
            self._alarms = one_per_signal(memcached_alarms(cluster, self.policy, ALARM_PREFIX), _READINGS)
            self._alarmed_type = view.capacity.node_type
        return self._alarms

    def step(self, view: MemcachedView) -> MemcachedProposal | None:
        alarms = fired(self._alarms_for(view), view.fresh)
        scheduled = (view.minute + 1) % self.schedule_minutes == 0
        # While the cluster is modifying the workflow refuses to act (not quiescent): skip the call.
        if view.modifying or not (alarms or scheduled) or not view.metrics:
            return None
        now = sim_time(view.minute + 1)
        self.evaluations.append(view.minute)
        decision = decide_as_deployed(
            CacheKind.MEMCACHED,
            memcached_snapshot(view, self.window_minutes, now),
            self.policy,
            past_decisions(view.actions, view.minute),
            now,
            "alarm" if alarms else "schedule",
        )
        if not isinstance(decision, MemcachedDecision) or not decision.changes_something:
            return None
        if decision.target == view.capacity:
            return None
        trigger = f"alarm {', '.join(alarms)}" if alarms else "schedule"
        reason = f"{trigger}: {'; '.join(decision.reasons)}"
        return MemcachedProposal(decision.target, reason, Action(decision.action.value))
