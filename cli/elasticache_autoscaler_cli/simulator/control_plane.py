"""What running each policy costs on top of the nodes: its own AWS bill over a simulated run.

Ours, priced with ``own_cost`` on the usage the system benchmark measured (docs/system-bench.md, table 3):
every scheduled evaluation (every 5 minutes, while the group changes too) and every alarm-driven one runs
Observe and Decide (4 state transitions, 2 Lambda invocations of ~102 ms at 256 MB, 2 WRU and 2.5 RRU) and
reads 9 metrics per node with GetMetricData; every change runs the Act path as well (23 transitions, 11
invocations, 9 WRU, 3.5 RRU, one SNS publish, with 4 check rounds measured on the emulator) plus one check
round of 3 transitions and one ~74 ms invocation per 30 s the change lasts; and ``reconcile`` keeps 6 alarms
per node (one per signal its role watches). Application Auto Scaling itself is free; its target tracking
policies keep 2 alarms each (3 policies on a cluster-mode-enabled group, none on a disabled one, which it does
not scale). The HPA baseline, static peak and as-is are not charged (no AWS service of their own).
"""

from elasticache_autoscaler_cli.own_cost import (
    CLOUDWATCH_ALARM_PER_HOUR,
    CLOUDWATCH_PER_METRIC_REQUESTED,
    Usage,
    check_loops_on_aws,
    usage_cost,
    with_check_loops,
)
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import AutoscalerController
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec
from elasticache_autoscaler_cli.simulator.result import ActionRecord, SimulationResult
from elasticache_autoscaler_cli.simulator.twin import Controller

SCHEDULE_MINUTES = 5
METRICS_PER_NODE = 9
OUR_ALARMS_PER_NODE = 6
AAS_ALARMS_CLUSTER_MODE_ENABLED = 3 * 2

# Usage measured by tools/system_bench.py (per execution), GetMetricData priced apart per node.
EVALUATE = Usage(transitions=4, lambda_durations_ms=(102.0, 102.0), dynamodb_wru=2, dynamodb_rru=2.5)
CHANGE = Usage(
    transitions=23, lambda_durations_ms=(77.8,) * 11, dynamodb_wru=9, dynamodb_rru=3.5, sns_publishes=1
)
MEASURED_CHECK_ROUNDS = 4
CHECK_MS = 74.0


def change_cost(action: ActionRecord) -> float:
    """An Act execution beyond the evaluation that called it, waiting out the change's minutes."""
    rounds = max(MEASURED_CHECK_ROUNDS, check_loops_on_aws(action.finished_minute - action.started_minute))
    waited = with_check_loops(CHANGE, MEASURED_CHECK_ROUNDS, rounds, CHECK_MS)
    return usage_cost(waited) - usage_cost(EVALUATE)


def our_cost(result: SimulationResult, alarm_minutes: list[int]) -> float:
    """Ours over the run: evaluations (on the schedule and after ``alarm_minutes``), changes, GetMetricData
    on every node and the per-node alarms."""
    nodes = result.series.nodes
    evaluated = [*range(SCHEDULE_MINUTES - 1, result.minutes, SCHEDULE_MINUTES), *alarm_minutes]
    metrics = METRICS_PER_NODE * sum(nodes[m] for m in evaluated)
    return float(
        len(evaluated) * usage_cost(EVALUATE)
        + metrics * CLOUDWATCH_PER_METRIC_REQUESTED
        + sum(change_cost(action) for action in result.actions)
        + OUR_ALARMS_PER_NODE * result.node_hours * CLOUDWATCH_ALARM_PER_HOUR
    )


def app_autoscaling_cost(result: SimulationResult, spec: ClusterSpec) -> float:
    alarms = AAS_ALARMS_CLUSTER_MODE_ENABLED if spec.cluster_mode_enabled else 0
    return alarms * result.minutes / 60 * CLOUDWATCH_ALARM_PER_HOUR


def control_plane_usd(controller: Controller, result: SimulationResult, spec: ClusterSpec) -> float:
    """The policy's own AWS cost over ``result``'s run (0 for a policy without one)."""
    if isinstance(controller, AutoscalerController):
        off_schedule = [m for m in controller.evaluations if (m + 1) % SCHEDULE_MINUTES]
        return our_cost(result, off_schedule)
    if controller.name.startswith("app-autoscaling"):
        return app_autoscaling_cost(result, spec)
    return 0.0
