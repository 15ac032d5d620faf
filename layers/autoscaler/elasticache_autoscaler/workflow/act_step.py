"""Act: holding the lock, re-read the group once and re-check every guard, then make ONE call with an
absolute target.

An approval wait can last days, so nothing Observe read is trusted here. The group, the state table and
the decision log are read once, together (``concurrent_reads``: one round of reads, not eight in a row);
then, in this order, immediately before the call:

* the managed tag (a direct Invoke of this function for an unmanaged group is refused the same way, and
  takes no lock);
* the lock is renewed for this execution (``owner``); held by another: ``skipped`` (lock_not_held);
* pause (the ``PausedTagKey`` tag and the state-table switch), circuit breaker, quiescence: the engine's
  ``standing_guard``; cooldown: the engine's ``cooldown_guard`` over the decision log (this decision
  excluded);
* the group still is what the decision saw: its capacity equals ``decision.current`` (equal to the target:
  ``already_there``, no call; anything else: ``skipped``, topology_changed).

Any refusal is an ``ActResult`` with ``skipped=True`` and a typed ``SkipReason``: never a call, never a
failure, never counted toward the breaker (the workflow records it ``skipped``).

A retry of this step (Step Functions retries it after a busy answer, a throttled call or a lost answer)
finds its record ``in_progress``: if the group is then not quiescent it may be our own change running, so it
raises ``GroupBusyError`` (wait and re-read) instead of skipping; the capacity check then finds the target
reached (``already_there``) rather than calling twice.

Outcomes of the call (the adapter maps ElastiCache's answers): already there (``NoOperationFault``,
"Nothing to do"): success; busy (``InvalidReplicationGroupState``): ``GroupBusyError``; throttled:
``ThrottledError`` (not applied; retried by the workflow, exhausted: skipped); no answer / 5xx:
``CallOutcomeUnknownError`` (retried by the workflow, which re-reads first); anything else, or an action
this flow does not run: ``ActionFailedError``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, assert_never

from elasticache_autoscaler import concurrent_reads
from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.elasticache import ALREADY_THERE_RESULT, ElastiCacheGateway
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.engine.guards import cooldown_guard, standing_guard
from elasticache_autoscaler.errors import ActionFailedError, GroupBusyError
from elasticache_autoscaler.models.act import ActRequest, ActResult, SkipReason
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy, Decision
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.snapshot import Guards, Metrics, Snapshot, Topology
from elasticache_autoscaler.observability import logger
from elasticache_autoscaler.timestamps import iso
from elasticache_autoscaler.workflow import lock_step, outcomes

if TYPE_CHECKING:
    from elasticache_autoscaler.kinds.base import CacheKindOps

HISTORY_DAYS = 2
NODE_TYPE_ACTIONS = frozenset({Action.SCALE_UP, Action.SCALE_DOWN})
"""The actions that need ListAllowedNodeTypeModifications (``_refuse_unless_allowed``); Act reads the node
types a group may go to only for them (one ElastiCache call fewer on every other action)."""
BLOCKED_TO_SKIP = {
    # a guard re-checked at the moment of acting, as the skip it records (every kind)
    BlockedBy.PAUSED: SkipReason.PAUSED,
    BlockedBy.CIRCUIT_OPEN: SkipReason.CIRCUIT_OPEN,
    BlockedBy.NOT_QUIESCENT: SkipReason.NOT_QUIESCENT,
    BlockedBy.COOLDOWN: SkipReason.COOLDOWN,
}


@dataclass(frozen=True)
class ActDeps:
    elasticache: ElastiCacheGateway
    log: DecisionLogPort
    state: StatePort
    managed_tag_key: str
    paused_tag_key: str
    lease_seconds: int
    other_kinds: "tuple[CacheKindOps, ...]" = ()
    """The kinds of cache besides replication groups (whose gateway is ``elasticache``)."""


@dataclass(frozen=True)
class GroupActRequest:
    """An ``ActRequest`` for a replication group: its decision and policy are a replication group's."""

    cluster: str
    decision: Decision
    record: RecordKey
    owner: str
    policy: Policy
    check_only: bool

    @classmethod
    def of(cls, request: ActRequest) -> "GroupActRequest":
        decision, policy = request.decision, request.policy
        if not isinstance(decision, Decision) or not isinstance(policy, Policy):
            raise ActionFailedError(f"{request.cluster}: not a replication group's decision and policy")
        return cls(request.cluster, decision, request.record, request.owner, policy, request.check_only)


def lease_for(request: GroupActRequest, floor: int) -> int:
    """The lease Act takes: the action timeout for a change; for a rotation, both of its waits for the group
    plus its grace period (renewed by nobody while the rotation workflow runs), plus ten minutes."""
    policy = request.policy
    if request.decision.action.is_rotation:
        return max(floor, 2 * policy.action_timeout_seconds + policy.rotation.grace_period_seconds + 600)
    return max(floor, policy.action_timeout_seconds)


