"""What the autoscaler can do to a cluster."""

from enum import StrEnum


class Action(StrEnum):
    NONE = "none"
    ADD_REPLICAS = "add_replicas"
    REMOVE_REPLICAS = "remove_replicas"
    ADD_SHARDS = "add_shards"
    REMOVE_SHARDS = "remove_shards"
    SCALE_UP = "scale_up"
    SCALE_DOWN = "scale_down"
    ROTATE_AUTH_TOKEN = "rotate_auth_token"  # noqa: S105 - an action name, not a secret
    ROTATE_USER_PASSWORD = "rotate_user_password"  # noqa: S105 - an action name, not a secret

    @property
    def is_scale_out(self) -> bool:
        return self in _SCALE_OUT

    @property
    def is_scale_in(self) -> bool:
        return self in _SCALE_IN

    @property
    def is_topology_change(self) -> bool:
        return self in _SCALE_OUT | _SCALE_IN

    @property
    def is_rotation(self) -> bool:
        return self in {Action.ROTATE_AUTH_TOKEN, Action.ROTATE_USER_PASSWORD}

    @property
    def opposite(self) -> "Action | None":
        return _OPPOSITE.get(self)


_SCALE_OUT = frozenset({Action.ADD_REPLICAS, Action.ADD_SHARDS, Action.SCALE_UP})
_SCALE_IN = frozenset({Action.REMOVE_REPLICAS, Action.REMOVE_SHARDS, Action.SCALE_DOWN})
_OPPOSITE = {
    Action.ADD_REPLICAS: Action.REMOVE_REPLICAS,
    Action.REMOVE_REPLICAS: Action.ADD_REPLICAS,
    Action.ADD_SHARDS: Action.REMOVE_SHARDS,
    Action.REMOVE_SHARDS: Action.ADD_SHARDS,
    Action.SCALE_UP: Action.SCALE_DOWN,
    Action.SCALE_DOWN: Action.SCALE_UP,
}
