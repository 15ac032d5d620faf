"""What one simulation produced: cost, breach minutes by cause, actions, reversals, series to plot."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.serverless import UsageLimits

REVERSAL_WINDOW_MINUTES = 30


@dataclass(frozen=True, slots=True)
class ActionRecord[C: (Capacity | MemcachedCapacity | UsageLimits) = Capacity]:
    """One change of any kind of cache (a group's ``Capacity``, a Memcached cluster's, a Serverless cache's
    limits): called at ``started_minute``, the new capacity serving from ``finished_minute``."""

    action: Action
    started_minute: int
    finished_minute: int
    current: C
    target: C
    reason: str

    @classmethod
    def decided_after(
        cls, minute: int, current: C, proposal: "Proposed[C]", *, action: Action, minutes: int
    ) -> "ActionRecord[C]":
        """The change a controller proposed after minute ``minute``'s data: it starts with the next minute
        and serves ``minutes`` later."""
        return cls(
            action=action,
            started_minute=minute + 1,
            finished_minute=minute + 1 + minutes,
            current=current,
            target=proposal.target,
            reason=proposal.reason,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "startedMinute": self.started_minute,
            "finishedMinute": self.finished_minute,
            "from": self.current.describe(),
            "to": self.target.describe(),
            "reason": self.reason,
        }


class Proposed[C](Protocol):
    """A controller's proposal of any kind of cache: the capacity it wants and why."""

    @property
    def target(self) -> C: ...
    @property
    def reason(self) -> str: ...


class Timed(Protocol):
    """An action with when it was called and when its capacity served (a record of any kind of cache)."""

    @property
    def action(self) -> Action: ...
    @property
    def started_minute(self) -> int: ...
    @property
    def finished_minute(self) -> int: ...


def count_reversals(actions: Sequence[Timed], window_minutes: int = REVERSAL_WINDOW_MINUTES) -> int:
    """Actions that undo one which finished at most ``window_minutes`` before they started."""
    reversals = 0
    for i, later in enumerate(actions):
        opposite = later.action.opposite
        if opposite is None:
            continue
        if any(
            earlier.action is opposite and later.started_minute - earlier.finished_minute <= window_minutes
            for earlier in actions[:i]
        ):
            reversals += 1
    return reversals


class _Recorded(Protocol):
    def to_json(self) -> dict[str, object]: ...


class Outcome(Protocol):
    """What a simulation of any kind of cache counts alike."""

    @property
    def breach_minutes(self) -> int: ...
    @property
    def breach_minutes_by_cause(self) -> dict[str, int]: ...
    @property
    def actions(self) -> Sequence[_Recorded]: ...
    @property
    def reversals(self) -> int: ...
    @property
    def node_hours(self) -> float: ...


def outcome_json(result: Outcome) -> dict[str, object]:
    """The JSON of what every kind of simulation counts alike (breaches, actions, node-hours)."""
    return {
        "breach_minutes": result.breach_minutes,
        "breach_minutes_by_cause": dict(result.breach_minutes_by_cause),
        "actions": [a.to_json() for a in result.actions],
        "reversals": result.reversals,
        "node_hours": round(result.node_hours, 3),
    }


@dataclass(slots=True)
class Series:
    """Per-minute values for the plot (plain lists, appended by the minute loop)."""

    demand_ops: list[float] = field(default_factory=list)
    capacity_ops: list[float] = field(default_factory=list)
    dataset_gib: list[float] = field(default_factory=list)
    maxmemory_gib: list[float] = field(default_factory=list)
    nodes: list[int] = field(default_factory=list)
    breach: list[bool] = field(default_factory=list)


@dataclass(slots=True)
class SimulationResult:
    policy: str
    minutes: int
    initial: Capacity
    final: Capacity
    cost_usd: float = 0.0
    """The nodes' bill, as the twin bills them."""
    control_plane_usd: float = 0.0
    """The policy's own AWS bill (``control_plane``), when the bench has charged it."""
    node_hours: float = 0.0
    breach_minutes: int = 0
    breach_minutes_by_cause: dict[str, int] = field(
        default_factory=lambda: {"memory": 0, "cpu": 0, "network": 0}
    )
    actions: list[ActionRecord] = field(default_factory=list)
    series: Series = field(default_factory=Series)

    @property
    def total_usd(self) -> float:
        return self.cost_usd + self.control_plane_usd

    @property
    def reversals(self) -> int:
        return count_reversals(self.actions)

    def to_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "minutes": self.minutes,
            "cost_usd": round(self.cost_usd, 4),
            "control_plane_usd": round(self.control_plane_usd, 4),
            **outcome_json(self),
            "initial": self.initial.describe(),
            "final": self.final.describe(),
        }
