"""The one place that maps what happened in the workflow to a decision's status and reason.

The state machine passes an outcome name (``{"outcome": "lock_held", "detail.$": ...}``), never a status or
a hard-coded reason; this module says what each means for the decision log and for the circuit breaker.

* ``succeeded`` (the change reached its target), ``rotated``: succeeded (resets the breaker count);
* ``rejected`` (an operator said no), ``approval_timed_out``: skipped;
* ``lock_held`` (another execution holds the cluster's lock): skipped;
* ``act_skipped`` (a guard re-checked at the moment of acting refused: not managed, paused, breaker open,
  cooldown, not quiescent, topology changed, lock not held): skipped;
* ``throttled`` (ElastiCache throttled the call until the retries ran out: nothing applied): skipped;
* ``timed_out`` (the change was made but the group is still not at the target after the action timeout):
  failed, "still modifying after N s"; not counted toward the breaker (the change happened);
* a failure (``op: failure``: an error, or ElastiCache abandoned the change): failed, counted when live;
* an execution that ended without a Catch (aborted, timed out): ``in_progress`` -> failed, ``planned`` ->
  skipped (``aborted``); never counted.

Only a change that did not happen counts toward the circuit breaker; a skip never does.
"""

from dataclasses import dataclass
from typing import Literal

from elasticache_autoscaler.models.record import Status

OutcomeName = Literal[
    "succeeded",
    "rotated",
    "rejected",
    "approval_timed_out",
    "lock_held",
    "act_skipped",
    "throttled",
    "timed_out",
]


@dataclass(frozen=True, slots=True)
class Settled:
    status: Status
    reason: str | None


_FIXED: dict[str, Settled] = {
    "succeeded": Settled("succeeded", None),
    "rejected": Settled("skipped", "rejected by an operator"),
    "approval_timed_out": Settled(
        "skipped", "no approval before approvalTimeoutSeconds: treated as rejected"
    ),
}


def settle(outcome: OutcomeName, detail: str | None = None) -> Settled:
    """The status and reason of ``outcome``; ``detail`` is the state's own text (holder, skip reason, ...)."""
    if outcome in _FIXED:
        fixed = _FIXED[outcome]
        return Settled(fixed.status, detail or fixed.reason)
    match outcome:
        case "rotated":
            return Settled("succeeded", detail)
        case "lock_held":
            return Settled("skipped", f"lock_held: lock held by {detail or 'another execution'}")
        case "act_skipped":
            return Settled("skipped", detail or "skipped at the moment of acting")
        case "throttled":
            return Settled(
                "skipped", f"throttled: ElastiCache throttled the call, nothing was applied ({detail or ''})"
            )
        case "timed_out":
            return Settled("failed", f"timed_out: still modifying after {detail or '?'}")
    raise ValueError(f"unknown outcome {outcome!r}")  # pragma: no cover - Literal exhausts it


def aborted(status: str, cause: str | None) -> Settled:
    """An execution that ended without reaching its own record step."""
    text = f"execution {status} before it recorded an outcome"
    return Settled("failed", f"{text}: {cause}" if cause else text)
