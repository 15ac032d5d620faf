"""The workflow's state between steps. Each step's output model is what the state machine carries on.

Each other step's request and answer live in a module of its own (``lock``, ``act``, ``check``,
``record_request``, ``approval``): a step builds its own models, not every step's (issue 15, cold starts)."""

from datetime import datetime
from typing import Any

from pydantic import Field

from elasticache_autoscaler.models.any_kind import AnyDecision, AnyPolicy, AnySnapshot
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.execution import Execution
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.record import Mode, RecordKey, Status
from elasticache_autoscaler.models.request import WorkflowRequest

__all__ = [
    "Decided",
    "Execution",
    "KindSummary",
    "Observation",
    "ObservationDetail",
    "ObservationSummary",
    "ObserveInput",
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