def act(request: ActRequest, deps: ActDeps, now: datetime) -> ActResult:
    """The kind of the decision acts (``kinds``); a replication group's is ``act_on_group``."""
    from elasticache_autoscaler.kinds.registry import registry_for  # noqa: PLC0415 - kinds import this module

    return registry_for(deps.elasticache, deps.other_kinds).of(request.decision.kind).act(request, deps, now)


def act_on_group(group_request: ActRequest, deps: ActDeps, now: datetime) -> ActResult:
    request = GroupActRequest.of(group_request)
    decision = request.decision
    _refuse_unless_runnable(decision, rotation_gate=request.check_only)
    # The one read of the group and the tables' reads, sent together (``concurrent_reads``); every check
    # below runs on them, in this order, before the one call.
    (topology, tags), tables = concurrent_reads.both(
        lambda: deps.elasticache.read_topology_and_tags(
            request.cluster, node_types=decision.action in NODE_TYPE_ACTIONS
        ),
        lambda: _tables_now(request, deps, now),
    )
    refusal = _tag_then_lock(request, deps, tags, now)
    if refusal is not None:
        return _skip(request, now, *refusal)
    retry = outcomes.is_started(tables.record)
    busy = topology.not_quiescent_because()
    if retry and busy is not None:
        # Our own earlier attempt may have been applied: wait for it, never skip or call over it.
        raise GroupBusyError(f"{request.cluster}: {busy}")
    paused_by_tag = tags.get(deps.paused_tag_key) == "true"
    refusal = _guard_refusal(request, tables, topology, now, paused_by_tag=paused_by_tag)
    refusal = refusal or _topology_refusal(decision, topology)
    if refusal is not None:
        return _skip(request, now, *refusal)
    if request.check_only:
        return ActResult(outcome="ready", operation="none", started_at=now)
    observed = topology.capacity
    _refuse_unless_allowed(decision, topology)
    if not retry:
        deps.log.advance(request.record, outcomes.started(now))
    if observed == decision.target:
        return ActResult(outcome="already_there", operation=ALREADY_THERE_RESULT, started_at=now)
    operation = _dispatch(request.cluster, decision, deps.elasticache, topology)
    outcome = "already_there" if operation == ALREADY_THERE_RESULT else "called"
    return ActResult(outcome=outcome, operation=operation, started_at=now)


def _tag_then_lock(
    request: GroupActRequest, deps: ActDeps, tags: dict[str, str], now: datetime
) -> tuple[SkipReason, str] | None:
    """Unmanaged: refused, and no lock is taken for it; then renew our lock (held by another: refused).
    The group was read before the renewal, but only the lock's owner changes it through this product, and
    the call follows only if the renewal proves that owner is this execution."""
    if tags.get(deps.managed_tag_key) != "true":
        return SkipReason.NOT_MANAGED, f"not tagged {deps.managed_tag_key}=true: not managed"
    holder = lock_step.renew(
        deps.state, request.cluster, request.owner, now, lease_for(request, deps.lease_seconds)
    )
    if holder is not None:
        return SkipReason.LOCK_NOT_HELD, f"lock held by {holder}"
    return None


def _topology_refusal(decision: Decision, topology: Topology) -> tuple[SkipReason, str] | None:
    """The group must still be what the decision saw (or already what it wants)."""
    if decision.action.is_rotation:
        return None
    observed = topology.capacity
    if observed in (decision.current, decision.target):
        return None
    return (
        SkipReason.TOPOLOGY_CHANGED,
        f"the group is {observed.describe()}, the decision saw {decision.current.describe()}",
    )


class _Tables(NamedTuple):
    """What the state table and the decision log say at the moment of acting."""

    record: dict[str, Any] | None
    guards: Guards
    history: History


def _tables_now(request: GroupActRequest, deps: ActDeps, now: datetime) -> _Tables:
    """This decision's record, the guards (our own lock is not a reason to stop) and the decisions that
    went on to act: only those (in progress or settled) can have changed the group; a concurrent
    execution's decision that is merely planned has not (the lock and the topology check cover it), and
    counting it would let two executions each stop the other. The three reads are sent together
    (``concurrent_reads``), and the lock is not read: this step renews it right after."""
    record, (guards, recent) = concurrent_reads.both(
        lambda: deps.log.get(request.record),
        lambda: concurrent_reads.both(
            lambda: deps.state.guards(request.cluster, now, lock=False),
            lambda: deps.log.recent(request.cluster, now - timedelta(days=HISTORY_DAYS)),
        ),
    )
    history = tuple(
        past
        for past in recent
        if iso(past.decided_at) != request.record.decided_at and past.status != outcomes.PLANNED
    )
    return _Tables(record, guards, history)


