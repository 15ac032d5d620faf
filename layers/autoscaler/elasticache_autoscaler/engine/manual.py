"""An operator's explicit request from the console, checked against the same bounds as automatic ones.

A request outside the policy is refused (``out_of_policy``) and one the group cannot do is
``unsupported``: the decision keeps the asked action, ``target`` = current, and never executes. No target
means one step: replicas or shards +/- 1, the next node size.
"""

from dataclasses import dataclass
from typing import assert_never

from elasticache_autoscaler.catalog import NodeType
from elasticache_autoscaler.engine.node_type_choice import allowed_candidates
from elasticache_autoscaler.engine.outcome import Plan, RuleOutcome
from elasticache_autoscaler.engine.rotation import rotation_unsupported_because
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.policy import size_rank
from elasticache_autoscaler.models.snapshot import MetricName


@dataclass(frozen=True, slots=True)
class OperatorRequest:
    """What the workflow's input asks of the engine: an action (``NONE``: evaluate, the engine chooses) and,
    optionally, an absolute target; ``dry_run`` records without acting, whatever the policy's mode."""

    action: Action
    target: int | str | None = None
    dry_run: bool = False


def _refuse(sit: Situation, action: Action, code: BlockedBy, detail: str) -> RuleOutcome:
    return RuleOutcome(
        (f"operator asked for {action.value}: refused, {detail}",),
        Plan(action, sit.current),
        code.because(detail),
    )


def _accept(action: Action, plan: Plan, detail: str) -> RuleOutcome:
    return RuleOutcome((f"operator asked for {action.value}: {detail}",), plan)


def _already(action: Action, detail: str) -> RuleOutcome:
    return RuleOutcome((f"operator asked for {action.value}: already {detail}, nothing to do",))


def _count(request: OperatorRequest, current: int) -> int | str:
    """The asked absolute count, or why the target is unusable."""
    target = request.target
    if target is None:
        return current + (1 if request.action.is_scale_out else -1)
    if isinstance(target, bool) or not isinstance(target, int):
        return f"target must be a whole number for {request.action.value}"
    return target


def _first_problem(checks: list[tuple[bool, str]]) -> str | None:
    return next((problem for failed, problem in checks if failed), None)


def _replicas(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    action, current = request.action, sit.current.replicas_per_shard
    wanted = _count(request, current)
    if isinstance(wanted, str):
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, wanted)
    if wanted == current:
        return _already(action, f"at {current} replicas per shard")
    step = sit.policy.max_step.replicas
    problem = _first_problem(
        [
            (
                (action is Action.ADD_REPLICAS) != (wanted > current),
                f"target {wanted} is not a {action.value} from {current}",
            ),
            (wanted > sit.max_replicas, f"{wanted} replicas per shard is above max {sit.max_replicas}"),
            (
                wanted < sit.replica_floor,
                f"{wanted} replicas per shard is below the {sit.replica_floor_reason()}",
            ),
            (
                abs(wanted - current) > step,
                f"a step of {abs(wanted - current)} exceeds maxStep.replicas {step}",
            ),
        ]
    )
    if problem is not None:
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, problem)
    target = sit.current.model_copy(update={"replicas_per_shard": wanted})
    return _accept(action, Plan(action, target), f"replicas {current} -> {wanted} per shard")


def _emptiest_shards(sit: Situation, count: int) -> tuple[str, ...]:
    """The ``count`` shards holding the least data now (shards without data last, then by id)."""
    latest = {
        shard: values[-1]
        for shard, values in sit.snapshot.metrics.values(MetricName.MEMORY).items()
        if values
    }
    ids = [shard.shard_id for shard in sit.topology.shards]
    ranked = sorted(ids, key=lambda shard: (shard not in latest, latest.get(shard, 0.0), shard))
    return tuple(ranked[:count])


def _shards(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    action, policy, current = request.action, sit.policy, sit.current.shards
    if not sit.topology.cluster_mode_enabled:
        return _refuse(sit, action, BlockedBy.UNSUPPORTED, "cluster mode is disabled: one shard only")
    wanted = _count(request, current)
    if isinstance(wanted, str):
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, wanted)
    if wanted == current:
        return _already(action, f"at {current} shards")
    memory = sit.signals.memory_max_percent
    step = policy.max_step.shards
    problem = _first_problem(
        [
            (
                (action is Action.ADD_SHARDS) != (wanted > current),
                f"target {wanted} is not a {action.value} from {current}",
            ),
            (
                not policy.min_shards <= wanted <= policy.max_shards,
                f"{wanted} shards is outside [{policy.min_shards}, {policy.max_shards}]",
            ),
            (
                abs(wanted - current) > step,
                f"a step of {abs(wanted - current)} exceeds maxStep.shards {step}",
            ),
            (
                0 < wanted < current and memory is not None and memory * current / wanted >= 100,
                f"the data would not fit in {wanted} shards",
            ),
        ]
    )
    if problem is not None:
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, problem)
    target = sit.current.model_copy(update={"shards": wanted})
    remove = _emptiest_shards(sit, current - wanted) if action is Action.REMOVE_SHARDS else ()
    return _accept(action, Plan(action, target, shards_to_remove=remove), f"shards {current} -> {wanted}")


