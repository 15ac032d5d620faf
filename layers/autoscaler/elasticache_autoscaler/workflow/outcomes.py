"""The one owner of a decision's status: what each step of the workflow did, mapped to the record's status
and reason. No other module names a status (``tests/unit/workflow/test_one_owner.py`` fails if one does).

* a new decision (``decided``): ``failed`` under an invalid policy, ``skipped`` when it changes nothing or is
  a dry run (the reasons say what it would have done), else ``planned`` (``live``);
* Act's first call (``started``): ``planned`` -> ``in_progress``; a retry finds it ``in_progress``
  (``is_started``) and waits for its own earlier attempt instead of skipping;

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
* an execution that ended without a Catch (aborted, timed out; ``ended_without_outcome``): ``in_progress``
  -> failed (a change may have been made), ``planned`` -> skipped (nothing was done); never counted.

Only a change that did not happen counts toward the circuit breaker; a skip never does.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from elasticache_autoscaler.models.any_decision import DecisionOfAnyKind
from elasticache_autoscaler.models.record import Outcome, OutcomeName, Status
from elasticache_autoscaler.timestamps import iso

PLANNED: Final[Status] = "planned"
IN_PROGRESS: Final[Status] = "in_progress"
SUCCEEDED: Final[Status] = "succeeded"
FAILED: Final[Status] = "failed"
SKIPPED: Final[Status] = "skipped"
UNSETTLED: Final = frozenset({PLANNED, IN_PROGRESS})
"""An execution that ends with its record in one of these has not recorded its outcome yet."""
AWAITING_APPROVAL: Final = "awaiting_approval"
"""What the approval notification says (not a record status: the record stays ``planned`` meanwhile)."""


@dataclass(frozen=True, slots=True)
class Settled:
    status: Status
    reason: str | None


_FIXED: dict[str, Settled] = {
    "succeeded": Settled(SUCCEEDED, None),
    "rejected": Settled(SKIPPED, "rejected by an operator"),
    "approval_timed_out": Settled(SKIPPED, "no approval before approvalTimeoutSeconds: treated as rejected"),
}


def settle(outcome: OutcomeName, detail: str | None = None) -> Settled:
    """The status and reason of ``outcome``; ``detail`` is the state's own text (holder, skip reason, ...)."""
    if outcome in _FIXED:
        fixed = _FIXED[outcome]
        return Settled(fixed.status, detail or fixed.reason)
    match outcome:
        case "rotated":
            return Settled(SUCCEEDED, detail)
        case "lock_held":
            return Settled(SKIPPED, f"lock_held: lock held by {detail or 'another execution'}")
        case "act_skipped":
            return Settled(SKIPPED, detail or "skipped at the moment of acting")
        case "throttled":
            return Settled(
                SKIPPED, f"throttled: ElastiCache throttled the call, nothing was applied ({detail or ''})"
            )
        case "timed_out":
            return Settled(FAILED, f"timed_out: still modifying after {detail or '?'}")
    raise ValueError(f"unknown outcome {outcome!r}")  # pragma: no cover - Literal exhausts it


def decided(
    decision: DecisionOfAnyKind,
    dry_run: bool,
    policy_invalid: bool,
    *,
    dry_run_because: str = "observe mode",
) -> tuple[Status, tuple[str, ...]]:
    """A new record's status and reasons; ``dry_run_because``: the mode that made it a dry run."""
    if policy_invalid:
        return FAILED, decision.reasons
    if not decision.changes_something:
        return SKIPPED, decision.reasons
    if dry_run:
        return SKIPPED, (
            *decision.reasons,
            f"dry run ({dry_run_because}): would {decision.action.value}, changed nothing",
        )
    return PLANNED, decision.reasons


def started(now: datetime) -> Outcome:
    """Act is about to make its call."""
    return Outcome(status=IN_PROGRESS, started_at=iso(now))


def is_started(record: Mapping[str, object] | None) -> bool:
    """An earlier attempt of this execution's Act already began (its call may have been applied)."""
    return record is not None and record.get("status") == IN_PROGRESS


def failed(now: datetime, error: str) -> Outcome:
    """The workflow failed (an error, or ElastiCache abandoned the change)."""
    return Outcome(status=FAILED, finished_at=iso(now), error=error)


def ended_without_outcome(record_status: object, execution_status: str, cause: str | None) -> Settled | None:
    """An execution that ended without reaching its own record step; None when its record is settled."""
    if record_status not in UNSETTLED:
        return None
    text = f"execution {execution_status} before it recorded an outcome"
    return Settled(FAILED if record_status == IN_PROGRESS else SKIPPED, f"{text}: {cause}" if cause else text)
