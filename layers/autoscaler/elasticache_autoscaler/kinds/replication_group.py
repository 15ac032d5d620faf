"""A Valkey / Redis OSS replication group: the workflow's original kind, wrapped (its code lives in
``workflow.observe``, ``workflow.decide_step``, ``workflow.act_step``, ``workflow.check_step``)."""

from collections.abc import Mapping
from datetime import datetime

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.kinds.base import not_an_action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
from elasticache_autoscaler.models.workflow import CheckRequest, CheckResult
from elasticache_autoscaler.workflow import act_step, check_step, decide_step, triggers
from elasticache_autoscaler.workflow import observe as observe_step

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
    summarize = staticmethod(observe_step.summarize)
    decide = staticmethod(decide_step.decide_group)

    def refusal(self, request: WorkflowRequest) -> str | None:
        return not_an_action(request, ACTIONS, self.noun)


class ReplicationGroups(GroupRules):
    observe = staticmethod(observe_step.observe_group)
    act = staticmethod(act_step.act_on_group)

    def __init__(self, elasticache: ElastiCacheGateway) -> None:
        self._elasticache = elasticache

    def check(self, request: CheckRequest, now: datetime) -> CheckResult:
        return check_step.check(request, self._elasticache, now)

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        return triggers.group_of_dimensions(dimensions, self._elasticache)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        return triggers.managed_state(cache_id, self._elasticache, tag_key)
