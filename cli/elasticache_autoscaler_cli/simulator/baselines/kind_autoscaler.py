"""Ours on a Memcached cluster or a Serverless cache: the kind's Decide as the runtime runs it
(``kinds.<kind>`` through the registry, ``kind_observe.decide_as_deployed``), fed the snapshot Observe
would build, invoked as the deployed stack invokes it: the EventBridge schedule every ``schedule_minutes``,
and every alarm ``reconcile`` deploys for the kind that changes to ALARM. The policy is the kind's with
``mode=act`` and no approvals (a simulation cannot wait for a person). ``memcached_autoscaler`` and
``serverless`` say what differs: the alarms, the snapshot and the capacity a decision changes.
"""

from abc import ABC, abstractmethod
from datetime import datetime

from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot, ServerlessSnapshot
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import past_decisions, sim_time
from elasticache_autoscaler_cli.simulator.kind_observe import decide_as_deployed
from elasticache_autoscaler_cli.simulator.memcached_twin import MemcachedView
from elasticache_autoscaler_cli.simulator.serverless_twin import ServerlessView

ALARM_PREFIX = "simulated-"


class KindAutoscaler[
    V: MemcachedView | ServerlessView,
    P: (MemcachedPolicy, ServerlessPolicy),
    D: (MemcachedDecision, ServerlessDecision),
    Proposal,
](ABC):
    name = "autoscaler"

    def __init__(
        self,
        kind: CacheKind,
        decision_type: type[D],
        policy: P,
        schedule_minutes: int,
        window_minutes: int,
    ) -> None:
        self.kind = kind
        self._decision_type: type[D] = decision_type
        self.policy: P = policy.model_copy(update={"mode": "act", "approval_required": frozenset()})
        self.schedule_minutes = schedule_minutes
        self.window_minutes = window_minutes
        self.evaluations: list[int] = []

    @abstractmethod
    def _fired(self, view: V) -> list[str]:
        """The alarms that changed to ALARM on the datapoints published by this minute."""

    @abstractmethod
    def _snapshot(self, view: V, now: datetime) -> MemcachedSnapshot | ServerlessSnapshot:
        """What Observe builds over ``window_minutes``."""

    @abstractmethod
    def _proposal(self, view: V, decision: D, reason: str) -> Proposal | None:
        """The decision's target, unless the cache already runs with it."""

    def step(self, view: V) -> Proposal | None:
        alarms = self._fired(view)
        scheduled = (view.minute + 1) % self.schedule_minutes == 0
        # While the cache is modifying the workflow refuses to act (not quiescent): skip the call.
        if view.modifying or not (alarms or scheduled) or not view.metrics:
            return None
        now = sim_time(view.minute + 1)
        self.evaluations.append(view.minute)
        decision = decide_as_deployed(
            self.kind,
            self._snapshot(view, now),
            self.policy,
            past_decisions(view.actions, view.minute),
            now,
            "alarm" if alarms else "schedule",
        )
        if not isinstance(decision, self._decision_type) or not decision.changes_something:
            return None
        trigger = f"alarm {', '.join(alarms)}" if alarms else "schedule"
        return self._proposal(view, decision, f"{trigger}: {'; '.join(decision.reasons)}")
