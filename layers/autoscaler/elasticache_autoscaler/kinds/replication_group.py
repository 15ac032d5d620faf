"""A Valkey / Redis OSS replication group: the workflow's original kind, wrapped (its code lives in
``workflow.observe``, ``workflow.decide_step``, ``workflow.act_step``, ``workflow.check_step``).

Each method imports the step it wraps: Decide, which needs the rules' ``decide`` only, loads no Observe,
Act, Check or trigger code (and none of their adapters) on its first call (issue 15, cold starts)."""

# ruff: noqa: PLC0415 - the imports inside the methods are the point (see above)

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.kinds.base import not_an_action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest

if TYPE_CHECKING:
    from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
    from elasticache_autoscaler.kinds.base import Seen
    from elasticache_autoscaler.models.act import ActRequest, ActResult
    from elasticache_autoscaler.models.any_decision import DecisionOfAnyKind
    from elasticache_autoscaler.models.check import CheckRequest, CheckResult
    from elasticache_autoscaler.models.workflow import (
        KindSummary,
        Observation,
        ObservationDetail,
        ObservationSummary,
    )
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

    def summarize(self, detail: "ObservationDetail") -> "ObservationSummary | KindSummary":
        from elasticache_autoscaler.workflow.observe import summarize

        return summarize(detail)

    def decide(
        self, observation: "Observation", detail: "ObservationDetail", now: datetime
    ) -> "DecisionOfAnyKind":
        from elasticache_autoscaler.workflow.decide_step import decide_group

        return decide_group(observation, detail, now)

    def refusal(self, request: WorkflowRequest) -> str | None:
        return not_an_action(request, ACTIONS, self.noun)


class ReplicationGroups(GroupRules):
    def __init__(self, elasticache: "ElastiCacheGateway") -> None:
        self._elasticache = elasticache

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> "Seen":
        from elasticache_autoscaler.workflow.observe import observe_group

        return observe_group(cache_id, deps, now)

    def act(self, request: "ActRequest", deps: "ActDeps", now: datetime) -> "ActResult":
        from elasticache_autoscaler.workflow.act_step import act_on_group

        return act_on_group(request, deps, now)

    def check(self, request: "CheckRequest", now: datetime) -> "CheckResult":
        from elasticache_autoscaler.workflow import check_step

        return check_step.check(request, self._elasticache, now)

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        from elasticache_autoscaler.workflow import triggers

        return triggers.group_of_dimensions(dimensions, self._elasticache)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        from elasticache_autoscaler.workflow import triggers

        return triggers.managed_state(cache_id, self._elasticache, tag_key)
