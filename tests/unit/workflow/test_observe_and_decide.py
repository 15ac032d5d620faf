"""Given a request, When observe and decide run, Then the decision is recorded with its mode and status."""

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from elasticache_autoscaler.adapters.observation_store import ObservationMismatchError
from elasticache_autoscaler.engine.decide import decide
from elasticache_autoscaler.errors import ClusterNotFoundError, ClusterNotManagedError, InvalidInputError
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Metrics, Role, Snapshot, Topology
from elasticache_autoscaler.models.workflow import (
    Decided,
    Execution,
    Observation,
    ObservationSummary,
    ObserveInput,
)
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from tests.fakes.adapters import FakeDecisionLog, FakeElastiCache, FakeMetrics, FakePolicies, topology
from tests.unit.workflow.conftest import NOW


def _observe(raw: dict[str, Any], deps: ObserveDeps, execution: Execution) -> Observation:
    return observe(ObserveInput(input=raw, execution=execution), deps, NOW)


def _decide(observation: Observation, deps: ObserveDeps, log: FakeDecisionLog) -> Decided:
    """Decide as its handler does: the full observation read back from the store Observe wrote to."""
    return decide_step(observation, DecideDeps(store=deps.store, log=log, retention_days=90), NOW)


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"cluster": "orders", "colour": "red"}, "colour: unknown field"),
        ({"cluster": "orders", "action": "explode"}, "action:"),
        ({"cluster": "orders", "action": "add_replicas", "target": "two"}, "target"),
        ({"cluster": "orders", "action": "scale_up", "target": 3}, "target"),
        ({"cluster": "orders", "action": "evaluate", "target": 3}, "target is not accepted"),
        ({"cluster": "orders", "dryRun": "maybe"}, "dryRun"),
        ({"action": "evaluate"}, "cluster: Field required"),
        ({"cluster": "bad id!"}, "cluster:"),
    ],
)
def test_bad_console_input_is_rejected_naming_the_field(
    raw: dict[str, Any], named: str, deps: ObserveDeps, execution: Execution, log: FakeDecisionLog
) -> None:
    with pytest.raises(InvalidInputError) as error:
        _observe(raw, deps, execution)
    assert named in str(error.value)
    assert log.items == {}


def test_an_unknown_cluster_is_rejected(deps: ObserveDeps, execution: Execution) -> None:
    with pytest.raises(ClusterNotFoundError, match="nope"):
        _observe({"cluster": "nope"}, deps, execution)


def test_an_unmanaged_cluster_is_rejected(deps: ObserveDeps, execution: Execution) -> None:
    with pytest.raises(ClusterNotManagedError, match="not tagged"):
        _observe({"cluster": "sessions"}, deps, execution)


def test_evaluate_in_observe_mode_records_a_skipped_decision(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog
) -> None:
    observation = _observe({"cluster": "orders", "action": "evaluate"}, deps, execution)
    decided = _decide(observation, deps, log)
    assert decided.live is False
    (item,) = log.items.values()
    assert item["cluster"] == "orders"
    assert item["mode"] == "observe"
    assert item["status"] == "skipped"
    assert item["trigger"] == "console"
    assert item["executionArn"] == execution.arn
    assert item["reasons"]
    assert item["current"] == {"nodeType": "cache.r7g.large", "shards": 1, "replicasPerShard": 1}
    assert item["expiresAt"] == int(NOW.timestamp()) + 90 * 86400


def test_a_dry_run_never_goes_live_even_in_act_mode(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog, policies: FakePolicies
) -> None:
    policies.policy = Policy(mode="act")
    observation = _observe({"cluster": "orders", "action": "add_replicas", "target": 2}, deps, execution)
    decided = _decide(observation, deps, log)
    assert decided.live is False
    assert decided.mode == "observe"


def test_a_live_request_in_act_mode_is_planned(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog, policies: FakePolicies
) -> None:
    policies.policy = Policy(mode="act")
    raw = {"cluster": "orders", "action": "add_replicas", "target": 2, "dryRun": False}
    decided = _decide(_observe(raw, deps, execution), deps, log)
    assert decided.live is True
    (item,) = log.items.values()
    assert (item["status"], item["mode"], item["action"]) == ("planned", "act", "add_replicas")
    assert item["target"]["replicasPerShard"] == 2


def test_an_invalid_policy_is_a_failed_decision_naming_the_field(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog, policies: FakePolicies
) -> None:
    policies.error = "maxShards: Input should be greater than or equal to 1"
    decided = _decide(_observe({"cluster": "orders"}, deps, execution), deps, log)
    assert decided.live is False
    (item,) = log.items.values()
    assert item["status"] == "failed"
    assert any("maxShards" in r for r in item["reasons"])


def test_a_retried_decide_writes_the_same_record_once(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog
) -> None:
    observation = _observe({"cluster": "orders"}, deps, execution)
    first = _decide(observation, deps, log)
    second = _decide(observation, deps, log)
    assert first.record == second.record
    assert len(log.items) == 1


def test_an_action_the_policy_marks_risky_needs_approval_even_when_an_operator_asks(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog, policies: FakePolicies
) -> None:
    policies.policy = Policy(mode="act", approval_required=frozenset({Action.ADD_REPLICAS}))
    raw = {"cluster": "orders", "action": "add_replicas", "dryRun": False}
    decided = _decide(_observe(raw, deps, execution), deps, log)
    assert (decided.live, decided.needs_approval) == (True, True)


