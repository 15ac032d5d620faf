"""Lock: one execution at a time may change a cluster. This module owns the lock's lifecycle in the workflow.

* ``acquire`` before Act (Act renews it once more right before its call and refuses without it);
* ``renew`` on every Check round and before a rotation, so the lease outlives the change: the lease is the
  longer of the stack's ``LockLeaseSeconds`` and what the request asks for (the policy's action timeout,
  the rotation's grace period plus its timeout);
* ``release`` by the workflow's ``ReleaseLock`` states only (after the outcome is recorded, on success,
  skip and failure alike). An execution that ends without reaching them (aborted, timed out) is settled by
  ``workflow.execution_end`` (released only when the group is quiescent), else the lease expires.
"""

from datetime import datetime

from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.models.workflow import LockRequest, LockResult


def handle_lock(request: LockRequest, state: StatePort, now: datetime, lease_seconds: int) -> LockResult:
    if request.op == "release":
        return LockResult(
            acquired=False, holder=None if state.release_lock(request.cluster, request.owner) else "?"
        )
    lease = max(lease_seconds, request.lease_seconds or 0)
    holder = state.acquire_lock(request.cluster, request.owner, now, lease)
    return LockResult(acquired=holder is None, holder=holder)
