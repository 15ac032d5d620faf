"""Check: is the change finished? Done only when the group, every shard and every member are available,
nothing is pending and the topology matches the target (a group can say available while a member creates)."""

from datetime import datetime

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.workflow import CheckRequest, CheckResult


def check(request: CheckRequest, elasticache: ElastiCacheGateway, now: datetime) -> CheckResult:
    topology = elasticache.read_topology(request.cluster)
    observed = Capacity(
        node_type=topology.node_type, shards=topology.shard_count, replicas_per_shard=topology.replicas_per_shard
    )
    elapsed = (now - request.started_at).total_seconds()
    waiting_for = topology.not_quiescent_because()
    if waiting_for is None and observed != request.target:
        waiting_for = f"topology is {observed.describe()}, target {request.target.describe()}"
    return CheckResult(
        done=waiting_for is None,
        timed_out=waiting_for is not None and elapsed >= request.timeout_seconds,
        elapsed_seconds=elapsed,
        observed=observed,
        waiting_for=waiting_for,
    )
