"""The kind unions a decision needs - capacity and decision - without the policy and snapshot models
(``any_kind`` adds those): the steps that carry a decision or a capacity but never read a policy or a
snapshot (record, approval, lock, rotation) build only these models at import (issue 15, cold starts).

A replication group's models carry no ``kind`` on the wire (their wire is unchanged): a value without one is
a replication group's."""

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits


def kind_of(value: Any) -> str:
    """The ``kind`` of a wire dict or a model; a replication group's when it has none."""
    if isinstance(value, dict):
        return str(value.get("kind", CacheKind.REPLICATION_GROUP))
    return str(getattr(value, "kind", CacheKind.REPLICATION_GROUP))


BY_KIND = Discriminator(kind_of)
RG = Tag(CacheKind.REPLICATION_GROUP)
MC = Tag(CacheKind.MEMCACHED)
SL = Tag(CacheKind.SERVERLESS)

AnyCapacity = Annotated[
    Annotated[Capacity, RG] | Annotated[MemcachedCapacity, MC] | Annotated[UsageLimits, SL], BY_KIND
]
AnyDecision = Annotated[
    Annotated[Decision, RG] | Annotated[MemcachedDecision, MC] | Annotated[ServerlessDecision, SL],
    BY_KIND,
]
DecisionOfAnyKind = Decision | MemcachedDecision | ServerlessDecision


def action_of(decision: DecisionOfAnyKind) -> Action:
    """The decision's action as the decision log and the workflow name it (every kind's action is one)."""
    return Action(decision.action.value)
