"""The workflow's input: what an operator types in the Step Functions console, and what the triggers send.

``{"cluster": "orders-cache", "action": "add_replicas", "target": 2, "dryRun": false, "reason": "sale"}``
"""

import re
from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, StrictInt, StrictStr, model_validator

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


class WorkflowRequest(WireModel):
    cluster: str = Field(pattern=CLUSTER_ID)
    action: RequestedAction = RequestedAction.EVALUATE
    target: StrictInt | StrictStr | None = None
    dry_run: bool = True
    reason: str | None = Field(default=None, max_length=500)
    trigger: Trigger = "console"

    @model_validator(mode="after")
    def _target_fits_action(self) -> Self:
        target = self.target
        if self.action in _COUNT_ACTIONS:
            if target is not None and (not isinstance(target, int) or target < 0):
                raise ValueError(f"target must be a whole number >= 0 for {self.action.value}")
        elif self.action in _NODE_TYPE_ACTIONS:
            if target is not None and (not isinstance(target, str) or not NODE_TYPE.match(target)):
                raise ValueError(
                    f"target must be a node type such as cache.r7g.large for {self.action.value}"
                )
        elif target is not None:
            raise ValueError(f"target is not accepted for {self.action.value}")
        return self
