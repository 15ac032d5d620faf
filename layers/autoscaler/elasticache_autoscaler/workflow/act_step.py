"""Act: re-read the group, refuse unless it is quiescent, then make ONE call with an absolute target."""

from datetime import datetime

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.errors import ActionFailedError, GroupBusyError
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.record import Outcome
from elasticache_autoscaler.models.workflow import ActRequest, ActResult
from elasticache_autoscaler.timestamps import iso


def act(request: ActRequest, elasticache: ElastiCacheGateway, log: DecisionLogPort, now: datetime) -> ActResult:
    topology = elasticache.read_topology(request.cluster)
    busy = topology.not_quiescent_because()
    if busy is not None:
        raise GroupBusyError(f"{request.cluster}: {busy}")
    decision = request.decision
    log.advance(request.record, Outcome(status="in_progress", started_at=iso(now)))
    match decision.action:
        case Action.ADD_REPLICAS | Action.REMOVE_REPLICAS:
            operation = elasticache.set_replica_count(request.cluster, decision.target.replicas_per_shard)
        case _:
            raise ActionFailedError(f"action {decision.action.value} is not supported yet")
    return ActResult(operation=operation, started_at=now)
