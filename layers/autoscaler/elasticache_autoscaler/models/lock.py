"""The lock step's request and answer (``workflow.lock_step``): no kind of cache, no policy, no decision."""

from typing import Literal

from pydantic import Field

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.record import RecordKey


class LockRequest(WireModel):
    """``acquire`` takes the lock (or renews our own), ``renew`` extends our own lease (while a change or a
    rotation runs), ``release`` gives it back. ``lease_seconds`` asks for at least this long a lease (the
    policy's action timeout, a rotation's grace period); the stack's ``LockLeaseSeconds`` is the floor."""

    op: Literal["acquire", "renew", "release"]
    cluster: str
    owner: str
    record: RecordKey | None = None
    lease_seconds: int | None = Field(default=None, ge=1)


class LockResult(WireModel):
    acquired: bool
    holder: str | None = None
