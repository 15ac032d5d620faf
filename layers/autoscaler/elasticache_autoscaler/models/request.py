"""The workflow's input: what an operator types in the Step Functions console, and what the triggers send.

``{"cluster": "orders-cache", "action": "add_replicas", "target": 2, "dryRun": false, "reason": "sale"}``
``{"cluster": "sessions-mc", "kind": "memcached", "action": "add_nodes", "target": 4, "dryRun": false}``
``{"cluster": "carts-sl", "kind": "serverless", "action": "set_limits",
"limits": {"dataStorageMaxGb": 20, "ecpuPerSecondMax": 20000}, "dryRun": false}``

``kind`` is optional: without it, Observe finds the id among the replication groups, Memcached clusters and
Serverless caches (``kinds.registry.resolve``). Which actions a kind takes is the kind's (``kinds``).
"""

import re
from enum import StrEnum
from typing import Literal, Self

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind

# ElastiCache replication group ids: 1-40 characters, letters, digits and hyphens, starting with a letter.
CLUSTER_ID = r"^[a-zA-Z][a-zA-Z0-9-]{0,39}$"
NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")


class RequestedAction(StrEnum):
    # Action's values again, by design: an operator asks evaluate/set_limits, never none or a limits' move
    EVALUATE = "evaluate"
    ADD_REPLICAS = "add_replicas"
    REMOVE_REPLICAS = "remove_replicas"
    ADD_SHARDS = "add_shards"
    REMOVE_SHARDS = "remove_shards"
    SCALE_UP = "scale_up"
    SCALE_DOWN = "scale_down"
    ROTATE_AUTH_TOKEN = "rotate_auth_token"  # noqa: S105 - an action name, not a secret
    ROTATE_USER_PASSWORD = "rotate_user_password"  # noqa: S105 - an action name, not a secret
    ADD_NODES = "add_nodes"
    REMOVE_NODES = "remove_nodes"
    SET_LIMITS = "set_limits"
    """A Serverless cache's CacheUsageLimits, absolute (``limits``): recorded as raise/lower/set minimums."""

    @property
    def action(self) -> Action | None:
        """The engine action an operator asks for, or None for "evaluate" (let the engine decide) and for
        ``set_limits`` (the Serverless rules name it from the limits asked: raise, lower, set minimums)."""
        if self in {RequestedAction.EVALUATE, RequestedAction.SET_LIMITS}:
            return None
        return Action(self.value)


_COUNT_ACTIONS = {
    RequestedAction.ADD_REPLICAS,
    RequestedAction.REMOVE_REPLICAS,
    RequestedAction.ADD_SHARDS,
    RequestedAction.REMOVE_SHARDS,
    RequestedAction.ADD_NODES,
    RequestedAction.REMOVE_NODES,
}
_NODE_TYPE_ACTIONS = {RequestedAction.SCALE_UP, RequestedAction.SCALE_DOWN}

Trigger = Literal["console", "alarm", "schedule"]
MAX_FOLLOW_UPS = 3


class RequestedLimits(WireModel):
    """``set_limits``: the absolute CacheUsageLimits wanted; a limit left out stays as it is."""

    data_storage_max_gb: StrictInt | None = Field(default=None, ge=1)
    data_storage_min_gb: StrictInt | None = Field(default=None, ge=1)
    ecpu_per_second_max: StrictInt | None = Field(default=None, ge=1)
    ecpu_per_second_min: StrictInt | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _sets_something(self) -> Self:
        if not self.model_dump(exclude_none=True):
            raise ValueError(
                "limits must set at least one of "
                + ", ".join(f.alias or name for name, f in type(self).model_fields.items())
            )
        return self


class WorkflowRequest(WireModel):
    """Every field an operator types is strict (DESIGN §9, issue 11 finding 2): pydantic's lax mode would
    read ``"false"``, ``"no"``, ``"off"``, ``"0"`` or ``0`` as ``False`` for ``dryRun`` and ``"2"`` as 2 for
    ``target``, so a console string could change a live group. A wrong type is an error naming the field.
    ``action`` and ``trigger`` are closed sets of strings (an enum, a Literal): anything else fails."""

    cluster: StrictStr = Field(pattern=CLUSTER_ID)
    kind: CacheKind | None = None
    """Which kind of cache ``cluster`` names; None: looked up (the triggers always send it)."""
    action: RequestedAction = RequestedAction.EVALUATE
    target: StrictInt | StrictStr | None = None
    limits: RequestedLimits | None = None
    """For ``set_limits`` only: the absolute limits wanted."""
    dry_run: StrictBool = True
    reason: StrictStr | None = Field(default=None, max_length=500)
    trigger: Trigger = "console"
    follow_up: StrictInt = Field(default=0, ge=0, le=MAX_FOLLOW_UPS)
    """How many evaluations in a row this one follows up, its alarm still in ALARM after a scale-out
    (``workflow.follow_up``): bounded, as an alarm that stays in ALARM sends no new event."""

    @field_validator("target")
    @classmethod
    def _target_fits_action(cls, target: int | str | None, info: ValidationInfo) -> int | str | None:
        action = info.data.get("action")
        if target is None or action is None:  # no action: its own error already names it
            return target
        if action in _COUNT_ACTIONS:
            if not isinstance(target, int) or target < 0:
                raise ValueError(f"target must be a whole number >= 0 for {action.value}")
        elif action in _NODE_TYPE_ACTIONS:
            if not isinstance(target, str) or not NODE_TYPE.match(target):
                raise ValueError(f"target must be a node type such as cache.r7g.large for {action.value}")
        else:
            raise ValueError(f"target is not accepted for {action.value}")
        return target

    @model_validator(mode="after")
    def _limits_only_for_set_limits(self) -> Self:
        if self.action is RequestedAction.SET_LIMITS and self.limits is None:
            raise ValueError('set_limits needs limits, such as {"dataStorageMaxGb": 20}')
        if self.action is not RequestedAction.SET_LIMITS and self.limits is not None:
            raise ValueError(f"limits is not accepted for {self.action.value}")
        return self
