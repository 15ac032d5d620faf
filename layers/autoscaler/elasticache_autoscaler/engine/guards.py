"""Guards: what may stop an action before any rule runs (paused, circuit, busy group, lock) and cooldowns."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Blocked, BlockedBy
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Guards, Snapshot


@dataclass(frozen=True, slots=True)
class GuardCheck:
    blocked_by: Blocked | None
    reason: str


def standing_guard(snapshot: Snapshot, policy: Policy) -> GuardCheck:
    """The guards that stop every action, checked in order: paused, circuit open, not quiescent, lock held."""
    busy = snapshot.topology.not_quiescent_because()
    return _standing(snapshot.guards, busy, policy.circuit_breaker_failures, noun="cluster", whole="group")


def kind_standing_guard(guards: Guards, busy: str | None, circuit_breaker_failures: int) -> GuardCheck:
    """The same for a cache of another kind; ``busy``: the cache's ``not_quiescent_because()``."""
    return _standing(guards, busy, circuit_breaker_failures, noun="cache", whole="cache")


def _standing(
    guards: Guards, busy: str | None, circuit_breaker_failures: int, *, noun: str, whole: str
) -> GuardCheck:
    if guards.paused:
        return GuardCheck(BlockedBy.PAUSED.because(f"an operator paused this {noun}"), "guards: paused")
    failures = guards.consecutive_failures
    if guards.circuit_open or failures >= circuit_breaker_failures:
        detail = f"{failures} consecutive failure(s), breaker at {circuit_breaker_failures}"
        return GuardCheck(BlockedBy.CIRCUIT_OPEN.because(detail), f"guards: circuit breaker open ({detail})")
    if busy is not None:
        return GuardCheck(BlockedBy.NOT_QUIESCENT.because(busy), f"guards: not quiescent ({busy})")
    if guards.lock_held_by is not None:
        detail = f"held by {guards.lock_held_by}"
        return GuardCheck(BlockedBy.LOCK_HELD.because(detail), f"guards: lock {detail}")
    return GuardCheck(None, f"guards: not paused, circuit closed, {whole} quiescent, no lock held")


def _latest(history: History, actions: frozenset[Action]) -> PastDecision | None:
    effective = [past for past in history if past.action in actions and past.may_have_changed_cluster]
    return max(effective, key=lambda past: past.settled_at, default=None)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


_SCALE_OUT = frozenset(a for a in Action if a.is_scale_out)
_SCALE_IN = frozenset(a for a in Action if a.is_scale_in)
_TOPOLOGY = _SCALE_OUT | _SCALE_IN


class Cooldowns(Protocol):
    """Any kind's policy: the two cooldowns."""

    @property
    def scale_out_cooldown_seconds(self) -> int: ...
    @property
    def scale_in_cooldown_seconds(self) -> int: ...


def cooldown_guard(action: Action, history: History, policy: Cooldowns, now: datetime) -> GuardCheck:
    """Scale-out waits ``scaleOutCooldownSeconds`` after the last scale-out; scale-in likewise after the
    last scale-in (separately: a scale-out right after a wrong scale-in must not wait)."""
    if action.is_scale_out:
        kind, actions, cooldown = "scale-out", _SCALE_OUT, policy.scale_out_cooldown_seconds
    elif action.is_scale_in:
        kind, actions, cooldown = "scale-in", _SCALE_IN, policy.scale_in_cooldown_seconds
    else:
        return GuardCheck(None, f"cooldown: none applies to {action.value}")
    last = _latest(history, actions)
    if last is None:
        return GuardCheck(None, f"{kind} cooldown: no earlier {kind} in history")
    elapsed = (now - last.settled_at).total_seconds()
    summary = f"last {kind} ({last.action.value}) {_minutes(elapsed)} ago, cooldown {_minutes(cooldown)}"
    if elapsed < cooldown:
        return GuardCheck(BlockedBy.COOLDOWN.because(summary), f"{kind} cooldown: {summary}")
    return GuardCheck(None, f"{kind} cooldown: over ({summary})")


def seconds_since_topology_change(history: History, now: datetime) -> float | None:
    """Seconds since the last change of shards, replicas or node type, or None when history has none."""
    last = _latest(history, _TOPOLOGY)
    return None if last is None else (now - last.settled_at).total_seconds()


def seconds_since_scale_in(history: History, now: datetime) -> float | None:
    """Seconds since the last scale-in (fewer replicas, shards or a smaller node), or None."""
    last = _latest(history, _SCALE_IN)
    return None if last is None else (now - last.settled_at).total_seconds()