def _guard_refusal(
    request: GroupActRequest, tables: _Tables, topology: Topology, now: datetime, *, paused_by_tag: bool
) -> tuple[SkipReason, str] | None:
    """The engine's own guards, on what is true now (paused also when the group carries the paused tag)."""
    guards = tables.guards.model_copy(update={"paused": True}) if paused_by_tag else tables.guards
    snapshot = Snapshot(taken_at=now, topology=topology, metrics=Metrics(window_end=now), guards=guards)
    for check in (
        standing_guard(snapshot, request.policy),
        cooldown_guard(request.decision.action, tables.history, request.policy, now),
    ):
        if check.blocked_by is not None:
            blocked = check.blocked_by
            return BLOCKED_TO_SKIP.get(blocked.code, SkipReason.NOT_QUIESCENT), blocked.detail
    return None


def _skip(request: GroupActRequest | ActRequest, now: datetime, skip: SkipReason, detail: str) -> ActResult:
    reason = f"{skip.value}: {detail} (checked at the moment of acting: no call made)"
    logger.info("act skipped", cluster=request.cluster, skip=skip.value, reason=reason)
    return ActResult(
        outcome="skipped", operation="none", started_at=now, skipped=True, skip=skip, reason=reason
    )


def _dispatch(cluster: str, decision: Decision, elasticache: ElastiCacheGateway, topology: Topology) -> str:
    """The one call, built on the topology this step has just read (no second read)."""
    target = decision.target
    match decision.action:
        case Action.ADD_REPLICAS | Action.REMOVE_REPLICAS:
            return elasticache.set_replica_count(cluster, target.replicas_per_shard, topology)
        case Action.ADD_SHARDS | Action.REMOVE_SHARDS:
            return elasticache.set_shard_count(cluster, target.shards, removal_order(decision), topology)
        case Action.SCALE_UP | Action.SCALE_DOWN:
            return elasticache.set_node_type(cluster, target.node_type, topology)
        case Action.NONE | Action.ROTATE_AUTH_TOKEN | Action.ROTATE_USER_PASSWORD:
            raise ActionFailedError(f"action {decision.action.value} is not run by the scaling workflow")
        case (
            Action.ADD_NODES
            | Action.REMOVE_NODES
            | Action.RAISE_LIMITS
            | Action.LOWER_LIMITS
            | Action.SET_MINIMUMS
        ):  # listed, not guarded: mypy proves the match exhaustive
            raise ActionFailedError(f"action {decision.action.value} is not an action of a replication group")
        case _:
            assert_never(decision.action)


def removal_order(decision: Decision) -> dict[str, float]:
    """The engine's choice of shards to remove (``shards_to_remove``, emptiest first) as the adapter's
    ``shard_memory`` ranking: lower goes first. ActRequest carries no metrics; the engine ranked the
    shards by memory from the snapshot, so its order is the memory order. Shards the engine did not name
    (or that no longer exist) fall back to the adapter's rule: highest shard id first."""
    return {shard_id: float(rank) for rank, shard_id in enumerate(decision.shards_to_remove)}


def _refuse_unless_runnable(decision: Decision, *, rotation_gate: bool = False) -> None:
    if rotation_gate and not decision.action.is_rotation:
        raise ActionFailedError(f"checkOnly is the gate of a rotation, not of {decision.action.value}")
    if decision.action.is_rotation and not rotation_gate:
        raise ActionFailedError(f"action {decision.action.value} belongs to the credential rotation flow")
    if decision.action is Action.NONE:
        raise ActionFailedError("decision changes nothing: action none")
    if decision.blocked_by is not None:
        raise ActionFailedError(f"decision is blocked: {decision.blocked_by}")
    if decision.dry_run:
        raise ActionFailedError("decision is a dry run: recorded, never executed")


def _refuse_unless_allowed(decision: Decision, topology: Topology) -> None:
    """A node type change only to a type ListAllowedNodeTypeModifications lists in that direction."""
    wanted = decision.target.node_type
    if decision.action is Action.SCALE_UP and wanted != topology.node_type:
        allowed = topology.allowed_scale_up
    elif decision.action is Action.SCALE_DOWN and wanted != topology.node_type:
        allowed = topology.allowed_scale_down
    else:
        return
    if wanted not in allowed:
        raise ActionFailedError(
            f"{topology.replication_group_id}: {decision.action.value} {topology.node_type} -> {wanted} "
            f"is not allowed (ListAllowedNodeTypeModifications: {', '.join(allowed) or 'none'})"
        )
