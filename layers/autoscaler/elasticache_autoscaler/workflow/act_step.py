"""Act: re-read the group, refuse unless it is quiescent, then make ONE call with an absolute target.

Outcomes of the call (the adapter maps ElastiCache's answers):

* the group already has the target (no call needed, ``NoOperationFault``, "Nothing to do"): success, the
  result's ``operation`` is ``"already there"``;
* the group, a shard or a member is busy (here, or ``InvalidReplicationGroupState`` from the call):
  ``GroupBusyError``. The state machine retries the whole step with backoff, so the group is re-read
  before any new call; nothing is retried in here (ElastiCache's change APIs have no idempotency token);
* throttling: retried inside the call by botocore's standard retry mode (``adapters.aws.RETRIES``);
* anything else, or an action this flow does not run: ``ActionFailedError``.
"""

from datetime import datetime
from typing import assert_never

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.errors import ActionFailedError, GroupBusyError
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Decision
from elasticache_autoscaler.models.record import Outcome
from elasticache_autoscaler.models.snapshot import Topology
from elasticache_autoscaler.models.workflow import ActRequest, ActResult
from elasticache_autoscaler.timestamps import iso


def act(
    request: ActRequest, elasticache: ElastiCacheGateway, log: DecisionLogPort, now: datetime
) -> ActResult:
    decision = request.decision
    _refuse_unless_runnable(decision)
    topology = elasticache.read_topology(request.cluster)
    busy = topology.not_quiescent_because()
    if busy is not None:
        raise GroupBusyError(f"{request.cluster}: {busy}")
    _refuse_unless_allowed(decision, topology)
    record = log.get(request.record)
    if record is None or record.get("status") != "in_progress":
        # A retry after a busy answer from the call finds its record already in progress.
        log.advance(request.record, Outcome(status="in_progress", started_at=iso(now)))
    return ActResult(operation=_dispatch(request.cluster, decision, elasticache, topology), started_at=now)


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
        case _:
            assert_never(decision.action)


def removal_order(decision: Decision) -> dict[str, float]:
    """The engine's choice of shards to remove (``shards_to_remove``, emptiest first) as the adapter's
    ``shard_memory`` ranking: lower goes first. ActRequest carries no metrics; the engine ranked the
    shards by memory from the snapshot, so its order is the memory order. Shards the engine did not name
    (or that no longer exist) fall back to the adapter's rule: highest shard id first."""
    return {shard_id: float(rank) for rank, shard_id in enumerate(decision.shards_to_remove)}


def _refuse_unless_runnable(decision: Decision) -> None:
    if decision.action.is_rotation:
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
