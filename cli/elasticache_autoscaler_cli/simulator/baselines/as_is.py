"""The group as it is today, never changed: what a backtest compares the autoscaler against."""

from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace
from elasticache_autoscaler_cli.simulator.physics import Physics
from elasticache_autoscaler_cli.simulator.twin import ClusterView, Proposal, initial_capacity


class AsIsController:
    name = "as-is"

    def start(self, spec: ClusterSpec, trace: Trace, physics: Physics) -> Capacity:
        return initial_capacity(spec)

    def step(self, view: ClusterView) -> Proposal | None:
        return None
