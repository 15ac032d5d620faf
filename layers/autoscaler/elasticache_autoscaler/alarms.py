"""The CloudWatch alarms the stack owns for a managed group: one definition per scale-out signal, from policy.

The single source of both what ``reconcile`` deploys and what the simulator's twin evaluates (the twin
builds its ``AlarmSpec`` from ``signal_alarms``), so the bench simulates the alarms that are deployed.

Hot-shard aware by construction: **one alarm per node and signal**, each on the node's own metric
(``CacheClusterId`` + ``CacheNodeId``), so the group is "in alarm" as soon as its hottest node is — a max
over nodes, never an average. Chosen over a metric-math ``MAX`` because a metric-math alarm holds at most
10 metrics (9 nodes and the expression), so a large group would need the nodes split over several alarms
anyway, and because one alarm per node keeps the alarm's own dimensions, which ``on_alarm`` maps to the
group (``group_of_member``). The price: a node costs 6 alarms (7 when its role is unknown).

Which nodes a signal watches: write CPU the primaries, read CPU the replicas (``EngineCPUUtilization``
by role); a node whose role DescribeReplicationGroups does not give (cluster mode enabled) gets both, so it
is watched whatever its role. Every other signal watches every node. Thresholds and M-of-N: the policy's
target x (1 + tolerance), 2 of 3 one-minute datapoints; evictions and network allowance: above 0, 1 of 1.

``signals_dashboard``: what the owned alarms watch, drawn against each group's threshold (reconcile keeps
the dashboard ``<stack>-signals`` in line with the alarms).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Member, MetricName, Role, Topology

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

NAMESPACE = "AWS/ElastiCache"
OWNER_TAG_KEY = "elasticache-autoscaler:owner"
NAME_SEPARATOR = "."
"""Between group, member and signal in an alarm's name: never part of a group or cluster id."""
PERIOD_SECONDS = 60
HIGH_EVALUATION_PERIODS = 3
HIGH_DATAPOINTS_TO_ALARM = 2


Statistic = Literal["Maximum", "Sum"]
Comparison = Literal["GreaterThanThreshold"]


class Signal(StrEnum):
    MEMORY = "memory"
    EVICTIONS = "evictions"
    WRITE_CPU = "write-cpu"
    READ_CPU = "read-cpu"
    CONNECTIONS = "connections"
    NETWORK_IN = "network-in-allowance"
    NETWORK_OUT = "network-out-allowance"


@dataclass(frozen=True, slots=True)
class SignalAlarm:
    """One signal's alarm, whatever node it is put on: what the twin evaluates and reconcile deploys."""

    signal: Signal
    metric: MetricName
    statistic: Statistic
    threshold: float
    comparison: Comparison
    evaluation_periods: int
    datapoints_to_alarm: int
    roles: frozenset[Role]
    period_seconds: int = PERIOD_SECONDS

    def watches(self, member: Member) -> bool:
        return member.role is Role.UNKNOWN or member.role in self.roles


_EVERY_ROLE = frozenset(Role)


def signal_alarms(policy: Policy) -> tuple[SignalAlarm, ...]:
    """The policy's alarms, one per scale-out signal."""
    above = 1 + policy.tolerance
    targets = policy.targets

    def high(signal: Signal, metric: MetricName, target: float, roles: frozenset[Role]) -> SignalAlarm:
        return SignalAlarm(
            signal,
            metric,
            "Maximum",
            round(target * above, 6),
            "GreaterThanThreshold",
            HIGH_EVALUATION_PERIODS,
            HIGH_DATAPOINTS_TO_ALARM,
            roles,
        )

    def any_above_zero(signal: Signal, metric: MetricName) -> SignalAlarm:
        return SignalAlarm(signal, metric, "Sum", 0.0, "GreaterThanThreshold", 1, 1, _EVERY_ROLE)

    return (
        high(Signal.MEMORY, MetricName.MEMORY, targets.memory_percent, _EVERY_ROLE),
        any_above_zero(Signal.EVICTIONS, MetricName.EVICTIONS),
        high(Signal.WRITE_CPU, MetricName.ENGINE_CPU, targets.write_cpu_percent, frozenset({Role.PRIMARY})),
        high(Signal.READ_CPU, MetricName.ENGINE_CPU, targets.read_cpu_percent, frozenset({Role.REPLICA})),
        high(Signal.CONNECTIONS, MetricName.CONNECTIONS, targets.connections_per_node, _EVERY_ROLE),
        any_above_zero(Signal.NETWORK_IN, MetricName.NETWORK_IN_EXCEEDED),
        any_above_zero(Signal.NETWORK_OUT, MetricName.NETWORK_OUT_EXCEEDED),
    )


