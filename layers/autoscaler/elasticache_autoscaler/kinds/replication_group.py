"""A Valkey / Redis OSS replication group: the workflow's original kind, wrapped (its code lives in
``workflow.observe``, ``workflow.decide_step``, ``workflow.act_step``, ``workflow.check_step``)."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.kinds.base import Seen
from elasticache_autoscaler.models.any_kind import DecisionOfAnyKind
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
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
from elasticache_autoscaler.workflow import act_step, check_step, decide_step, triggers
from elasticache_autoscaler.workflow import observe as observe_step

if TYPE_CHECKING:
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps

ACTIONS = frozenset(
    {
        RequestedAction.EVALUATE,
        RequestedAction.ADD_REPLICAS,
        RequestedAction.REMOVE_REPLICAS,
        RequestedAction.ADD_SHARDS,
        RequestedAction.REMOVE_SHARDS,
        RequestedAction.SCALE_UP,
        RequestedAction.SCALE_DOWN,
        RequestedAction.ROTATE_AUTH_TOKEN,
        RequestedAction.ROTATE_USER_PASSWORD,
    }
)


class GroupRules:
    kind = CacheKind.REPLICATION_GROUP
    noun = "replication group"

    def refusal(self, request: WorkflowRequest) -> str | None:
        if request.action not in ACTIONS:
            return f"{request.action.value} is not an action of a {self.noun} ({_listed(ACTIONS)})"
        return None

    def summarize(self, detail: ObservationDetail) -> ObservationSummary | KindSummary:
        return observe_step.summarize(detail)

    def decide(self, observation: Observation, detail: ObservationDetail, now: datetime) -> DecisionOfAnyKind:
        return decide_step.decide_group(observation, detail, now)


class ReplicationGroups(GroupRules):
    def __init__(self, elasticache: ElastiCacheGateway) -> None:
        self._elasticache = elasticache

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        return observe_step.observe_group(cache_id, deps, now)

    def act(self, request: ActRequest, deps: "ActDeps", now: datetime) -> ActResult:
        return act_step.act_on_group(request, deps, now)

    def check(self, request: CheckRequest, now: datetime) -> CheckResult:
        return check_step.check(request, self._elasticache, now)

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        return triggers.group_of_dimensions(dimensions, self._elasticache)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        return triggers.managed_state(cache_id, self._elasticache, tag_key)


def _listed(actions: frozenset[RequestedAction]) -> str:
    return ", ".join(sorted(a.value for a in actions))
