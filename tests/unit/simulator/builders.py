"""Small builders for simulator tests: flat traces, cluster specs and scripted controllers."""

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import Physics
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, initial_capacity


def flat_trace(
    minutes: int,
    *,
    reads: float = 0.0,
    writes: float = 0.0,
    dataset: float = 1.0,
    connections: int = 100,
    item: float = 8192.0,
) -> Trace:
    return Trace(
        minutes=tuple(range(minutes)),
        reads_per_s=(reads,) * minutes,
        writes_per_s=(writes,) * minutes,
        dataset_gib=(dataset,) * minutes,
        connections=(connections,) * minutes,
        avg_item_bytes=(item,) * minutes,
    )


def spec(
    *,
    node: str = "cache.r7g.large",
    shards: int = 2,
    replicas: int = 1,
    mode: str = "enabled",
    multi_az: bool = False,
    hot: float | None = None,
) -> ClusterSpec:
    return ClusterSpec.model_validate(
        {
            "engine": "valkey",
            "cluster_mode": mode,
            "node_type": node,
            "shards": shards,
            "replicas_per_shard": replicas,
            "multi_az": multi_az,
            "hot_shard_share": hot,
        }
    )


class Scripted:
    """Proposes the given capacities at the given minutes, and records whether the group was modifying."""

    name = "scripted"

    def __init__(self, plan: dict[int, Capacity]) -> None:
        self.plan = plan
        self.modifying: dict[int, bool] = {}

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        self.modifying[view.minute] = view.modifying
        target = self.plan.get(view.minute)
        return None if target is None else Proposal(target, "scripted")
