"""Ours on a Memcached cluster (``kind_autoscaler``): the runtime's Memcached Decide (``kinds.memcached``
through the registry, ``engine.memcached``), fed the ``MemcachedSnapshot`` Observe would build.

The alarms are those of ``alarms_kinds.memcached_alarms``: CPU and memory above target x (1 + tolerance),
2 of 3 minutes; evictions above 0, 1 of 1. The policy is the default Memcached policy.
"""

from collections.abc import Callable
from datetime import datetime

from elasticache_autoscaler.alarms_kinds import memcached_alarms
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_decision import MemcachedDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.workflow.observe import window_minutes
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import sim_time
from elasticache_autoscaler_cli.simulator.baselines.kind_alarms import DeployedAlarms
from elasticache_autoscaler_cli.simulator.baselines.kind_autoscaler import ALARM_PREFIX, KindAutoscaler
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec
from elasticache_autoscaler_cli.simulator.kind_observe import memcached_snapshot
from elasticache_autoscaler_cli.simulator.memcached_physics import MemcachedPhysics, NodeMinute
from elasticache_autoscaler_cli.simulator.memcached_twin import (
    MemcachedProposal,
    MemcachedView,
    initial_capacity,
)

_READINGS: dict[str, Callable[[NodeMinute], float]] = {
    "cpu": lambda m: m.reported_cpu,
    "memory": lambda m: m.bytes_used,
    "evictions": lambda m: m.evictions,
}


class MemcachedAutoscaler(
    KindAutoscaler[MemcachedView, MemcachedPolicy, MemcachedDecision, MemcachedProposal]
):
    def __init__(self, policy: MemcachedPolicy | None = None, schedule_minutes: int = 5) -> None:
        base = policy or MemcachedPolicy()
        window = window_minutes(max(base.scale_in_stabilization_seconds, base.scale_out_evaluation_seconds))
        super().__init__(CacheKind.MEMCACHED, MemcachedDecision, base, schedule_minutes, window)
        self._alarms = DeployedAlarms(_READINGS)

    def start(self, spec: MemcachedSpec, trace: Trace, physics: MemcachedPhysics) -> MemcachedCapacity:
        return initial_capacity(spec)

    def _fired(self, view: MemcachedView) -> list[str]:
        """``reconcile`` re-deploys the memory alarm's threshold (bytes) when the node type changes."""
        return self._alarms.fired(
            view.capacity.node_type,
            lambda: memcached_alarms(
                memcached_snapshot(view, 1, sim_time(view.minute + 1)).cluster, self.policy, ALARM_PREFIX
            ),
            view.fresh,
        )

    def _snapshot(self, view: MemcachedView, now: datetime) -> MemcachedSnapshot:
        return memcached_snapshot(view, self.window_minutes, now)

    def _proposal(
        self, view: MemcachedView, decision: MemcachedDecision, reason: str
    ) -> MemcachedProposal | None:
        if decision.target == view.capacity:
            return None
        return MemcachedProposal(decision.target, reason, Action(decision.action.value))
