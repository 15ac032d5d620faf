"""Lock: one execution at a time may change a cluster. This module is the only caller of the state table's
lock operations (``tests/unit/workflow/test_one_owner.py`` fails if another module calls them):

* ``handle_lock`` serves the workflow's lock states: ``acquire`` before Act, ``renew`` on every Check round
  and before a rotation (the lease is the longer of the stack's ``LockLeaseSeconds`` and what the request
  asks for: the policy's action timeout, the rotation's grace period plus its timeout), ``release`` from
  the ``ReleaseLock`` states (after the outcome is recorded, on success, skip and failure alike);
* ``renew`` is Act's renewal right before its call (it refuses to call without the lock);
* ``release_after_execution``: an execution that ended without reaching its ``ReleaseLock`` states
  (aborted, timed out) is settled by ``workflow.execution_end``, which releases its lock only when the group
  is quiescent, else the lease expires;
* ``force_release_when_quiescent``: an operator's ``guards --release-lock``, whoever holds it, only when
  the group is quiescent.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.lock import LockRequest, LockResult

if (
    TYPE_CHECKING
):  # the Lock function never builds the ElastiCache adapter: keep its import off its cold start
    from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway

AfterExecution = Literal["released", "kept: group not quiescent", "not held"]


class LockReleaseRefused(Exception):
    """The group is still changing: its lock must stay until it is quiescent."""


def handle_lock(request: LockRequest, state: StatePort, now: datetime, lease_seconds: int) -> LockResult:
    if request.op == "release":
        return LockResult(
            acquired=False, holder=None if state.release_lock(request.cluster, request.owner) else "?"
        )
    holder = renew(state, request.cluster, request.owner, now, max(lease_seconds, request.lease_seconds or 0))
    return LockResult(acquired=holder is None, holder=holder)


def renew(state: StatePort, cluster: str, owner: str, now: datetime, lease_seconds: int) -> str | None:
    """Take the lock or extend our own lease; the other holder when it is not ours."""
    return state.acquire_lock(cluster, owner, now, lease_seconds)


def release_after_execution(
    state: StatePort, elasticache: "ElastiCacheGateway", cluster: str, owner: str, now: datetime
) -> tuple[AfterExecution, str]:
    """Release the lock an ended execution still holds, unless its change is still running (a group gone
    is quiescent: nothing can run on it)."""
    if state.lock_holder(cluster, now) != owner:
        return "not held", ""
    try:
        busy = elasticache.read_topology(cluster).not_quiescent_because()
    except ClusterNotFoundError:
        busy = None
    if busy is not None:
        return "kept: group not quiescent", f"{busy}: the lease or guards --release-lock settles it"
    state.release_lock(cluster, owner)
    return "released", ""


def force_release_when_quiescent(
    state: StatePort, elasticache: "ElastiCacheGateway", cluster: str
) -> dict[str, object]:
    """Release a cluster's lock whoever holds it (an execution that died with it), but only while the
    group, every shard and every member are available and nothing is pending: a change still running keeps
    its lock, so that nothing starts over it."""
    busy = elasticache.read_topology(cluster).not_quiescent_because()
    if busy is not None:
        raise LockReleaseRefused(f"{cluster} is not quiescent ({busy}): the lock stays until it is")
    holder = state.force_release_lock(cluster)
    return {"released": holder is not None, "heldBy": holder}
