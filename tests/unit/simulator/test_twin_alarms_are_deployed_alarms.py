"""The twin's alarms and the ones reconcile deploys come from the same definitions (``alarms``), so the
bench simulates exactly what is deployed (issue 13 part 1)."""

import pytest

from elasticache_autoscaler.alarms import Signal, desired_alarms
from elasticache_autoscaler.models.policy import Policy, Targets
from elasticache_autoscaler_cli.simulator.alarms import Comparison, policy_alarms
from elasticache_autoscaler_cli.simulator.baselines.autoscaler import AutoscalerController
from tests.fakes.adapters import topology

POLICIES = [
    Policy(),
    Policy(targets=Targets(memory_percent=80, write_cpu_percent=45, read_cpu_percent=70), tolerance=0.2),
    Policy(targets=Targets(connections_per_node=20_000), tolerance=0.0),
]


@pytest.mark.parametrize("policy", POLICIES)
def test_each_twin_alarm_is_a_deployed_alarm_with_the_same_threshold_and_m_of_n(policy: Policy) -> None:
    # Given a group of one primary and one replica under the policy
    deployed = {
        alarm.definition.signal.value: alarm.put_request("stack")
        for alarm in desired_alarms(topology("orders", shards=1, replicas=1), policy, "ecas-")
    }

    # When the twin builds its alarms for the same policy
    twin = {alarm.spec.name: alarm.spec for alarm, _ in policy_alarms(policy)}

    # Then each signal has one alarm in both, with the same threshold, comparison, M of N and period
    assert set(twin) == set(deployed) == {s.value for s in Signal}
    for signal, spec in twin.items():
        put = deployed[signal]
        assert spec.threshold == put["Threshold"]
        assert spec.comparison is Comparison(put["ComparisonOperator"])
        assert spec.evaluation_periods == put["EvaluationPeriods"]
        assert spec.datapoints_to_alarm == put["DatapointsToAlarm"]
        assert spec.period_minutes * 60 == put["Period"]


def test_the_bench_controller_uses_the_deployed_definitions() -> None:
    policy = Policy(targets=Targets(write_cpu_percent=45), tolerance=0.2)
    controller = AutoscalerController(policy)
    write = next(alarm.spec for alarm, _ in controller.alarms if alarm.spec.name == Signal.WRITE_CPU.value)
    assert write.threshold == pytest.approx(45 * 1.2)
