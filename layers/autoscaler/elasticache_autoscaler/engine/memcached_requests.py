"""An operator's request for a Memcached cluster (from the console), checked against the same bounds and
guards as the rules' own decisions: outside the policy is ``out_of_policy``, the decision keeps the asked
action with ``target`` = current and never executes.

``add_nodes``/``remove_nodes`` take an absolute node count (no target: one node); ``scale_up``/``scale_down``
take a node type (required: new Memcached nodes start empty, the operator names the type)."""

from datetime import datetime

from elasticache_autoscaler.engine.costs import hourly_cost
from elasticache_autoscaler.engine.guards import cooldown_guard, kind_standing_guard
from elasticache_autoscaler.engine.memcached import PRICE_ENGINE
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_decision import MemcachedAction, MemcachedDecision
from elasticache_autoscaler.models.kind_policy import MEMCACHED_MAX_NODES, MemcachedPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity, MemcachedCluster
from elasticache_autoscaler.models.policy import size_rank
from elasticache_autoscaler.models.snapshot import Guards


def _node_count(
    cluster: MemcachedCluster, policy: MemcachedPolicy, action: MemcachedAction, target: int | None
) -> tuple[MemcachedCapacity, Blocked | None, str]:
    current = cluster.capacity
    growing = action is MemcachedAction.ADD_NODES
    wanted = target if target is not None else current.nodes + (1 if growing else -1)
    lowest, highest = policy.min_nodes, min(policy.max_nodes, MEMCACHED_MAX_NODES)
    if (growing and wanted <= current.nodes) or (not growing and wanted >= current.nodes):
        detail = f"{wanted} node(s) is not {'more' if growing else 'fewer'} than the {current.nodes} it has"
        return current, BlockedBy.OUT_OF_POLICY.because(detail), detail
    if not lowest <= wanted <= highest:
        detail = f"{wanted} node(s) is outside minNodes..maxNodes {lowest}..{highest}"
        return current, BlockedBy.OUT_OF_POLICY.because(detail), detail
    return current.model_copy(update={"nodes": wanted}), None, f"{current.nodes} -> {wanted} node(s)"


def _node_type(
    cluster: MemcachedCluster, policy: MemcachedPolicy, action: MemcachedAction, target: str
) -> tuple[MemcachedCapacity, Blocked | None, str]:
    current = cluster.capacity
    here, there = size_rank(cluster.node_type), size_rank(target)
    up = action is MemcachedAction.SCALE_UP
    if here is None or there is None or (there <= here if up else there >= here):
        detail = f"{target} is not a {'larger' if up else 'smaller'} node type than {cluster.node_type}"
        return current, BlockedBy.OUT_OF_POLICY.because(detail), detail
    if not policy.node_types.allows(target, cluster.node_type):
        detail = f"{target} is not allowed by the policy's nodeTypes"
        return current, BlockedBy.OUT_OF_POLICY.because(detail), detail
    if not cluster.supports_online_vertical_scaling:
        detail = f"Memcached {cluster.engine_version} cannot change node type in place (from 1.5)"
        return current, BlockedBy.UNSUPPORTED.because(detail), detail
    return current.model_copy(update={"node_type": target}), None, f"{cluster.node_type} -> {target}"


def memcached_request(
    cluster: MemcachedCluster,
    policy: MemcachedPolicy,
    action: Action,
    target: int | str | None,
    *,
    guards: Guards,
    history: History,
    now: datetime,
) -> MemcachedDecision:
    """The decision for an operator's ``action`` (one of a Memcached cluster's) with its ``target``."""
    asked = MemcachedAction(action.value)
    guard = kind_standing_guard(guards, cluster.not_quiescent_because(), policy.circuit_breaker_failures)
    if asked in {MemcachedAction.ADD_NODES, MemcachedAction.REMOVE_NODES}:
        count = target if isinstance(target, int) else None
        wanted, refusal, detail = _node_count(cluster, policy, asked, count)
    else:
        wanted, refusal, detail = _node_type(cluster, policy, asked, str(target))
    cooldown = cooldown_guard(action, history, policy, now)
    reasons = (guard.reason, f"operator asked for {asked.value}: {detail}", cooldown.reason)
    blocked = guard.blocked_by or refusal or cooldown.blocked_by
    removed = (
        cluster.newest_nodes(cluster.node_count - wanted.nodes) if wanted.nodes < cluster.node_count else ()
    )
    current = cluster.capacity
    return MemcachedDecision(
        action=asked,
        current=current,
        target=wanted if blocked is None else current,
        reasons=reasons,
        blocked_by=blocked,
        cost_per_hour_before=hourly_cost(PRICE_ENGINE, current.node_type, current.nodes),
        cost_per_hour_after=hourly_cost(PRICE_ENGINE, wanted.node_type, wanted.nodes),
        nodes_to_remove=removed if blocked is None else (),
        cold_miss_fraction=round(len(removed) / current.nodes, 4) if removed and blocked is None else 0.0,
        requested_by_operator=True,
    )
