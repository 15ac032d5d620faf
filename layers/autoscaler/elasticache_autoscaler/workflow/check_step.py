"""Check: is the change finished? Done only when the group, every shard and every member are available,
nothing is pending and the topology matches the target (a group can say available while a member creates).

Abandoned: ElastiCache gives up a change that does not fit (typically a scale-in whose data does not fit
the smaller cluster) and puts the group back to ``available`` with its old size. Act's call turns the group
``modifying`` in the call's own answer and the first Check runs a wait interval later, so a quiescent group
whose capacity equals the decision's ``current`` (and differs from the target) had started and gone back:
``done=False, abandoned=True``, ``waiting_for`` says why, and the workflow records a failure instead of
waiting for the timeout.

Transient read errors (throttling after botocore's own retries, 5xx, timeouts, lost connections) are not
the change's outcome: the round answers ``done=False`` with ``read_error`` set and the workflow checks
again after its interval, bounded by the action timeout. A change never turns ``failed`` because a read did.

Timed out (``timed_out=True``): the group is still not where the target is after ``timeoutSeconds``. The
workflow records it ``failed`` with "still modifying after N s" (the change was made: it does not count
toward the circuit breaker) and keeps the lock (it is not released while the group is busy; the lease, the
execution-end handler or ``guards --release-lock`` settle it once the group is quiescent).
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.models.any_kind import AnyCapacity
from elasticache_autoscaler.models.check import CheckRequest, CheckResult
from elasticache_autoscaler.models.decision import Capacity

if TYPE_CHECKING:
    from elasticache_autoscaler.kinds.base import CacheKindOps

Reading = tuple[AnyCapacity, str | None]
"""What a Check reads of a cache of any kind: its capacity and why it is not quiescent (None: it is)."""

TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalError",
        "RequestTimeout",
    }
)


def transient_read_error(error: Exception) -> str | None:
    """A description of ``error`` when it is a transient read failure, else None."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in TRANSIENT_CODES or status >= 500:
            return f"{code or status}: {error.response.get('Error', {}).get('Message', '')}"
        return None
    if isinstance(error, BotoCoreError):  # timeouts, connection errors
        return f"{type(error).__name__}: {error}"
    return None


def check_cache(
    request: CheckRequest,
    elasticache: ElastiCacheGateway,
    other_kinds: "Sequence[CacheKindOps]",
    now: datetime,
) -> CheckResult:
    """Check a cache of any kind: the kind of the target (``kinds``) reads it."""
    from elasticache_autoscaler.kinds.registry import registry_for  # noqa: PLC0415 - kinds import this module

    return registry_for(elasticache, other_kinds).of(request.target.kind).check(request, now)


def check(request: CheckRequest, elasticache: ElastiCacheGateway, now: datetime) -> CheckResult:
    """A replication group's Check."""

    def read() -> Reading:
        topology = elasticache.read_topology(request.cluster)
        return topology.capacity, topology.not_quiescent_because()

    return check_reading(request, read, now, _is_scale_in)


def check_reading(
    request: CheckRequest,
    read: Callable[[], Reading],
    now: datetime,
    is_scale_in: Callable[[AnyCapacity, AnyCapacity], bool],
) -> CheckResult:
    """Check a cache of any kind: ``read`` its capacity and quiescence (a transient read error is a round
    that waits), done when quiescent at the target, abandoned when quiescent at ``current`` again."""
    elapsed = (now - request.started_at).total_seconds()
    try:
        observed, waiting_for = read()
    except (ClientError, BotoCoreError) as error:
        transient = transient_read_error(error)
        if transient is None:
            raise
        return CheckResult(
            done=False,
            timed_out=elapsed >= request.timeout_seconds,
            elapsed_seconds=elapsed,
            observed=request.current or request.target,
            waiting_for=f"could not read the group this round (transient: {transient})",
            read_error=transient,
        )
    quiescent = waiting_for is None
    abandoned = False
    if waiting_for is None and observed != request.target:
        if request.current is not None and observed == request.current:
            abandoned = True
            kind = "scale-in" if is_scale_in(request.current, request.target) else "change"
            waiting_for = (
                f"ElastiCache abandoned the {kind}: the group is available again with its old capacity "
                f"{observed.describe()}, target {request.target.describe()}"
            )
        else:
            waiting_for = f"topology is {observed.describe()}, target {request.target.describe()}"
    return CheckResult(
        done=waiting_for is None,
        timed_out=waiting_for is not None and not abandoned and elapsed >= request.timeout_seconds,
        elapsed_seconds=elapsed,
        observed=observed,
        waiting_for=waiting_for,
        abandoned=abandoned,
        quiescent=quiescent,
    )


def _is_scale_in(current: AnyCapacity, target: AnyCapacity) -> bool:
    """Fewer shards or replicas (a node type change is named a "change": Capacity carries no size)."""
    if not isinstance(current, Capacity) or not isinstance(target, Capacity):
        return False
    return target.shards < current.shards or target.replicas_per_shard < current.replicas_per_shard
