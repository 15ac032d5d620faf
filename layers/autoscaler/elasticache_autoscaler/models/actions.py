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
    # Memcached clusters (node count; ``scale_up``/``scale_down`` change their node type too)
    ADD_NODES = "add_nodes"
    REMOVE_NODES = "remove_nodes"
    # Serverless caches (CacheUsageLimits)
    RAISE_LIMITS = "raise_limits"
    LOWER_LIMITS = "lower_limits"
    SET_MINIMUMS = "set_minimums"

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
    def is_other_kind(self) -> bool:
        """An action of a Memcached cluster or a Serverless cache, never of a replication group."""
        return self in _OTHER_KINDS

    @property
    def is_rotation(self) -> bool:
        return self in {Action.ROTATE_AUTH_TOKEN, Action.ROTATE_USER_PASSWORD}

    @property
    def opposite(self) -> "Action | None":
        return _OPPOSITE.get(self)


_SCALE_OUT = frozenset(
    {Action.ADD_REPLICAS, Action.ADD_SHARDS, Action.SCALE_UP, Action.ADD_NODES, Action.RAISE_LIMITS}
)
_SCALE_IN = frozenset(
    {
        Action.REMOVE_REPLICAS,
        Action.REMOVE_SHARDS,
        Action.SCALE_DOWN,
        Action.REMOVE_NODES,
        Action.LOWER_LIMITS,
    }
)
_OPPOSITE = {
    Action.ADD_REPLICAS: Action.REMOVE_REPLICAS,
    Action.REMOVE_REPLICAS: Action.ADD_REPLICAS,
    Action.ADD_SHARDS: Action.REMOVE_SHARDS,
    Action.REMOVE_SHARDS: Action.ADD_SHARDS,
    Action.SCALE_UP: Action.SCALE_DOWN,
    Action.SCALE_DOWN: Action.SCALE_UP,
    Action.ADD_NODES: Action.REMOVE_NODES,
    Action.REMOVE_NODES: Action.ADD_NODES,
    Action.RAISE_LIMITS: Action.LOWER_LIMITS,
    Action.LOWER_LIMITS: Action.RAISE_LIMITS,
}
_OTHER_KINDS = frozenset(
    {Action.ADD_NODES, Action.REMOVE_NODES, Action.RAISE_LIMITS, Action.LOWER_LIMITS, Action.SET_MINIMUMS}
)
