"""The workflow's input: what an operator types in the Step Functions console, and what the triggers send.

``{"cluster": "orders-cache", "action": "add_replicas", "target": 2, "dryRun": false, "reason": "sale"}``
"""

import re
from enum import StrEnum
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, ValidationInfo, field_validator

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel

# ElastiCache replication group ids: 1-40 characters, letters, digits and hyphens, starting with a letter.
CLUSTER_ID = r"^[a-zA-Z][a-zA-Z0-9-]{0,39}$"
NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")


class RequestedAction(StrEnum):
    EVALUATE = "evaluate"
    ADD_REPLICAS = "add_replicas"
    REMOVE_REPLICAS = "remove_replicas"
    ADD_SHARDS = "add_shards"
    REMOVE_SHARDS = "remove_shards"
    SCALE_UP = "scale_up"
    SCALE_DOWN = "scale_down"
    ROTATE_AUTH_TOKEN = "rotate_auth_token"  # noqa: S105 - an action name, not a secret
    ROTATE_USER_PASSWORD = "rotate_user_password"  # noqa: S105 - an action name, not a secret

    @property
    def action(self) -> Action | None:
        """The engine action an operator asks for, or None for "evaluate": let the engine decide."""
        return None if self is RequestedAction.EVALUATE else Action(self.value)


_COUNT_ACTIONS = {
    RequestedAction.ADD_REPLICAS,
    RequestedAction.REMOVE_REPLICAS,
    RequestedAction.ADD_SHARDS,
    RequestedAction.REMOVE_SHARDS,
}
_NODE_TYPE_ACTIONS = {RequestedAction.SCALE_UP, RequestedAction.SCALE_DOWN}

Trigger = Literal["console", "alarm", "schedule"]
MAX_FOLLOW_UPS = 3


class WorkflowRequest(WireModel):
    """Every field an operator types is strict (DESIGN §9, issue 11 finding 2): pydantic's lax mode would
    read ``"false"``, ``"no"``, ``"off"``, ``"0"`` or ``0`` as ``False`` for ``dryRun`` and ``"2"`` as 2 for
    ``target``, so a console string could change a live group. A wrong type is an error naming the field.
    ``action`` and ``trigger`` are closed sets of strings (an enum, a Literal): anything else fails."""

    cluster: StrictStr = Field(pattern=CLUSTER_ID)
    action: RequestedAction = RequestedAction.EVALUATE
    target: StrictInt | StrictStr | None = None
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
