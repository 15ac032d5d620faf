"""What a Memcached cluster and a Serverless cache do alike, each on its own snapshot, policy, decision and
cache (``kinds.memcached``, ``kinds.serverless`` fill in the rest): summarize, decide on an invalid policy,
act through ``kinds.acting``, check through ``workflow.check_step``, want their alarms, say whether they are
managed. A replication group's are ``workflow``'s own (``kinds.replication_group``)."""

from abc import ABC, abstractmethod
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.policy_store import Policies
from elasticache_autoscaler.alarms_kinds import KindAlarm
from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError
from elasticache_autoscaler.kinds.acting import Reading, act_on_kind
from elasticache_autoscaler.kinds.base import not_an_action
from elasticache_autoscaler.models.act import ActRequest, ActResult
from elasticache_autoscaler.models.any_kind import AnyCapacity, DecisionOfAnyKind
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.check import CheckRequest, CheckResult
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot, ServerlessSnapshot
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
from elasticache_autoscaler.models.serverless import ServerlessCache
from elasticache_autoscaler.models.workflow import (  # kinds.base's protocols' types: implemented here
    KindSummary,
    Observation,
    ObservationDetail,
    ObservationSummary,
)
from elasticache_autoscaler.workflow.check_step import Reading as CheckReading
from elasticache_autoscaler.workflow.check_step import check_reading
from elasticache_autoscaler.workflow.observe import policy_or_error, refuse_unmanaged

if TYPE_CHECKING:
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps


class OneCacheRules[
    S: (MemcachedSnapshot, ServerlessSnapshot),
    P: (MemcachedPolicy, ServerlessPolicy),
    D: (MemcachedDecision, ServerlessDecision),
](ABC):
    """A kind's pure rules (``kinds.base.KindRules``), given its types and its own decision."""

    kind: CacheKind
    noun: str
    actions: frozenset[RequestedAction]
    snapshot_type: type[S]
    policy_type: type[P]
    decision_type: type[D]

    def refusal(self, request: WorkflowRequest) -> str | None:
        return not_an_action(request, self.actions, self.noun)

    def summarize(self, detail: ObservationDetail) -> ObservationSummary | KindSummary:
        snapshot = self.own(detail)
        status, capacity, metric_series = self.described(snapshot)
        return KindSummary(
            kind=self.kind,
            taken_at=snapshot.taken_at,
            status=status,
            capacity=capacity,
            metric_series=metric_series,
            history=len(detail.history),
        )

    def decide(self, observation: Observation, detail: ObservationDetail, now: datetime) -> DecisionOfAnyKind:
        snapshot, policy = self.own(detail), observation.policy
        if not isinstance(policy, self.policy_type):
            error = observation.policy_error or f"not a {self.noun}'s policy"
            blocked = BlockedBy.INVALID_POLICY.because(error)
            return self.unchanged(snapshot, f"policy is invalid: {error}", blocked)
        return self.decide_on(snapshot, policy, observation, detail, now)

    def own(self, detail: ObservationDetail) -> S:
        if not isinstance(detail.snapshot, self.snapshot_type):
            raise TypeError(f"not a {self.noun}'s snapshot: {detail.snapshot.kind}")
        return detail.snapshot

    @abstractmethod
    def described(self, snapshot: S) -> tuple[str, str, int]:
        """The cache's status, its capacity in words and how many metric series Observe read."""

    @abstractmethod
    def unchanged(self, snapshot: S, reason: str, blocked: Blocked) -> D:
        """The decision that leaves the cache as it is, blocked."""

    @abstractmethod
    def decide_on(
        self, snapshot: S, policy: P, observation: Observation, detail: ObservationDetail, now: datetime
    ) -> D:
        """The decision under a valid policy (the rules, or an operator's request)."""


class OneCacheKind[
    S: (MemcachedSnapshot, ServerlessSnapshot),
    P: (MemcachedPolicy, ServerlessPolicy),
    D: (MemcachedDecision, ServerlessDecision),
    C: (MemcachedCluster, ServerlessCache),
](OneCacheRules[S, P, D]):
    """A kind's I/O (``kinds.base.CacheKindOps``), given how to read its cache and make its one call."""

    def policy_of(
        self, cache_id: str, tags: dict[str, str], deps: "ObserveDeps"
    ) -> tuple[P | None, str | None]:
        """Observe's first steps once the cache is read: refuse it unmanaged, then its policy or why not."""
        refuse_unmanaged(self.noun, cache_id, tags, deps)
        return policy_or_error(lambda: deps.policies.kind_policy_for(cache_id, self.policy_type))

    def act(self, request: ActRequest, deps: "ActDeps", now: datetime) -> ActResult:
        decision, policy = request.decision, request.policy
        if not isinstance(decision, self.decision_type) or not isinstance(policy, self.policy_type):
            raise ActionFailedError(f"{request.cluster}: not a {self.noun}'s decision and policy")
        read: dict[str, C] = {}

        def reading() -> Reading:
            cache, tags = self.read_with_tags(request.cluster)
            read["cache"] = cache
            return Reading(self.capacity(cache), cache.not_quiescent_because(), tags)

        def call() -> str:
            return self.change(request.cluster, decision, policy, read["cache"])

        return act_on_kind(request, decision, policy, deps, now, read=reading, call=call)

    def check(self, request: CheckRequest, now: datetime) -> CheckResult:
        def read() -> CheckReading:
            cache = self.read(request.cluster)
            return self.capacity(cache), cache.not_quiescent_because()

        return check_reading(request, read, now, self.shrinks)

    def desired_alarms(
        self, cache_id: str, policies: Policies, prefix: str, tag_key: str
    ) -> tuple[KindAlarm, ...]:
        cache, tags = self.read_with_tags(cache_id)
        if tags.get(tag_key) != "true":
            return ()
        return self.alarms(cache, policies.kind_policy_for(cache_id, self.policy_type), prefix)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        try:
            _, tags = self.read_with_tags(cache_id)
        except ClusterNotFoundError:
            return "cluster does not exist"
        return None if tags.get(tag_key) == "true" else "cluster is not managed"

    @abstractmethod
    def read(self, cache_id: str) -> C:
        """The cache; ClusterNotFoundError when no cache of this kind has the id."""

    @abstractmethod
    def read_with_tags(self, cache_id: str) -> tuple[C, dict[str, str]]:
        """The cache and its tags; ClusterNotFoundError when no cache of this kind has the id."""

    @abstractmethod
    def capacity(self, cache: C) -> AnyCapacity: ...

    @abstractmethod
    def change(self, cache_id: str, decision: D, policy: P, cache: C) -> str:
        """The one call that takes ``cache`` (as just read) to the decision's target."""

    @abstractmethod
    def alarms(self, cache: C, policy: P, prefix: str) -> tuple[KindAlarm, ...]: ...

    @abstractmethod
    def shrinks(self, current: AnyCapacity, target: AnyCapacity) -> bool:
        """Whether going from ``current`` to ``target`` is a scale-in (Check's rule to abandon)."""
