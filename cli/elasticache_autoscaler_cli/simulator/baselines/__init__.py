"""The policies the benchmark compares: ours and the alternatives a user would pick instead."""

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.simulator.baselines.app_autoscaling import AppAutoScalingController
from elasticache_autoscaler_cli.simulator.baselines.as_is import AsIsController
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import AutoscalerController
from elasticache_autoscaler_cli.simulator.baselines.hpa import HpaController
from elasticache_autoscaler_cli.simulator.baselines.static_peak import StaticPeakController
from elasticache_autoscaler_cli.simulator.twin import Controller

POLICIES = ("autoscaler", "app-autoscaling", "app-autoscaling@75", "static-peak", "hpa", "as-is")
OUR_MEMORY_TARGET = 75.0


def controller(name: str, policy: Policy | None = None) -> Controller:
    """A fresh controller for ``name``; ``policy`` sets the targets and bounds (ours: the whole policy)."""
    match name:
        case "autoscaler":
            return AutoscalerController(policy)
        case "app-autoscaling":
            return AppAutoScalingController(policy)
        case "app-autoscaling@75":
            return AppAutoScalingController(policy, highest_target=OUR_MEMORY_TARGET)
        case "as-is":
            return AsIsController()
        case "static-peak":
            return StaticPeakController(policy)
        case "hpa":
            return HpaController(policy)
    raise ValueError(f"unknown policy {name!r}: one of {', '.join(POLICIES)}")
