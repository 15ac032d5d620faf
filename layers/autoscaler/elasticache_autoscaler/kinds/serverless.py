"""An ElastiCache Serverless cache: move its CacheUsageLimits within a budget (``engine.serverless`` rules,
``engine.serverless_requests`` for an operator's ``set_limits``, ``adapters.serverless`` calls)."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.kind_metrics import ServerlessMetricsPort
from elasticache_autoscaler.adapters.serverless import ServerlessGateway
from elasticache_autoscaler.alarms_kinds import KindAlarm, serverless_alarms
from elasticache_autoscaler.engine.guards import cooldown_guard
from elasticache_autoscaler.engine.serverless import decide_serverless
from elasticache_autoscaler.engine.serverless_forecast import trial
from elasticache_autoscaler.engine.serverless_requests import serverless_request
from elasticache_autoscaler.kinds.base import Seen
from elasticache_autoscaler.kinds.one_cache import OneCacheKind, OneCacheRules
from elasticache_autoscaler.models.any_kind import AnyCapacity, action_of
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Blocked
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import ServerlessSnapshot
from elasticache_autoscaler.models.request import RequestedAction
from elasticache_autoscaler.models.serverless import SERVERLESS_DIMENSION, ServerlessCache, UsageLimits
from elasticache_autoscaler.models.workflow import Observation, ObservationDetail
from elasticache_autoscaler.workflow.load_history import usage_history
from elasticache_autoscaler.workflow.observe import guards_now, window_minutes

if TYPE_CHECKING:
    from elasticache_autoscaler.workflow.observe import ObserveDeps

ACTIONS = frozenset({RequestedAction.EVALUATE, RequestedAction.SET_LIMITS})


class ServerlessRules(OneCacheRules[ServerlessSnapshot, ServerlessPolicy, ServerlessDecision]):
    kind = CacheKind.SERVERLESS
    noun = "Serverless cache"
    actions = ACTIONS
    snapshot_type = ServerlessSnapshot
    policy_type = ServerlessPolicy
    decision_type = ServerlessDecision

    def described(self, snapshot: ServerlessSnapshot) -> tuple[str, str, int]:
        metrics = snapshot.metrics
        series = sum(1 for s in (metrics.bytes_used, metrics.ecpu) if s)
        return snapshot.cache.status, snapshot.cache.limits.describe(), series

    def unchanged(self, snapshot: ServerlessSnapshot, reason: str, blocked: Blocked) -> ServerlessDecision:
        limits = snapshot.cache.limits
        return ServerlessDecision(
            action=ServerlessAction.NONE, current=limits, target=limits, reasons=(reason,), blocked_by=blocked
        )

    def decide_on(
        self,
        snapshot: ServerlessSnapshot,
        policy: ServerlessPolicy,
        observation: Observation,
        detail: ObservationDetail,
        now: datetime,
    ) -> ServerlessDecision:
        cache, request = snapshot.cache, observation.request
        if request.limits is not None:
            limits = request.limits.model_dump(exclude_none=True)  # None: stays as it is
            decision = serverless_request(
                cache, policy, limits, guards=snapshot.guards, history=detail.history, now=now
            )
        else:
            decision = decide_serverless(
                cache,
                snapshot.metrics,
                policy,
                guards=snapshot.guards,
                now=now,
                history=snapshot.load_history,
            )
            cooldown = cooldown_guard(action_of(decision), detail.history, policy, now)
            decision = decision.model_copy(
                update={
                    "reasons": (*decision.reasons, cooldown.reason),
                    "blocked_by": decision.blocked_by or cooldown.blocked_by,
                }
            )
        decision = decision.model_copy(
            update={
                "dry_run": policy.mode == "observe" or (request.limits is not None and request.dry_run),
                "approval_required": action_of(decision) in policy.approval_required,
            }
        )
        return trial(decision, policy)


class ServerlessCachesKind(
    ServerlessRules, OneCacheKind[ServerlessSnapshot, ServerlessPolicy, ServerlessDecision, ServerlessCache]
):
    def __init__(self, gateway: ServerlessGateway, metrics: ServerlessMetricsPort) -> None:
        self._gateway = gateway
        self._metrics = metrics

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        cache, tags = self.read_with_tags(cache_id)
        policy, error = self.policy_of(cache_id, tags, deps)
        seconds = None if policy is None else policy.scale_in_stabilization_seconds
        metrics = self._metrics.read_serverless(cache, now, window_minutes(seconds))
        history = (
            usage_history(
                cache_id,
                lambda start, end: self._metrics.read_serverless_history(cache, start, end),
                deps.state,
                now,
            )
            if policy is not None and policy.forecast.load_history
            else None
        )
        guards = guards_now(cache_id, tags, deps, now)
        snapshot = ServerlessSnapshot(
            taken_at=now, cache=cache, metrics=metrics, guards=guards, load_history=history
        )
        return snapshot, policy, error

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        return dimensions.get(SERVERLESS_DIMENSION)

    def read(self, cache_id: str) -> ServerlessCache:
        return self._gateway.read_cache(cache_id)

    def read_with_tags(self, cache_id: str) -> tuple[ServerlessCache, dict[str, str]]:
        return self._gateway.read_cache_and_tags(cache_id)

    def capacity(self, cache: ServerlessCache) -> AnyCapacity:
        return cache.limits

    def change(
        self, cache_id: str, decision: ServerlessDecision, policy: ServerlessPolicy, cache: ServerlessCache
    ) -> str:
        return self._gateway.set_usage_limits(cache_id, decision.target, cache)

    def alarms(self, cache: ServerlessCache, policy: ServerlessPolicy, prefix: str) -> tuple[KindAlarm, ...]:
        return serverless_alarms(cache, policy, prefix)

    def shrinks(self, current: AnyCapacity, target: AnyCapacity) -> bool:
        """A maximum lowered."""
        if not isinstance(current, UsageLimits) or not isinstance(target, UsageLimits):
            return False
        pairs = (
            (current.data_storage_max_gb, target.data_storage_max_gb),
            (current.ecpu_per_second_max, target.ecpu_per_second_max),
        )
        return any(a is not None and b is not None and b < a for a, b in pairs)
