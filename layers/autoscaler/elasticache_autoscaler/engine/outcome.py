"""What one rule (or an operator's request) proposes: a plan, the reasons it gave, and any refusal."""

from dataclasses import dataclass

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Blocked, Capacity


@dataclass(frozen=True, slots=True)
class Plan:
    action: Action
    target: Capacity
    shards_to_remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """``plan`` is the change wanted; ``refusal`` says why it cannot be done at all.

    A refused plan keeps the wanted action with ``target`` equal to the current capacity.
    """

    reasons: tuple[str, ...]
    plan: Plan | None = None
    refusal: Blocked | None = None
    driven_by: str | None = None
    """``schedule:<name>`` or ``forecast`` when foresight, not a signal, wants the plan
    (``Decision.drivenBy``)."""

    def after(self, earlier: tuple[str, ...]) -> "RuleOutcome":
        """The same outcome with the reasons of rules considered before it in front."""
        return RuleOutcome(earlier + self.reasons, self.plan, self.refusal, self.driven_by)
