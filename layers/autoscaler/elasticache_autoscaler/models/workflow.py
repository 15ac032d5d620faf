"""The workflow's state between steps. Each step's output model is what the state machine carries on."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from elasticache_autoscaler.models.any_kind import AnyCapacity, AnyDecision, AnyPolicy, AnySnapshot
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.record import Mode, OutcomeName, RecordKey, Status
from elasticache_autoscaler.models.request import CLUSTER_ID, WorkflowRequest


class Execution(WireModel):
    arn: str
    started_at: datetime


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


class StepError(WireModel):
    """A Catch's error as Step Functions hands it over ({"Error": ..., "Cause": ...})."""

    error: str = Field(alias="Error")
    cause: str = Field(default="", alias="Cause")


class OutcomeRequest(WireModel):
    """Move a decision's record forward to its outcome."""

    op: Literal["outcome"]
    execution: Execution
    record: RecordKey
    outcome: OutcomeName
    """What happened; ``workflow.outcomes`` maps it to the record's status and reason."""
    detail: str | None = None
    started_at: datetime | None = None
    action: str | None = None


class ApprovalRequest(WireModel):
    """Ask a person to approve a risky action; the workflow waits on ``task_token`` until they answer."""

    task_token: str
    execution: Execution
    record: RecordKey
    decision: AnyDecision
    timeout_seconds: int


class _Loose(BaseModel):
    # The failure path reads whatever part of the workflow state exists when the failure happened.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, alias_generator=to_camel)


class _FailedRequest(_Loose):
    trigger: str = "console"


class _FailedObservation(_Loose):
    request: _FailedRequest


class _FailedAction(_Loose):
    action: str = "none"


class _FailedDecision(_Loose):
    record: RecordKey
    live: bool = False
    decision: _FailedAction | None = None


class _FailedPolicy(_Loose):
    circuit_breaker_failures: int = 3


class _FailedObservationWithPolicy(_FailedObservation):
    policy: _FailedPolicy | None = None


class _FailedAct(_Loose):
    outcome: str | None = None


class FailedState(_Loose):
    """The workflow state as the Catch left it: the error and whatever steps had run."""

    error: StepError | None = None
    observed: _FailedObservationWithPolicy | None = None
    decided: _FailedDecision | None = None
    acted: _FailedAct | None = None
    """Act's result when it ran: ``outcome == "called"`` means the change was sent to ElastiCache."""

    @property
    def change_happened(self) -> bool:
        """The call was made and ElastiCache did not give the change up: whatever failed afterwards (a
        Check that could not finish, a record that could not be written), the change itself happened."""
        called = self.acted is not None and self.acted.outcome == "called"
        return called and (self.error is None or self.error.error != "ActionAbandoned")


class FailedInput(_Loose):
    cluster: str | None = Field(default=None, pattern=CLUSTER_ID)


class FailureRequest(WireModel):
    """Record a failure (with or without a decision) and release this execution's lock."""

    op: Literal["failure"]
    execution: Execution
    input: FailedInput
    state: FailedState
