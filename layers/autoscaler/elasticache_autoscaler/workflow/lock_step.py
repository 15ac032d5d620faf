"""Lock: one execution at a time may change a cluster. The lease outlives no aborted execution."""

from datetime import datetime

from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.models.workflow import LockRequest, LockResult


def handle_lock(request: LockRequest, state: StatePort, now: datetime, lease_seconds: int) -> LockResult:
    if request.op == "release":
        return LockResult(
            acquired=False, holder=None if state.release_lock(request.cluster, request.owner) else "?"
        )
    holder = state.acquire_lock(request.cluster, request.owner, now, lease_seconds)
    return LockResult(acquired=holder is None, holder=holder)
