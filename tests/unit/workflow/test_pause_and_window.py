"""The pause tag and the metrics window that observe reads."""

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.workflow import Execution, ObserveInput
from elasticache_autoscaler.workflow.observe import ObserveDeps, _window_minutes, observe, window_minutes
from tests.fakes.adapters import FakeElastiCache, FakeMetrics, FakePolicies
from tests.unit.workflow.conftest import NOW


def test_the_pause_tag_pauses_the_cluster(
    deps: ObserveDeps, elasticache: FakeElastiCache, execution: Execution
) -> None:
    elasticache.group_tags["orders"]["elasticache-autoscaler:paused"] = "true"
    observation = observe(ObserveInput(input={"cluster": "orders"}, execution=execution), deps, NOW)
    assert deps.store.get(observation.stored).snapshot.guards.paused is True


def test_without_the_tag_the_cluster_is_not_paused(deps: ObserveDeps, execution: Execution) -> None:
    observation = observe(ObserveInput(input={"cluster": "orders"}, execution=execution), deps, NOW)
    assert deps.store.get(observation.stored).snapshot.guards.paused is False


def test_the_window_covers_the_policys_stabilization_window_and_cloudwatchs_lag() -> None:
    """The window read is the longest the policy reads plus 5 minutes: CloudWatch's latest 1-3 minutes are
    not published yet, and a rule that needs every minute of its window filled must still find them."""
    assert _window_minutes(None) == 60
    assert _window_minutes(Policy()) == 125  # the default scale-in lookback, 2 h
    assert _window_minutes(Policy(scale_in_stabilization_seconds=9000)) == 155
    assert _window_minutes(Policy(scale_in_stabilization_seconds=7201)) == 126
    # Memcached and Serverless policies stabilise over an hour by default: 65 minutes read, not 60.
    assert window_minutes(3600) == 65
    assert window_minutes(600) == 60


def test_observe_reads_the_metrics_over_the_window_of_the_policy_it_read(
    deps: ObserveDeps, policies: FakePolicies, execution: Execution
) -> None:
    """The metrics are read beside the group's member reads, yet over the window of the policy read with the
    group (``concurrent_reads.meanwhile``), not a default one."""
    policies.policy = Policy(scale_in_stabilization_seconds=9000)
    observe(ObserveInput(input={"cluster": "orders"}, execution=execution), deps, NOW)
    policies.error = "not a policy"  # an invalid policy: the default window
    observe(ObserveInput(input={"cluster": "orders"}, execution=execution), deps, NOW)
    assert isinstance(deps.metrics, FakeMetrics)
    assert deps.metrics.windows == [155, 60]
