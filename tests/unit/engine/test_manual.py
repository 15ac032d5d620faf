"""Operator requests: one step by default, absolute targets checked against the policy, same guards."""

import pytest

from elasticache_autoscaler.engine import OperatorRequest, decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.policy import NodeFamilyRange, NodeTypeRules, Policy
from elasticache_autoscaler.models.snapshot import Guards
from tests.unit.engine.builders import ACT, NOW, metrics, past, snapshot, topology

ENABLED = topology(shards=3, replicas=2)
DISABLED = topology(cluster_mode=False, shards=1, replicas=2)


@pytest.mark.parametrize(
    ("topo", "request_", "field", "value"),
    [
        (ENABLED, OperatorRequest(Action.ADD_REPLICAS), "replicas_per_shard", 3),
        (ENABLED, OperatorRequest(Action.REMOVE_REPLICAS), "replicas_per_shard", 1),
        (ENABLED, OperatorRequest(Action.ADD_REPLICAS, 4), "replicas_per_shard", 4),
        (ENABLED, OperatorRequest(Action.ADD_SHARDS), "shards", 4),
        (ENABLED, OperatorRequest(Action.REMOVE_SHARDS), "shards", 2),
        (ENABLED, OperatorRequest(Action.ADD_SHARDS, 5), "shards", 5),
        (ENABLED, OperatorRequest(Action.SCALE_UP), "node_type", "cache.r7g.xlarge"),
        (DISABLED, OperatorRequest(Action.SCALE_UP, "cache.r7g.xlarge"), "node_type", "cache.r7g.xlarge"),
        (
            topology(node_type="cache.r7g.2xlarge"),
            OperatorRequest(Action.SCALE_DOWN),
            "node_type",
            "cache.r7g.xlarge",
        ),
    ],
)
def test_an_accepted_request_becomes_the_decision(
    topo: object, request_: OperatorRequest, field: str, value: object
) -> None:
    decision = decide(snapshot(topo), ACT, (), NOW, request_)  # type: ignore[arg-type]

    assert decision.action is request_.action
    assert decision.changes_something, decision.reasons
    assert getattr(decision.target, field) == value
    assert decision.requested_by_operator
    # the policy's approvalRequired holds whoever asked (the engine decides it, once)
    assert decision.approval_required is (request_.action in ACT.approval_required)


@pytest.mark.parametrize(
    ("topo", "request_", "code", "words"),
    [
        (ENABLED, OperatorRequest(Action.ADD_REPLICAS, 6), BlockedBy.OUT_OF_POLICY, "above max 5"),
        (ENABLED, OperatorRequest(Action.ADD_REPLICAS, 5), BlockedBy.OUT_OF_POLICY, "maxStep.replicas 2"),
        (ENABLED, OperatorRequest(Action.ADD_REPLICAS, 1), BlockedBy.OUT_OF_POLICY, "not a add_replicas"),
        (ENABLED, OperatorRequest(Action.REMOVE_REPLICAS, 0), BlockedBy.OUT_OF_POLICY, "below the floor 1"),
        (ENABLED, OperatorRequest(Action.ADD_SHARDS, 11), BlockedBy.OUT_OF_POLICY, "outside [1, 10]"),
        (ENABLED, OperatorRequest(Action.ADD_SHARDS, "3"), BlockedBy.OUT_OF_POLICY, "whole number"),
        (DISABLED, OperatorRequest(Action.ADD_SHARDS), BlockedBy.UNSUPPORTED, "cluster mode is disabled"),
        (
            ENABLED,
            OperatorRequest(Action.SCALE_UP, "cache.r7g.4xlarge"),
            BlockedBy.OUT_OF_POLICY,
            "maxStep.nodeSizes",
        ),
        (
            ENABLED,
            OperatorRequest(Action.SCALE_UP, "cache.m7g.xlarge"),
            BlockedBy.OUT_OF_POLICY,
            "not an allowed",
        ),
        (
            ENABLED,
            OperatorRequest(Action.SCALE_DOWN),
            BlockedBy.OUT_OF_POLICY,
            "no allowed node type one size below",
        ),
        (ENABLED, OperatorRequest(Action.ROTATE_AUTH_TOKEN), BlockedBy.UNSUPPORTED, "no AUTH token"),
        (ENABLED, OperatorRequest(Action.ROTATE_USER_PASSWORD), BlockedBy.UNSUPPORTED, "no RBAC user group"),
    ],
)
def test_a_request_outside_the_policy_is_refused_never_executed(
    topo: object, request_: OperatorRequest, code: BlockedBy, words: str
) -> None:
    decision = decide(snapshot(topo), ACT, (), NOW, request_)  # type: ignore[arg-type]

    assert decision.action is request_.action
    assert decision.blocked_code is code
    assert not decision.changes_something
    assert decision.target == decision.current
    assert words in str(decision.blocked_by), decision.blocked_by


