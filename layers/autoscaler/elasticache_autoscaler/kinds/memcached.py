"""A Memcached cluster: add or remove nodes, change the node type (``engine.memcached`` rules,
``engine.memcached_requests`` for an operator's request, ``adapters.memcached`` calls)."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from elasticache_autoscaler.adapters.kind_metrics import MemcachedMetricsPort
from elasticache_autoscaler.adapters.memcached import MemcachedGateway
from elasticache_autoscaler.alarms_kinds import KindAlarm, memcached_alarms
from elasticache_autoscaler.engine.memcached import Recent, decide_memcached
from elasticache_autoscaler.engine.memcached_requests import memcached_request
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.kinds.base import Seen
from elasticache_autoscaler.kinds.one_cache import OneCacheKind, OneCacheRules
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_kind import AnyCapacity
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.decision import Blocked
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_decision import MemcachedAction, MemcachedDecision
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy
from elasticache_autoscaler.models.kind_snapshot import MemcachedSnapshot
from elasticache_autoscaler.models.memcached import MemcachedCapacity, MemcachedCluster
from elasticache_autoscaler.models.request import RequestedAction, WorkflowRequest
from elasticache_autoscaler.models.workflow import Observation, ObservationDetail
from elasticache_autoscaler.workflow.observe import guards_now, window_minutes

if TYPE_CHECKING:
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


class MemcachedRules(OneCacheRules[MemcachedSnapshot, MemcachedPolicy, MemcachedDecision]):
    kind = CacheKind.MEMCACHED
    noun = "Memcached cluster"
    actions = ACTIONS
    snapshot_type = MemcachedSnapshot
    policy_type = MemcachedPolicy
    decision_type = MemcachedDecision

    def refusal(self, request: WorkflowRequest) -> str | None:
        node_type = request.action in {RequestedAction.SCALE_UP, RequestedAction.SCALE_DOWN}
        if node_type and request.target is None:
            return (
                f"{request.action.value} of a {self.noun} needs a target node type, such as cache.m7g.large"
            )
        return super().refusal(request)

    def described(self, snapshot: MemcachedSnapshot) -> tuple[str, str, int]:
        cluster = snapshot.cluster
        return cluster.status, cluster.capacity.describe(), len(snapshot.metrics.series)

    def unchanged(self, snapshot: MemcachedSnapshot, reason: str, blocked: Blocked) -> MemcachedDecision:
        capacity = snapshot.cluster.capacity
        return MemcachedDecision(
            action=MemcachedAction.NONE,
            current=capacity,
            target=capacity,
            reasons=(reason,),
            blocked_by=blocked,
        )

    def decide_on(
        self,
        snapshot: MemcachedSnapshot,
        policy: MemcachedPolicy,
        observation: Observation,
        detail: ObservationDetail,
        now: datetime,
    ) -> MemcachedDecision:
        cluster, request = snapshot.cluster, observation.request
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


class MemcachedClustersKind(
    MemcachedRules, OneCacheKind[MemcachedSnapshot, MemcachedPolicy, MemcachedDecision, MemcachedCluster]
):
    def __init__(self, gateway: MemcachedGateway, metrics: MemcachedMetricsPort) -> None:
        self._gateway = gateway
        self._metrics = metrics

    def observe(self, cache_id: str, deps: "ObserveDeps", now: datetime) -> Seen:
        cluster, tags = self.read_with_tags(cache_id)
        policy, error = self.policy_of(cache_id, tags, deps)
        seconds = (
            None
            if policy is None
            else max(policy.scale_in_stabilization_seconds, policy.scale_out_evaluation_seconds)
        )
        metrics = self._metrics.read_memcached(cluster, now, window_minutes(seconds))
        guards = guards_now(cache_id, tags, deps, now)
        return MemcachedSnapshot(taken_at=now, cluster=cluster, metrics=metrics, guards=guards), policy, error

    def cache_of_alarm(self, dimensions: Mapping[str, str]) -> str | None:
        """A ``CacheClusterId`` that is a Memcached cluster (a replication group's member is not)."""
        cluster_id = dimensions.get("CacheClusterId")
        if cluster_id is None:
            return None
        try:
            return self._gateway.read_cluster(cluster_id).cluster_id
        except (ClusterNotFoundError, ValueError):
            return None

    def read(self, cache_id: str) -> MemcachedCluster:
        return self._gateway.read_cluster(cache_id)

    def read_with_tags(self, cache_id: str) -> tuple[MemcachedCluster, dict[str, str]]:
        try:
            return self._gateway.read_cluster_and_tags(cache_id)
        except ValueError:  # a Valkey/Redis cache cluster (a replication group's member): not this kind
            raise ClusterNotFoundError(f"cache cluster {cache_id!r} is not a Memcached cluster") from None

    def capacity(self, cache: MemcachedCluster) -> AnyCapacity:
        return cache.capacity

    def change(
        self, cache_id: str, decision: MemcachedDecision, policy: MemcachedPolicy, cache: MemcachedCluster
    ) -> str:
        target = decision.target
        if target.node_type != cache.node_type:
            return self._gateway.set_node_type(cache_id, target.node_type, policy.scale_config, cache)
        return self._gateway.set_node_count(cache_id, target.nodes, cache)

    def alarms(self, cache: MemcachedCluster, policy: MemcachedPolicy, prefix: str) -> tuple[KindAlarm, ...]:
        return memcached_alarms(cache, policy, prefix)

    def shrinks(self, current: AnyCapacity, target: AnyCapacity) -> bool:
        return (
            isinstance(current, MemcachedCapacity)
            and isinstance(target, MemcachedCapacity)
            and target.nodes < current.nodes
        )
