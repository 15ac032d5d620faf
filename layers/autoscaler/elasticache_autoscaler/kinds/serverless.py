"""An ElastiCache Serverless cache: move its CacheUsageLimits within a budget (``engine.serverless`` rules,
``engine.serverless_requests`` for an operator's ``set_limits``, ``adapters.serverless`` calls)."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.kind_metrics import ServerlessMetricsPort
from elasticache_autoscaler.adapters.policy_store import Policies
from elasticache_autoscaler.adapters.serverless import ServerlessGateway
from elasticache_autoscaler.alarms_kinds import SERVERLESS_DIMENSION, KindAlarm, serverless_alarms
from elasticache_autoscaler.engine.guards import cooldown_guard
from elasticache_autoscaler.engine.serverless import decide_serverless
from elasticache_autoscaler.engine.serverless_forecast import trial
from elasticache_autoscaler.engine.serverless_requests import serverless_request
from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError
from elasticache_autoscaler.kinds.acting import Reading, act_on_kind
from elasticache_autoscaler.kinds.base import Seen
from elasticache_autoscaler.models.any_kind import DecisionOfAnyKind, action_of
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import ServerlessSnapshot
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler.models.workflow import (
    ActRequest,
    ActResult,
    CheckRequest,
    CheckResult,
    KindSummary,
    Observation,
    ObservationDetail,
    ObservationSummary,
)
from elasticache_autoscaler.workflow.check_step import Reading as CheckReading
from elasticache_autoscaler.workflow.check_step import check_reading
from elasticache_autoscaler.workflow.load_history import usage_history
from elasticache_autoscaler.workflow.observe import (
    guards_now,
    policy_or_error,
    refuse_unmanaged,
    window_minutes,
)

if TYPE_CHECKING:
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps

ACTIONS = frozenset({RequestedAction.EVALUATE, RequestedAction.SET_LIMITS})


class ServerlessRules:
    kind = CacheKind.SERVERLESS
    noun = "Serverless cache"

    def refusal(self, request: WorkflowRequest) -> str | None:
        if request.action not in ACTIONS:
            listed = ", ".join(sorted(a.value for a in ACTIONS))
            return f"{request.action.value} is not an action of a {self.noun} ({listed})"
        return None

    def summarize(self, detail: ObservationDetail) -> ObservationSummary | KindSummary:
        snapshot = _own(detail)
        return KindSummary(
            kind=self.kind,
            taken_at=snapshot.taken_at,
            status=snapshot.cache.status,
            capacity=snapshot.cache.limits.describe(),
            metric_series=sum(1 for s in (snapshot.metrics.bytes_used, snapshot.metrics.ecpu) if s),
            history=len(detail.history),
        )

    def decide(self, observation: Observation, detail: ObservationDetail, now: datetime) -> DecisionOfAnyKind:
        snapshot = _own(detail)
        policy, cache, request = observation.policy, snapshot.cache, observation.request
        if not isinstance(policy, ServerlessPolicy):
            error = observation.policy_error or "not a Serverless cache's policy"
            return ServerlessDecision(
                action=ServerlessAction.NONE,
                current=cache.limits,
                target=cache.limits,
                reasons=(f"policy is invalid: {error}",),
                blocked_by=BlockedBy.INVALID_POLICY.because(error),
            )
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


class ServerlessCachesKind(ServerlessRules):
    def __init__(self, gateway: ServerlessGateway, metrics: ServerlessMetricsPort) -> None:
        self._gateway = gateway
        self._metrics = metrics

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        cache, tags = self._gateway.read_cache_and_tags(cache_id)
        refuse_unmanaged(self.noun, cache_id, tags, deps)
        policy, error = policy_or_error(lambda: deps.policies.kind_policy_for(cache_id, ServerlessPolicy))
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

    def act(self, request: ActRequest, deps: "ActDeps", now: datetime) -> ActResult:
        decision, policy = request.decision, request.policy
        if not isinstance(decision, ServerlessDecision) or not isinstance(policy, ServerlessPolicy):
            raise ActionFailedError(f"{request.cluster}: not a Serverless cache's decision and policy")
        read = {}

        def reading() -> Reading:
            cache, tags = self._gateway.read_cache_and_tags(request.cluster)
            read["cache"] = cache
            return Reading(cache.limits, cache.not_quiescent_because(), tags)

        def call() -> str:
            return self._gateway.set_usage_limits(request.cluster, decision.target, read["cache"])

        return act_on_kind(request, decision, policy, deps, now, read=reading, call=call)

    def check(self, request: CheckRequest, now: datetime) -> CheckResult:
        def read() -> CheckReading:
            cache = self._gateway.read_cache(request.cluster)
            return cache.limits, cache.not_quiescent_because()

        return check_reading(request, read, now, _lowered)

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        return dimensions.get(SERVERLESS_DIMENSION)

    def desired_alarms(
        self, cache_id: str, policies: Policies, prefix: str, tag_key: str
    ) -> tuple[KindAlarm, ...]:
        cache, tags = self._gateway.read_cache_and_tags(cache_id)
        if tags.get(tag_key) != "true":
            return ()
        return serverless_alarms(cache, policies.kind_policy_for(cache_id, ServerlessPolicy), prefix)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        try:
            _, tags = self._gateway.read_cache_and_tags(cache_id)
        except ClusterNotFoundError:
            return "cluster does not exist"
        return None if tags.get(tag_key) == "true" else "cluster is not managed"


def _lowered(current: object, target: object) -> bool:
    if not isinstance(current, UsageLimits) or not isinstance(target, UsageLimits):
        return False
    pairs = (
        (current.data_storage_max_gb, target.data_storage_max_gb),
        (current.ecpu_per_second_max, target.ecpu_per_second_max),
    )
    return any(a is not None and b is not None and b < a for a, b in pairs)


def _own(detail: ObservationDetail) -> ServerlessSnapshot:
    if not isinstance(detail.snapshot, ServerlessSnapshot):
        raise TypeError(f"not a Serverless cache's snapshot: {detail.snapshot.kind}")
    return detail.snapshot
