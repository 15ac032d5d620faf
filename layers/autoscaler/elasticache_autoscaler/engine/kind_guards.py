"""The standing guards for a cache of any kind: paused, circuit open, not quiescent, lock held.

The same order and texts as ``guards.standing_guard`` (a replication group's), from the kind's own
``not_quiescent_because()`` instead of a replication group's snapshot.
"""

from elasticache_autoscaler.engine.guards import GuardCheck
from elasticache_autoscaler.models.decision import BlockedBy
from elasticache_autoscaler.models.snapshot import Guards


def kind_standing_guard(guards: Guards, busy: str | None, circuit_breaker_failures: int) -> GuardCheck:
    """``busy``: the cache's ``not_quiescent_because()``."""
    if guards.paused:
        return GuardCheck(BlockedBy.PAUSED.because("an operator paused this cache"), "guards: paused")
    failures = guards.consecutive_failures
    if guards.circuit_open or failures >= circuit_breaker_failures:
        detail = f"{failures} consecutive failure(s), breaker at {circuit_breaker_failures}"
        return GuardCheck(BlockedBy.CIRCUIT_OPEN.because(detail), f"guards: circuit breaker open ({detail})")
    if busy is not None:
        return GuardCheck(BlockedBy.NOT_QUIESCENT.because(busy), f"guards: not quiescent ({busy})")
    if guards.lock_held_by is not None:
        detail = f"held by {guards.lock_held_by}"
        return GuardCheck(BlockedBy.LOCK_HELD.because(detail), f"guards: lock {detail}")
    return GuardCheck(None, "guards: not paused, circuit closed, cache quiescent, no lock held")
