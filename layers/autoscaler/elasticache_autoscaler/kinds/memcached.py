"""A Memcached cluster: add or remove nodes, change the node type (``engine.memcached`` rules,
``engine.memcached_requests`` for an operator's request, ``adapters.memcached`` calls)."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.kind_metrics import MemcachedMetricsPort
from elasticache_autoscaler.adapters.memcached import MemcachedGateway
from elasticache_autoscaler.adapters.policy_store import Policies
from elasticache_autoscaler.alarms_kinds import KindAlarm, memcached_alarms
from elasticache_autoscaler.engine.memcached import Recent, decide_memcached
from elasticache_autoscaler.engine.memcached_requests import memcached_request
from elasticache_autoscaler.errors import ActionFailedError, ClusterNotFoundError
from elasticache_autoscaler.kinds.acting import Reading, act_on_kind
from elasticache_autoscaler.kinds.base import Seen
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_kind import DecisionOfAnyKind
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_decision import MemcachedAction, MemcachedDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot
from elasticache_autoscaler.models.memcached import MemcachedCapacity
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
from elasticache_autoscaler.workflow.check_step import Reading as CheckReading
from elasticache_autoscaler.workflow.check_step import check_reading
from elasticache_autoscaler.workflow.observe import (
    guards_now,
    policy_or_error,
    refuse_unmanaged,
    window_minutes,
)

if TYPE_CHECKING:
    from elasticache_autoscaler.workflow.act_step import ActDeps
    from elasticache_autoscaler.workflow.observe import ObserveDeps

ACTIONS = frozenset(
    {
        RequestedAction.EVALUATE,
        RequestedAction.ADD_NODES,
        RequestedAction.REMOVE_NODES,
        RequestedAction.SCALE_UP,
        RequestedAction.SCALE_DOWN,
    }
)


def recent(history: History) -> Recent:
    """When the cluster last grew and last shrank, from the decisions that may have changed it."""
    changed = [p for p in history if p.may_have_changed_cluster]
    outs = [p.settled_at for p in changed if p.action.is_scale_out]
    ins = [p.settled_at for p in changed if p.action.is_scale_in]
    return Recent(last_scale_out_at=max(outs, default=None), last_scale_in_at=max(ins, default=None))


class MemcachedRules:
    kind = CacheKind.MEMCACHED
    noun = "Memcached cluster"

    def refusal(self, request: WorkflowRequest) -> str | None:
        if request.action not in ACTIONS:
            listed = ", ".join(sorted(a.value for a in ACTIONS))
            return f"{request.action.value} is not an action of a {self.noun} ({listed})"
        if (
            request.action in {RequestedAction.SCALE_UP, RequestedAction.SCALE_DOWN}
            and request.target is None
        ):
            return (
                f"{request.action.value} of a {self.noun} needs a target node type, such as cache.m7g.large"
            )
        return None

    def summarize(self, detail: ObservationDetail) -> ObservationSummary | KindSummary:
        snapshot = _own(detail)
        return KindSummary(
            kind=self.kind,
            taken_at=snapshot.taken_at,
            status=snapshot.cluster.status,
            capacity=snapshot.cluster.capacity.describe(),
            metric_series=len(snapshot.metrics.series),
            history=len(detail.history),
        )

    def decide(self, observation: Observation, detail: ObservationDetail, now: datetime) -> DecisionOfAnyKind:
        snapshot = _own(detail)
        policy = observation.policy
        cluster = snapshot.cluster
        if not isinstance(policy, MemcachedPolicy):
            error = observation.policy_error or "not a Memcached cluster's policy"
            return MemcachedDecision(
                action=MemcachedAction.NONE,
                current=cluster.capacity,
                target=cluster.capacity,
                reasons=(f"policy is invalid: {error}",),
                blocked_by=BlockedBy.INVALID_POLICY.because(error),
            )
        request = observation.request
        asked = request.action.action
        if asked is None:
            decision = decide_memcached(
                cluster,
                snapshot.metrics,
                policy,
                guards=snapshot.guards,
                recent=recent(detail.history),
                now=now,
            )
        else:
            decision = memcached_request(
                cluster,
                policy,
                asked,
                request.target,
                guards=snapshot.guards,
                history=detail.history,
                now=now,
            )
        action = Action(decision.action.value)
        return decision.model_copy(
            update={
                "dry_run": policy.mode == "observe" or (asked is not None and request.dry_run),
                "approval_required": action in policy.approval_required,
            }
        )


class MemcachedClustersKind(MemcachedRules):
    def __init__(self, gateway: MemcachedGateway, metrics: MemcachedMetricsPort) -> None:
        self._gateway = gateway
        self._metrics = metrics

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        try:
            cluster, tags = self._gateway.read_cluster_and_tags(cache_id)
        except ValueError:  # a Valkey/Redis cache cluster (a replication group's member): not this kind
            raise ClusterNotFoundError(f"cache cluster {cache_id!r} is not a Memcached cluster") from None
        refuse_unmanaged(self.noun, cache_id, tags, deps)
        policy, error = policy_or_error(lambda: deps.policies.kind_policy_for(cache_id, MemcachedPolicy))
        seconds = (
            None
            if policy is None
            else max(policy.scale_in_stabilization_seconds, policy.scale_out_evaluation_seconds)
        )
        metrics = self._metrics.read_memcached(cluster, now, window_minutes(seconds))
        guards = guards_now(cache_id, tags, deps, now)
        return MemcachedSnapshot(taken_at=now, cluster=cluster, metrics=metrics, guards=guards), policy, error

    def act(self, request: ActRequest, deps: "ActDeps", now: datetime) -> ActResult:
        decision, policy = request.decision, request.policy
        if not isinstance(decision, MemcachedDecision) or not isinstance(policy, MemcachedPolicy):
            raise ActionFailedError(f"{request.cluster}: not a Memcached cluster's decision and policy")
        read = {}

        def reading() -> Reading:
            cluster, tags = self._gateway.read_cluster_and_tags(request.cluster)
            read["cluster"] = cluster
            return Reading(cluster.capacity, cluster.not_quiescent_because(), tags)

        def call() -> str:
            cluster, target = read["cluster"], decision.target
            if target.node_type != cluster.node_type:
                return self._gateway.set_node_type(
                    request.cluster, target.node_type, policy.scale_config, cluster
                )
            return self._gateway.set_node_count(request.cluster, target.nodes, cluster)

        return act_on_kind(request, decision, policy, deps, now, read=reading, call=call)

    def check(self, request: CheckRequest, now: datetime) -> CheckResult:
        def read() -> CheckReading:
            cluster = self._gateway.read_cluster(request.cluster)
            return cluster.capacity, cluster.not_quiescent_because()

        return check_reading(request, read, now, _fewer_nodes)

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        """A ``CacheClusterId`` that is a Memcached cluster (a replication group's member is not)."""
        cluster_id = dimensions.get("CacheClusterId")
        if cluster_id is None:
            return None
        try:
            return self._gateway.read_cluster(cluster_id).cluster_id
        except (ClusterNotFoundError, ValueError):
            return None

    def desired_alarms(
        self, cache_id: str, policies: Policies, prefix: str, tag_key: str
    ) -> tuple[KindAlarm, ...]:
        try:
            cluster, tags = self._gateway.read_cluster_and_tags(cache_id)
        except ValueError:  # a replication group's member: not this kind
            raise ClusterNotFoundError(f"cache cluster {cache_id!r} is not a Memcached cluster") from None
        if tags.get(tag_key) != "true":
            return ()
        return memcached_alarms(cluster, policies.kind_policy_for(cache_id, MemcachedPolicy), prefix)

    def managed_state(self, cache_id: str, tag_key: str) -> str | None:
        try:
            _, tags = self._gateway.read_cluster_and_tags(cache_id)
        except (ClusterNotFoundError, ValueError):
            return "cluster does not exist"
        return None if tags.get(tag_key) == "true" else "cluster is not managed"


def _fewer_nodes(current: object, target: object) -> bool:
    return (
        isinstance(current, MemcachedCapacity)
        and isinstance(target, MemcachedCapacity)
        and target.nodes < current.nodes
    )


def _own(detail: ObservationDetail) -> MemcachedSnapshot:
    if not isinstance(detail.snapshot, MemcachedSnapshot):
        raise TypeError(f"not a Memcached cluster's snapshot: {detail.snapshot.kind}")
    return detail.snapshot