def test_other_actions_need_no_approval(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog, policies: FakePolicies
) -> None:
    policies.policy = Policy(mode="act")
    raw = {"cluster": "orders", "action": "add_replicas", "dryRun": False}
    decided = _decide(_observe(raw, deps, execution), deps, log)
    assert (decided.live, decided.needs_approval) == (True, False)


def _as_aws_reports_cme(topo: Topology) -> Topology:
    """A cluster-mode-enabled topology as read_topology gives it: no CurrentRole, so every role unknown."""
    shards = tuple(
        s.model_copy(
            update={"members": tuple(m.model_copy(update={"role": Role.UNKNOWN}) for m in s.members)}
        )
        for s in topo.shards
    )
    return topo.model_copy(update={"shards": shards})


def test_finding1_observe_takes_cme_roles_from_is_master(
    deps: ObserveDeps, elasticache: FakeElastiCache, execution: Execution
) -> None:
    elasticache.add(_as_aws_reports_cme(topology("cme", shards=2, replicas=1)))
    # Shard 0001 failed over: its second member is the primary now.
    is_master = {"cme-0001-001": 0.0, "cme-0001-002": 1.0, "cme-0002-001": 1.0, "cme-0002-002": 0.0}
    deps = replace(deps, metrics=FakeMetrics(Metrics(window_end=NOW, is_master=is_master)))

    snapshot = deps.store.get(_observe({"cluster": "cme"}, deps, execution).stored).snapshot
    assert isinstance(snapshot, Snapshot)

    roles = [[m.role for m in s.members] for s in snapshot.topology.shards]
    assert roles == [[Role.REPLICA, Role.PRIMARY], [Role.PRIMARY, Role.REPLICA]]
    decision = decide(snapshot, Policy(), (), NOW)
    assert decision.signals["rolesUnknownShards"] == 0
    assert not any("roles unknown" in reason for reason in decision.reasons)


def test_finding1_unresolved_cme_roles_are_said_in_the_decision(
    deps: ObserveDeps, elasticache: FakeElastiCache, execution: Execution
) -> None:
    elasticache.add(_as_aws_reports_cme(topology("cme", shards=2, replicas=1)))
    is_master = {"cme-0001-001": 1.0, "cme-0001-002": 1.0, "cme-0002-001": 1.0, "cme-0002-002": 0.0}
    deps = replace(deps, metrics=FakeMetrics(Metrics(window_end=NOW, is_master=is_master)))

    snapshot = deps.store.get(_observe({"cluster": "cme"}, deps, execution).stored).snapshot
    assert isinstance(snapshot, Snapshot)

    assert snapshot.topology.shards_with_unknown_roles == ("0001",)
    assert snapshot.topology.replicas_per_shard == 1
    decision = decide(snapshot, Policy(), (), NOW)
    assert decision.signals["rolesUnknownShards"] == 1
    assert any("roles unknown on shard(s) 0001" in reason for reason in decision.reasons)


def test_decide_refuses_an_observation_stored_by_another_execution(
    deps: ObserveDeps, execution: Execution, log: FakeDecisionLog
) -> None:
    other = execution.model_copy(update={"arn": f"{execution.arn}-other"})
    theirs = _observe({"cluster": "orders"}, deps, other)
    ours = _observe({"cluster": "orders"}, deps, execution).model_copy(update={"stored": theirs.stored})
    with pytest.raises(ObservationMismatchError, match="not to this execution"):
        _decide(ours, deps, log)
    assert log.items == {}


def test_the_state_carries_a_summary_and_a_reference_not_the_snapshot(
    deps: ObserveDeps, execution: Execution
) -> None:
    wire = _observe({"cluster": "orders"}, deps, execution).to_wire()
    assert set(wire) == {"request", "execution", "policy", "policyError", "summary", "stored"}
    assert wire["summary"] == {
        "takenAt": "2026-11-26T12:00:00Z",
        "nodeType": "cache.r7g.large",
        "status": "available",
        "shards": 1,
        "replicasPerShard": 1,
        "nodes": 2,
        "metricSeries": 0,
        "history": 0,
    }


def test_observe_reads_the_group_policy_guards_and_log_together(
    deps: ObserveDeps, execution: Execution, elasticache: FakeElastiCache, policies: FakePolicies
) -> None:
    """The group, its policy, the state table's guards and the decision log are in flight together (one round
    of reads on the alarm's path, not four in a row): each waits at a barrier the four must reach, which
    breaks on its timeout when they are read one after another."""
    barrier = threading.Barrier(4, timeout=5)

    def arriving[**P, T](read: Callable[P, T]) -> Callable[P, T]:
        def wait_then_read(*args: P.args, **kwargs: P.kwargs) -> T:
            barrier.wait()
            return read(*args, **kwargs)

        return wait_then_read

    elasticache.read_topology_and_tags = arriving(elasticache.read_topology_and_tags)  # type: ignore[method-assign]
    policies.policy_for = arriving(policies.policy_for)  # type: ignore[method-assign]
    deps.state.guards = arriving(deps.state.guards)  # type: ignore[method-assign]
    deps.log.recent = arriving(deps.log.recent)  # type: ignore[method-assign]
    observation = _observe({"cluster": "orders"}, deps, execution)
    assert isinstance(observation.summary, ObservationSummary)
    assert observation.summary.nodes == 2
