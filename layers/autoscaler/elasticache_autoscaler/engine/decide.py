"""First, simple decision rule (placeholder until the full engine lands): read CPU high -> add a replica."""

from dataclasses import dataclass
from datetime import datetime

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import MetricName, Role, Snapshot


@dataclass(frozen=True, slots=True)
class OperatorRequest:
    """An operator's explicit ask from the console: an action and, optionally, an absolute target."""

    action: Action
    target: int | str | None = None


def decide(
    snapshot: Snapshot,
    policy: Policy,
    history: History,
    now: datetime,
    request: OperatorRequest | None = None,
) -> Decision:
    topology = snapshot.topology
    current = Capacity(
        node_type=topology.node_type, shards=topology.shard_count, replicas_per_shard=topology.replicas_per_shard
    )
    if request is not None and request.action is Action.ADD_REPLICAS:
        wanted = request.target if isinstance(request.target, int) else current.replicas_per_shard + 1
        target = current.model_copy(update={"replicas_per_shard": wanted})
        return Decision(
            action=Action.ADD_REPLICAS,
            current=current,
            target=target,
            reasons=("operator asked for add_replicas",),
            requested_by_operator=True,
        )
    read_cpu = snapshot.metrics.values(MetricName.ENGINE_CPU, Role.REPLICA)
    peak = max((max(v) for v in read_cpu.values() if v), default=None)
    if peak is not None and peak > policy.targets.read_cpu_percent * (1 + policy.tolerance):
        return Decision(
            action=Action.ADD_REPLICAS,
            current=current,
            target=current.model_copy(update={"replicas_per_shard": current.replicas_per_shard + 1}),
            reasons=(f"replica engine CPU {peak:.1f}% is above target {policy.targets.read_cpu_percent}%",),
            signals={"readCpuMax": peak},
        )
    return Decision(
        action=Action.NONE,
        current=current,
        target=current,
        reasons=("no signal above its target",),
        signals={"readCpuMax": peak},
    )
