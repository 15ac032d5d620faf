"""One type per workflow value that differs by kind of cache (capacity, policy, snapshot, decision), as a
union told apart by its ``kind`` field. A replication group's models carry no ``kind`` on the wire (their
wire is unchanged): a value without one is a replication group's."""

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot, ServerlessSnapshot
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler.models.snapshot import Snapshot


def kind_of(value: Any) -> str:
    """The ``kind`` of a wire dict or a model; a replication group's when it has none."""
    if isinstance(value, dict):
        return str(value.get("kind", CacheKind.REPLICATION_GROUP))
    return str(getattr(value, "kind", CacheKind.REPLICATION_GROUP))


_BY_KIND = Discriminator(kind_of)
_RG = Tag(CacheKind.REPLICATION_GROUP)
_MC = Tag(CacheKind.MEMCACHED)
_SL = Tag(CacheKind.SERVERLESS)

AnyCapacity = Annotated[
    Annotated[Capacity, _RG] | Annotated[MemcachedCapacity, _MC] | Annotated[UsageLimits, _SL], _BY_KIND
]
AnyPolicy = Annotated[
    Annotated[Policy, _RG] | Annotated[MemcachedPolicy, _MC] | Annotated[ServerlessPolicy, _SL], _BY_KIND
]
AnySnapshot = Annotated[
    Annotated[Snapshot, _RG] | Annotated[MemcachedSnapshot, _MC] | Annotated[ServerlessSnapshot, _SL],
    _BY_KIND,
]
AnyDecision = Annotated[
    Annotated[Decision, _RG] | Annotated[MemcachedDecision, _MC] | Annotated[ServerlessDecision, _SL],
    _BY_KIND,
]
DecisionOfAnyKind = Decision | MemcachedDecision | ServerlessDecision


def action_of(decision: DecisionOfAnyKind) -> Action:
    """The decision's action as the decision log and the workflow name it (every kind's action is one)."""
    return Action(decision.action.value)
