"""The workflow's state between steps. Each step's output model is what the state machine carries on.

The lock, record and approval steps' requests live in modules of their own (``lock``, ``record_request``,
``approval``; re-exported here): those steps import them alone and build none of the policy and snapshot
models these carry (issue 15, cold starts)."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from elasticache_autoscaler.models.any_kind import AnyCapacity, AnyDecision, AnyPolicy, AnySnapshot
from elasticache_autoscaler.models.approval import ApprovalRequest
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.execution import Execution
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.lock import LockRequest, LockResult
from elasticache_autoscaler.models.record import Mode, RecordKey, Status
from elasticache_autoscaler.models.record_request import (
    FailedState,
    FailureRequest,
    OutcomeRequest,
    StepError,
)
from elasticache_autoscaler.models.request import WorkflowRequest

__all__ = [
    "ActRequest",
    "ActResult",
    "ApprovalRequest",
    "CheckRequest",
    "CheckResult",
    "Decided",
    "Execution",
    "FailedState",
    "FailureRequest",
    "KindSummary",
    "LockRequest",
    "LockResult",
    "Observation",
    "ObservationDetail",
    "ObservationSummary",
    "ObserveInput",
    "OutcomeRequest",
    "SkipReason",
    "StepError",
    "StoredObservation",
]


class ObserveInput(WireModel):
    """What the state machine hands ``observe``: the raw execution input plus the execution's identity."""

    input: dict[str, Any]
    execution: Execution


class ObservationDetail(WireModel):
    """What Observe saw in full: the snapshot with every raw metric series, and the recent decisions.

    Too large for the workflow state (Step Functions caps a state's input/output at 256 KiB; a 90-shard x
    5-replica group's series are ~1 MB): it goes to the observation store, and the state carries a
    ``StoredObservation`` to it. It holds no secret: topology, metrics, guards and decision history only."""

    cluster: str
    execution_arn: str
    snapshot: AnySnapshot
    history: tuple[PastDecision, ...] = ()


class StoredObservation(WireModel):
    """Where Observe put the ``ObservationDetail`` of this execution, and how to tell it is that one."""

    bucket: str
    key: str
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ObservationSummary(WireModel):
    """A few figures of the snapshot for a person reading the execution (nothing reads them to decide)."""

    taken_at: datetime
    node_type: str
    status: str
    shards: int
    replicas_per_shard: int
    nodes: int
    metric_series: int
    history: int


class KindSummary(WireModel):
    """The same for a Memcached cluster or a Serverless cache: its capacity in words."""

    kind: CacheKind
    taken_at: datetime
    status: str
    capacity: str
    metric_series: int
    history: int


class Observation(WireModel):
    """Observe's output, ``$.observed`` in the workflow state: small whatever the size of the group. Later
    states read ``request`` and ``policy``; Decide reads the full observation back from ``stored``."""

    request: WorkflowRequest
    """``request.kind`` is set (resolved by Observe when the input had none)."""
    execution: Execution
    policy: AnyPolicy | None
    policy_error: str | None = None
    summary: ObservationSummary | KindSummary
    stored: StoredObservation


class Decided(WireModel):
    record: RecordKey
    decision: AnyDecision
    mode: Mode
    status: Status
    live: bool = Field(description="True when the workflow goes on to change the cluster")
    needs_approval: bool = Field(
        default=False,
        description="The policy marks this action risky: a person approves it first, whoever asked",
    )


class ActRequest(WireModel):
    """What Act needs to re-check every guard at the moment of acting: the decision, the lock's owner (this
    execution) and the policy the decision was made under (breaker threshold, cooldowns)."""

    cluster: str
    decision: AnyDecision
    record: RecordKey
    owner: str = Field(min_length=1)
    policy: AnyPolicy
    check_only: bool = False
    """Re-check the guards and renew the lock, make no call (``outcome="ready"``): the gate in front of a
    credential rotation, whose calls the rotation workflow makes."""


class SkipReason(StrEnum):
    """Why Act made no call after all: each is recorded ``skipped`` and never counts toward the breaker."""

    NOT_MANAGED = "not_managed"
    PAUSED = "paused"
    CIRCUIT_OPEN = "circuit_open"
    COOLDOWN = "cooldown"
    NOT_QUIESCENT = "not_quiescent"
    TOPOLOGY_CHANGED = "topology_changed"
    LOCK_NOT_HELD = "lock_not_held"
    THROTTLED = "throttled"


class ActResult(WireModel):
    """``called``: one call was made; ``already_there``: the group already has the target (no call);
    ``skipped``: no call, ``skip``/``reason`` say why."""

    outcome: Literal["called", "already_there", "skipped", "ready"] = "called"
    operation: str
    started_at: datetime
    skipped: bool = False
    skip: SkipReason | None = None
    reason: str | None = None


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