def test_the_policys_node_type_rules_bind_operators_too() -> None:
    policy = ACT.model_copy(
        update={"node_types": NodeTypeRules(families=(NodeFamilyRange(family="r7g", max_size="large"),))}
    )

    decision = decide(snapshot(ENABLED), policy, (), NOW, OperatorRequest(Action.SCALE_UP))

    assert decision.blocked_code is BlockedBy.OUT_OF_POLICY


def test_scale_down_refused_when_the_data_would_not_fit() -> None:
    topo = topology(node_type="cache.r7g.xlarge")

    decision = decide(
        snapshot(topo, metrics(topo, memory=60.0)), ACT, (), NOW, OperatorRequest(Action.SCALE_DOWN)
    )

    assert decision.blocked_code is BlockedBy.OUT_OF_POLICY
    assert "would not fit" in str(decision.blocked_by)


def test_already_there_is_nothing_to_do() -> None:
    decision = decide(snapshot(ENABLED), ACT, (), NOW, OperatorRequest(Action.ADD_SHARDS, 3))

    assert decision.action is Action.NONE
    assert decision.blocked_by is None


@pytest.mark.parametrize(
    ("guards", "code"),
    [(Guards(paused=True), BlockedBy.PAUSED), (Guards(lock_held_by="exec"), BlockedBy.LOCK_HELD)],
)
def test_requests_pass_the_same_guards(guards: Guards, code: BlockedBy) -> None:
    decision = decide(snapshot(ENABLED, guards=guards), ACT, (), NOW, OperatorRequest(Action.ADD_REPLICAS))

    assert decision.action is Action.ADD_REPLICAS
    assert decision.blocked_code is code


def test_requests_respect_the_cooldown() -> None:
    decision = decide(
        snapshot(ENABLED), ACT, (past(Action.ADD_SHARDS, 2),), NOW, OperatorRequest(Action.ADD_REPLICAS)
    )

    assert decision.blocked_code is BlockedBy.COOLDOWN


def test_remove_shards_names_the_emptiest_shards() -> None:
    data = metrics(ENABLED, memory={"0001": 20.0, "0002": 5.0, "0003": 15.0})

    decision = decide(snapshot(ENABLED, data), ACT, (), NOW, OperatorRequest(Action.REMOVE_SHARDS))

    assert decision.shards_to_remove == ("0002",)


def test_a_request_overrides_what_the_engine_would_have_done() -> None:
    busy = metrics(ENABLED, memory=90.0)

    decision = decide(snapshot(ENABLED, busy), ACT, (), NOW, OperatorRequest(Action.ADD_REPLICAS))

    assert decision.action is Action.ADD_REPLICAS


def test_an_evaluate_request_is_an_automatic_decision() -> None:
    decision = decide(
        snapshot(ENABLED, metrics(ENABLED, memory=90.0)), ACT, (), NOW, OperatorRequest(Action.NONE)
    )

    assert decision.action is Action.ADD_SHARDS
    assert not decision.requested_by_operator


def test_in_observe_mode_a_request_is_a_dry_run() -> None:
    decision = decide(snapshot(ENABLED), Policy(), (), NOW, OperatorRequest(Action.ADD_REPLICAS))

    assert decision.dry_run


@pytest.mark.parametrize("action", [Action.ADD_REPLICAS, Action.NONE])
def test_a_dry_run_request_is_a_dry_run_in_act_mode(action: Action) -> None:
    # Given a policy in act mode and load that wants a change
    loaded = snapshot(ENABLED, metrics(ENABLED, memory=90.0))
    # When the request (an operator's action, or an evaluation) asks for a dry run
    decision = decide(loaded, ACT, (), NOW, OperatorRequest(action, dry_run=True))
    # Then the decision is a dry run: recorded, never executed
    assert decision.changes_something
    assert decision.dry_run
    assert not decide(loaded, ACT, (), NOW, OperatorRequest(action)).dry_run


def test_approval_is_asked_for_risky_actions_whoever_asked() -> None:
    policy = ACT.model_copy(update={"approval_required": frozenset({Action.ADD_SHARDS})})
    loaded = snapshot(ENABLED, metrics(ENABLED, memory=90.0))
    automatic = decide(loaded, policy, (), NOW)
    by_operator = decide(snapshot(ENABLED), policy, (), NOW, OperatorRequest(Action.ADD_SHARDS))
    assert automatic.action is by_operator.action is Action.ADD_SHARDS
    assert automatic.approval_required
    assert by_operator.approval_required
    assert not decide(
        snapshot(ENABLED), policy, (), NOW, OperatorRequest(Action.ADD_REPLICAS)
    ).approval_required
