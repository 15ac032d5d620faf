"""What every kind of cache provides to the shared workflow: ``KindRules`` (pure: which requests it takes,
its summary, its decision) and ``CacheKindOps`` (its I/O: observe, act, check, find). Observe, Decide, Act,
Check and the triggers dispatch through ``registry``; nothing else branches on the kind."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.models.any_kind import AnyPolicy, AnySnapshot, DecisionOfAnyKind
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
from elasticache_autoscaler.models.workflow import (
    KindSummary,
    Observation,
    ObservationDetail,
    ObservationSummary,
)

if TYPE_CHECKING:  # (act and check: Decide loads this module, and never acts or checks)
    from elasticache_autoscaler.adapters.policy_store import Policies
    from elasticache_autoscaler.alarms_kinds import KindAlarm
    from elasticache_autoscaler.models.act import ActRequest, ActResult
    from elasticache_autoscaler.models.check import CheckRequest, CheckResult
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps

Seen = tuple[AnySnapshot, AnyPolicy | None, str | None]
"""What Observe read of a cache: its snapshot, its policy (None when invalid) and why it is invalid."""


def not_an_action(request: WorkflowRequest, actions: frozenset[RequestedAction], noun: str) -> str | None:
    """Why a kind whose actions are ``actions`` refuses ``request`` (another kind's action), or None."""
    if request.action in actions:
        return None
    listed = ", ".join(sorted(a.value for a in actions))
    return f"{request.action.value} is not an action of a {noun} ({listed})"


class KindRules(Protocol):
    @property
    def kind(self) -> CacheKind: ...

    @property
    def noun(self) -> str:
        """How people call one ("replication group", "Memcached cluster")."""
        ...

    def refusal(self, request: WorkflowRequest) -> str | None:
        """Why this kind does not take ``request`` (an action of another kind, a wrong target), or None."""
        ...

    def summarize(self, detail: ObservationDetail) -> ObservationSummary | KindSummary: ...

    def decide(self, observation: Observation, detail: ObservationDetail, now: datetime) -> DecisionOfAnyKind:
        """The decision (pure), whatever the policy: an invalid policy is a decision that changes nothing."""
        ...


class CacheKindOps(KindRules, Protocol):
    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        """Read the cache, its tags (unmanaged: ClusterNotManagedError), policy, metrics and guards.
        ClusterNotFoundError when no cache of this kind has the id."""
        ...

    def act(self, request: "ActRequest", deps: "ActDeps", now: datetime) -> "ActResult": ...

    def check(self, request: "CheckRequest", now: datetime) -> "CheckResult": ...

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        """The id of the cache of this kind an alarm's metric dimensions name, or None."""
        ...

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        """None when the cache exists and carries ``tag_key=true``; otherwise why it is not ours."""
        ...


class AlarmedKind(CacheKindOps, Protocol):
    """A kind whose alarms reconcile keeps (a replication group's are ``workflow.reconcile``'s own)."""

    def desired_alarms(
        self, cache_id: str, policies: "Policies", prefix: str, tag_key: str
    ) -> "tuple[KindAlarm, ...]":
        """The alarms the cache should have (none when untagged); ClusterNotFoundError when no cache of
        this kind has the id; InvalidPolicyError when its policy does not validate."""
        ...
