"""The kinds of cache, found by ``kind``: their pure rules (``rules_for``, for Decide) and, built with their
gateways, their I/O (``Registry``, for Observe, Act, Check). A request without a ``kind`` is resolved by
looking the id up in each kind in turn.

A kind's module is imported when its rules are first asked for: Decide, deciding for a replication group,
loads no Memcached or Serverless rules, gateways or acting code (issue 15, cold starts)."""

# ruff: noqa: PLC0415 - the imports inside the rule makers are the point (see above)

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError, InvalidInputError
from elasticache_autoscaler.kinds.base import CacheKindOps, KindRules, Seen
from elasticache_autoscaler.kinds.replication_group import GroupRules, ReplicationGroups
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import WorkflowRequest

if TYPE_CHECKING:
    from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
    from elasticache_autoscaler.workflow.observe import ObserveDeps


def _memcached_rules() -> KindRules:
    from elasticache_autoscaler.kinds.memcached import MemcachedRules

    return MemcachedRules()


def _serverless_rules() -> KindRules:
    from elasticache_autoscaler.kinds.serverless import ServerlessRules

    return ServerlessRules()


RULES: dict[CacheKind, Callable[[], KindRules]] = {
    CacheKind.REPLICATION_GROUP: GroupRules,
    CacheKind.MEMCACHED: _memcached_rules,
    CacheKind.SERVERLESS: _serverless_rules,
}
"""Each kind's rules, made (and its module imported) on first use by ``rules_for``."""


@cache
def rules_for(kind: CacheKind) -> KindRules:
    rules = RULES[kind]()
    assert rules.kind == kind, (rules.kind, kind)
    return rules


@dataclass(frozen=True)
class Registry:
    kinds: Sequence[CacheKindOps]

    def of(self, kind: CacheKind) -> CacheKindOps:
        for ops in self.kinds:
            if ops.kind == kind:
                return ops
        raise ActionFailedError(f"this function is not wired for {rules_for(kind).noun}s")

    def nouns(self) -> str:
        """ "replication group, Memcached cluster or Serverless cache"."""
        nouns = [ops.noun for ops in self.kinds]
        return nouns[0] if len(nouns) == 1 else f"{', '.join(nouns[:-1])} or {nouns[-1]}"

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> tuple[CacheKindOps, str] | None:
        """The kind and the id of the cache an alarm's dimensions name (each kind asked in turn)."""
        for ops in self.kinds:
            cache_id = ops.cache_of_alarm(dimensions)
            if cache_id is not None:
                return ops, cache_id
        return None

    def observe(
        self, request: WorkflowRequest, deps: "ObserveDeps", now: datetime
    ) -> tuple[CacheKindOps, Seen]:
        """Observe the cache the request names, in its kind (looked up when the request names none);
        InvalidInputError when the kind does not take the request (nothing is changed)."""
        if request.kind is not None:
            ops = self.of(request.kind)
            _refuse(ops, request)
            return ops, ops.observe(request.cluster, deps, now)
        for ops in self.kinds:
            try:
                seen = ops.observe(request.cluster, deps, now)
            except ClusterNotFoundError:
                continue
            _refuse(ops, request)
            return ops, seen
        raise ClusterNotFoundError(f"{request.cluster!r} is no {self.nouns()}")


def _refuse(ops: KindRules, request: WorkflowRequest) -> None:
    refusal = ops.refusal(request)
    if refusal is not None:
        raise InvalidInputError(f"invalid workflow input for {request.cluster!r}: {refusal}")


def registry_for(elasticache: "ElastiCacheGateway", others: Sequence[CacheKindOps]) -> Registry:
    """Replication groups (through ``elasticache``) and the other kinds the function was given."""
    return Registry((ReplicationGroups(elasticache), *others))
