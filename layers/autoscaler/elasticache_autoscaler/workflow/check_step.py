"""Check: is the change finished? Done only when the group, every shard and every member are available,
nothing is pending and the topology matches the target (a group can say available while a member creates).

Abandoned: ElastiCache gives up a change that does not fit (typically a scale-in whose data does not fit
the smaller cluster) and puts the group back to ``available`` with its old size. Act's call turns the group
``modifying`` in the call's own answer and the first Check runs a wait interval later, so a quiescent group
whose capacity equals the decision's ``current`` (and differs from the target) had started and gone back:
``done=False, abandoned=True``, ``waiting_for`` says why, and the workflow records a failure instead of
waiting for the timeout.
"""

from datetime import datetime

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.workflow import CheckRequest, CheckResult


def check(request: CheckRequest, elasticache: ElastiCacheGateway, now: datetime) -> CheckResult:
    topology = elasticache.read_topology(request.cluster)
    observed = Capacity(
        node_type=topology.node_type,
        shards=topology.shard_count,
        replicas_per_shard=topology.replicas_per_shard,
    )
    elapsed = (now - request.started_at).total_seconds()
    waiting_for = topology.not_quiescent_because()
    abandoned = False
    if waiting_for is None and observed != request.target:
        if request.current is not None and observed == request.current:
            abandoned = True
            kind = "scale-in" if _is_scale_in(request.current, request.target) else "change"
            waiting_for = (
                f"ElastiCache abandoned the {kind}: the group is available again with its old capacity "
                f"{observed.describe()}, target {request.target.describe()}"
            )
        else:
            waiting_for = f"topology is {observed.describe()}, target {request.target.describe()}"
    return CheckResult(
        done=waiting_for is None,
        timed_out=waiting_for is not None and not abandoned and elapsed >= request.timeout_seconds,
        elapsed_seconds=elapsed,
        observed=observed,
        waiting_for=waiting_for,
        abandoned=abandoned,
    )


def _is_scale_in(current: Capacity, target: Capacity) -> bool:
    """Fewer shards or replicas (a node type change is named a "change": Capacity carries no size)."""
    return target.shards < current.shards or target.replicas_per_shard < current.replicas_per_shard
