"""Credential rotation: the AUTH token is rotated when it is older than the policy's interval."""

from datetime import datetime

from elasticache_autoscaler.engine.outcome import Plan, RuleOutcome
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.history import History

SECONDS_PER_DAY = 86_400


def _last_rotation(history: History) -> datetime | None:
    rotations = [
        past.settled_at
        for past in history
        if past.action is Action.ROTATE_AUTH_TOKEN and past.may_have_changed_cluster
    ]
    return max(rotations, default=None)


def token_age_days(sit: Situation) -> float | None:
    """Days since the token last changed (the group's own date or our last rotation), None if unknown."""
    known = [
        moment
        for moment in (sit.topology.auth_token_last_modified, _last_rotation(sit.history))
        if moment is not None
    ]
    if not known:
        return None
    return (sit.now - max(known)).total_seconds() / SECONDS_PER_DAY


def rotation_unsupported_because(sit: Situation) -> str | None:
    topology = sit.topology
    if not topology.auth_token_enabled:
        return "the group has no AUTH token (never ROTATE a group without one)"
    if not topology.transit_encryption:
        return "AUTH token rotation needs in-transit encryption"
    return None


def rotation(sit: Situation) -> RuleOutcome:
    interval = sit.policy.rotation.interval_days
    if interval is None:
        return RuleOutcome(("rotation: no rotation.intervalDays in policy",))
    unsupported = rotation_unsupported_because(sit)
    if unsupported is not None:
        return RuleOutcome((f"rotation: {unsupported}",))
    age = token_age_days(sit)
    if age is None:
        return RuleOutcome(("rotation: AUTH token age unknown",))
    if age < interval:
        return RuleOutcome((f"rotation: AUTH token {age:.1f} days old, interval {interval} days",))
    return RuleOutcome(
        (f"rotation: AUTH token {age:.1f} days old >= interval {interval} days -> rotate",),
        Plan(Action.ROTATE_AUTH_TOKEN, sit.current),
    )
