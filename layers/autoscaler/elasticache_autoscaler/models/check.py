"""The check step's request and answer (``workflow.check_step``): capacities only."""

from datetime import datetime

from elasticache_autoscaler.models.any_decision import AnyCapacity
from elasticache_autoscaler.models.base import WireModel


class CheckRequest(WireModel):
    cluster: str
    target: AnyCapacity
    started_at: datetime
    timeout_seconds: int
    current: AnyCapacity | None = None
    """The capacity before the change (the decision's ``current``): how check tells an abandoned change.
    Optional only until the state machine passes it (``"current.$": "$.decided.decision.current"``)."""


class CheckResult(WireModel):
    done: bool
    timed_out: bool
    elapsed_seconds: float
    observed: AnyCapacity
    waiting_for: str | None = None
    quiescent: bool = False
    """The group, every shard and every member are available and nothing is pending (whatever its capacity):
    after a timed-out change, the moment the lock may be released."""
    read_error: str | None = None
    """A transient read error (throttling, 5xx, timeout): the change's state is unknown this round, so the
    workflow waits and checks again (bounded by the timeout); never a failure of the change."""
    abandoned: bool = False
    """ElastiCache gave the change up: the group is quiescent again with the capacity it had before
    (``current``), not the target. Never done; the workflow records it as failed, ``waiting_for`` says why."""