def _next_size(node: NodeType, candidates: list[NodeType], up: bool) -> NodeType | None:
    """One rung up (or down) the size ladder, same family first, else the cheapest such type."""
    here = size_rank(node.name) or 0

    def distance(candidate: NodeType) -> int:
        rank = size_rank(candidate.name) or 0
        return rank - here if up else here - rank

    ahead = [candidate for candidate in candidates if distance(candidate) > 0]
    if not ahead:
        return None
    nearest = min(distance(candidate) for candidate in ahead)
    closest = [candidate for candidate in ahead if distance(candidate) == nearest]
    return min(closest, key=lambda c: (c.family != node.family, c.price_hour_redis_usd, c.name))


def _chosen_node_type(sit: Situation, request: OperatorRequest, node: NodeType) -> NodeType | str:
    """The node type asked for (or one size up/down), or why it is refused."""
    up = request.action is Action.SCALE_UP
    listed = sit.topology.allowed_scale_up if up else sit.topology.allowed_scale_down
    candidates = allowed_candidates(node, listed, sit.policy)
    target = request.target
    if target is None:
        chosen = _next_size(node, candidates, up)
        return chosen or f"no allowed node type one size {'above' if up else 'below'} {node.name}"
    if not isinstance(target, str):
        return f"target must be a node type for {request.action.value}"
    matches = [candidate for candidate in candidates if candidate.name == target]
    if matches:
        return matches[0]
    return (
        f"{target} is not an allowed {'larger' if up else 'smaller'} type (ElastiCache's list, "
        f"the policy's node type rules and maxStep.nodeSizes {sit.policy.max_step.node_sizes})"
    )


def _node_type(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    action, current = request.action, sit.current.node_type
    if sit.node is None:
        return _refuse(
            sit, action, BlockedBy.UNSUPPORTED, f"node type {current} is not in the node type catalog"
        )
    if request.target == current:
        return _already(action, f"on {current}")
    chosen = _chosen_node_type(sit, request, sit.node)
    if isinstance(chosen, str):
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, chosen)
    memory = sit.signals.memory_max_percent
    shrinking = action is Action.SCALE_DOWN
    if shrinking and memory is not None and memory * sit.node.maxmemory_gib / chosen.maxmemory_gib >= 100:
        return _refuse(sit, action, BlockedBy.OUT_OF_POLICY, f"the data would not fit in {chosen.name}")
    plan = Plan(action, sit.current.model_copy(update={"node_type": chosen.name}))
    return _accept(action, plan, f"node type {current} -> {chosen.name}")


def _rotate_token(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    if request.target is not None:
        return _refuse(sit, request.action, BlockedBy.OUT_OF_POLICY, "rotation takes no target")
    unsupported = rotation_unsupported_because(sit)
    if unsupported is not None:
        return _refuse(sit, request.action, BlockedBy.UNSUPPORTED, unsupported)
    return _accept(request.action, Plan(request.action, sit.current), "rotate the AUTH token")


def _rotate_user(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    if request.target is not None:
        return _refuse(sit, request.action, BlockedBy.OUT_OF_POLICY, "rotation takes no target")
    if not sit.topology.user_group_ids:
        return _refuse(sit, request.action, BlockedBy.UNSUPPORTED, "the group has no RBAC user group")
    if not sit.policy.rotation.users:
        return _refuse(sit, request.action, BlockedBy.OUT_OF_POLICY, "no rotation.users in policy")
    return _accept(request.action, Plan(request.action, sit.current), "rotate RBAC user passwords")


def plan_request(sit: Situation, request: OperatorRequest) -> RuleOutcome:
    action = request.action
    match action:
        case Action.ADD_REPLICAS | Action.REMOVE_REPLICAS:
            return _replicas(sit, request)
        case Action.ADD_SHARDS | Action.REMOVE_SHARDS:
            return _shards(sit, request)
        case Action.SCALE_UP | Action.SCALE_DOWN:
            return _node_type(sit, request)
        case Action.ROTATE_AUTH_TOKEN:
            return _rotate_token(sit, request)
        case Action.ROTATE_USER_PASSWORD:
            return _rotate_user(sit, request)
        case Action.NONE:
            outcome = RuleOutcome(("operator asked for none: nothing to do",))
        case (
            Action.ADD_NODES
            | Action.REMOVE_NODES
            | Action.RAISE_LIMITS
            | Action.LOWER_LIMITS
            | Action.SET_MINIMUMS
        ):  # listed, not guarded: mypy proves the match exhaustive
            outcome = _refuse(
                sit, action, BlockedBy.UNSUPPORTED, f"{action.value} is not an action of a replication group"
            )
        case _:
            assert_never(action)
    return outcome
