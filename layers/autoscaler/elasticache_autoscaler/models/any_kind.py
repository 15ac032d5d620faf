"""One type per workflow value that differs by kind of cache (capacity, policy, snapshot, decision), as a
union told apart by its ``kind`` field. A replication group's models carry no ``kind`` on the wire (their
wire is unchanged): a value without one is a replication group's.

The capacity and decision unions live in ``any_decision`` (re-exported here): a step that never reads a
policy or a snapshot imports that module alone, and builds none of their models."""

from typing import Annotated

from elasticache_autoscaler.models.any_decision import (
    BY_KIND,
    MC,
    RG,
    SL,
    AnyCapacity,
    AnyDecision,
    DecisionOfAnyKind,
    action_of,
    kind_of,
)
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot, ServerlessSnapshot
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot

__all__ = [
    "AnyCapacity",
    "AnyDecision",
    "AnyPolicy",
    "AnySnapshot",
    "DecisionOfAnyKind",
    "action_of",
    "kind_of",
]

AnyPolicy = Annotated[
    Annotated[Policy, RG] | Annotated[MemcachedPolicy, MC] | Annotated[ServerlessPolicy, SL], BY_KIND
]
AnySnapshot = Annotated[
    Annotated[Snapshot, RG] | Annotated[MemcachedSnapshot, MC] | Annotated[ServerlessSnapshot, SL],
    BY_KIND,
]