@dataclass(frozen=True, slots=True)
class OwnedAlarm:
    """One deployed alarm: a signal's alarm on one node of one group."""

    name: str
    group: str
    member: str
    definition: SignalAlarm

    def configuration(self) -> dict[str, object]:
        """The fields DescribeAlarms answers that reconcile compares (and sets) to tell it is up to date."""
        spec = self.definition
        return {
            "Namespace": NAMESPACE,
            "MetricName": spec.metric.value,
            "Dimensions": [
                {"Name": "CacheClusterId", "Value": self.member},
                {"Name": "CacheNodeId", "Value": "0001"},
            ],
            "Statistic": spec.statistic,
            "Period": spec.period_seconds,
            "EvaluationPeriods": spec.evaluation_periods,
            "DatapointsToAlarm": spec.datapoints_to_alarm,
            "Threshold": spec.threshold,
            "ComparisonOperator": spec.comparison,
            "TreatMissingData": "missing",
        }

    def put_request(self, owner: str) -> "PutMetricAlarmInputTypeDef":
        spec = self.definition
        return {
            "AlarmName": self.name,
            "AlarmDescription": (
                f"elasticache-autoscaler ({owner}): {spec.signal.value} of {self.member} in {self.group}; "
                "kept in line with the group's policy by reconcile - do not edit"
            ),
            **self.configuration(),  # type: ignore[typeddict-item]  # the same fields, compared by reconcile
            # The EventBridge rule on the prefix is the alarm's action: no SNS action is needed.
            "ActionsEnabled": True,
            "Tags": [{"Key": OWNER_TAG_KEY, "Value": owner}],
        }


def group_prefix(prefix: str, group: str) -> str:
    """The name prefix of every alarm of ``group`` (DescribeAlarms' ``AlarmNamePrefix``)."""
    return f"{prefix}{group}{NAME_SEPARATOR}"


def group_of_alarm(prefix: str, alarm_name: str) -> str | None:
    """The group an alarm's name says it belongs to, or None when the name is not one of ours."""
    if not alarm_name.startswith(prefix):
        return None
    parts = alarm_name[len(prefix) :].split(NAME_SEPARATOR)
    return parts[0] if len(parts) == 3 and parts[0] else None


def desired_alarms(topology: Topology, policy: Policy, prefix: str) -> tuple[OwnedAlarm, ...]:
    """Every alarm ``group`` should have under ``policy``: each signal on each node it watches."""
    definitions = signal_alarms(policy)
    group = topology.replication_group_id
    return tuple(
        OwnedAlarm(
            name=NAME_SEPARATOR.join((f"{prefix}{group}", member.cluster_id, spec.signal.value)),
            group=group,
            member=member.cluster_id,
            definition=spec,
        )
        for shard in topology.shards
        for member in shard.members
        for spec in definitions
        if spec.watches(member)
    )


MAX_LINES_PER_WIDGET = 500
"""CloudWatch's limit of metrics per graph widget: a fleet larger than that shows its first nodes only."""


def signals_dashboard(alarms: "Iterable[OwnedAlarm]", region: str) -> dict[str, object]:
    """The dashboard body of the managed groups' signals: one widget per signal, one line per node it
    watches, and each group's threshold as a horizontal annotation (what its owned alarm compares to)."""
    by_signal: dict[Signal, list[OwnedAlarm]] = {signal: [] for signal in Signal}
    for alarm in alarms:
        by_signal[alarm.definition.signal].append(alarm)
    widgets: list[dict[str, object]] = []
    for index, (signal, owned) in enumerate(by_signal.items()):
        lines = sorted(owned, key=lambda a: a.name)[:MAX_LINES_PER_WIDGET]
        thresholds = sorted({(a.group, a.definition.threshold) for a in lines})
        widgets.append(
            {
                "type": "metric",
                "x": 12 * (index % 2),
                "y": 6 * (index // 2),
                "width": 12,
                "height": 6,
                "properties": {
                    "title": f"{signal.value} (max per node) against each group's threshold",
                    "region": region,
                    "view": "timeSeries",
                    "period": PERIOD_SECONDS,
                    "metrics": [
                        [
                            NAMESPACE,
                            a.definition.metric.value,
                            "CacheClusterId",
                            a.member,
                            "CacheNodeId",
                            "0001",
                            {"stat": a.definition.statistic, "label": a.member},
                        ]
                        for a in lines
                    ],
                    "annotations": {
                        "horizontal": [
                            {"label": f"{group} alarm threshold", "value": threshold}
                            for group, threshold in thresholds
                        ]
                    },
                },
            }
        )
    return {"widgets": widgets}
