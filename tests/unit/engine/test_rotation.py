"""AUTH token rotation: due when older than the interval, only with a token and TLS, only when idle."""

from datetime import timedelta

import pytest

from elasticache_autoscaler.engine import decide
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.policy import Policy, Rotation
from tests.unit.engine.builders import NOW, metrics, past, snapshot, topology

POLICY = Policy(mode="act", rotation=Rotation(interval_days=30))


@pytest.mark.parametrize(
    ("age_days", "token", "transit", "interval", "action"),
    [
        (31, True, True, 30, Action.ROTATE_AUTH_TOKEN),
        (30, True, True, 30, Action.ROTATE_AUTH_TOKEN),
        (29, True, True, 30, Action.NONE),
        (90, False, True, 30, Action.NONE),  # no token: never ROTATE
        (90, True, False, 30, Action.NONE),  # no TLS
        (90, True, True, None, Action.NONE),  # rotation not configured
        (None, True, True, 30, Action.NONE),  # age unknown
    ],
)
def test_rotation_due(
    age_days: int | None, token: bool, transit: bool, interval: int | None, action: Action
) -> None:
    modified = None if age_days is None else NOW - timedelta(days=age_days)
    topo = topology(auth_token=token, transit=transit, token_modified=modified)
    policy = POLICY.model_copy(update={"rotation": Rotation(interval_days=interval)})

    decision = decide(snapshot(topo), policy, (), NOW)

    assert decision.action is action
    assert any(reason.startswith("rotation:") for reason in decision.reasons)


def test_our_own_recent_rotation_resets_the_age() -> None:
    topo = topology(auth_token=True, token_modified=NOW - timedelta(days=40))

    decision = decide(snapshot(topo), POLICY, (past(Action.ROTATE_AUTH_TOKEN, minutes_ago=60),), NOW)

    assert decision.action is Action.NONE


def test_scaling_comes_before_rotation() -> None:
    topo = topology(auth_token=True, token_modified=NOW - timedelta(days=40))

    decision = decide(snapshot(topo, metrics(topo, memory=90.0)), POLICY, (), NOW)

    assert decision.action is Action.ADD_SHARDS


def test_rotation_keeps_the_capacity() -> None:
    topo = topology(auth_token=True, token_modified=NOW - timedelta(days=40))

    decision = decide(snapshot(topo), POLICY, (), NOW)

    assert decision.target == decision.current
    assert decision.cost_per_hour_after == decision.cost_per_hour_before
    assert decision.signals["authTokenAgeDays"] == 40
