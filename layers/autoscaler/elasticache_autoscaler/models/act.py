"""The act step's request and answer (``workflow.act_step``, ``kinds.acting``)."""

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from elasticache_autoscaler.models.any_kind import AnyDecision, AnyPolicy
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.record import RecordKey


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
