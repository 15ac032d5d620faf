"""The decision: guards, then the rules of DESIGN §3 in order, into one explainable ``Decision``.

Rules: scale out (memory/evictions, write CPU, read CPU/connections, network), else scale out ahead of a
scheduled window, else ahead of a forecast peak (``pre_scale``; ``drivenBy`` names which), else scale in
(replica, shard, node type; never below a schedule's minimum), else rotate a due AUTH token. A forecast
never drives a scale-in. An operator's request replaces the rules but passes the same guards and bounds.
A wanted action stopped by a guard keeps its action with ``blockedBy`` set.
"""

from datetime import datetime

from elasticache_autoscaler.engine.costs import capacity_cost, hourly_cost
from elasticache_autoscaler.engine.forecast_score import ScoreCard, score_history
from elasticache_autoscaler.engine.guards import cooldown_guard, standing_guard
from elasticache_autoscaler.engine.manual import OperatorRequest, plan_request
from elasticache_autoscaler.engine.outcome import RuleOutcome
from elasticache_autoscaler.engine.pre_scale import foreseen, scheduled, threshold
from elasticache_autoscaler.engine.rotation import rotation, token_age_days
from elasticache_autoscaler.engine.scale_in import scale_in
from elasticache_autoscaler.engine.scale_out import scale_out
from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Decision
from elasticache_autoscaler.models.foresight import DRIVEN_BY_FORECAST, ForecastNote
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot

__all__ = ["OperatorRequest", "decide"]


def _automatic(sit: Situation) -> RuleOutcome:
    out = scale_out(sit)
    if out.plan is not None and out.refusal is None:
        return out
    ahead = scheduled(sit).after(out.reasons)
    if ahead.plan is not None:
        return ahead
    ahead = foreseen(sit).after(ahead.reasons)
    if ahead.plan is not None:
        return ahead
    if out.plan is not None:  # pressure stuck at bounds, and nothing foreseen to do instead
        return RuleOutcome(ahead.reasons, out.plan, out.refusal)
    inward = scale_in(sit).after(ahead.reasons)
    if inward.plan is not None:
        return inward
    return rotation(sit).after(inward.reasons)


def _forecast_note(sit: Situation) -> ForecastNote | None:
    if sit.foresight is None:
        return None
    return sit.foresight.note({signal: threshold(sit, signal) for signal in sit.foresight.forecasts})


def _trial(policy: Policy, outcome: RuleOutcome) -> tuple[str, ...]:
    """``forecast`` mode: a forecast-driven pre-scale is recorded as what it would do, never executed."""
    if policy.mode == "forecast" and outcome.driven_by == DRIVEN_BY_FORECAST and outcome.plan is not None:
        return ("mode forecast: a pre-scale the forecast drives is recorded (dry run), not executed",)
    return ()


def _signals(sit: Situation, snapshot: Snapshot, card: ScoreCard | None) -> dict[str, float | None]:
    age = token_age_days(sit)
    return (
        sit.signals.as_dict()
        | sit.window.as_dict()
        | {
            "authTokenAgeDays": None if age is None else round(age, 3),
            "rolesUnknownShards": float(len(snapshot.topology.shards_with_unknown_roles)),
        }
        | ({} if card is None else card.as_dict())
    )


def _score_card(sit: Situation) -> ScoreCard | None:
    """How the past forecasts in history did against the load that came (``forecast_score``)."""
    actual = sit.snapshot.load_history
    return None if actual is None else score_history(sit.history, actual)


def _roles_reason(snapshot: Snapshot) -> tuple[str, ...]:
    """Say so when a shard's primary is unknown (models.snapshot.apply_roles' conservative rule)."""
    unknown = snapshot.topology.shards_with_unknown_roles
    if not unknown:
        return ()
    return (
        f"roles unknown on shard(s) {', '.join(unknown)} (no single IsMaster=1 node): their engine CPU is "
        "read as neither write nor read CPU, so it is missing data and never a reason to scale in",
    )


def decide(
    snapshot: Snapshot,
    policy: Policy,
    history: History,
    now: datetime,
    request: OperatorRequest | None = None,
) -> Decision:
    sit = Situation.of(snapshot, policy, history, now)
    by_operator = request is not None and request.action is not Action.NONE
    dry_run = policy.mode == "observe" or (request is not None and request.dry_run)
    outcome = plan_request(sit, request) if request is not None and by_operator else _automatic(sit)
    trial = _trial(policy, outcome)
    dry_run = dry_run or bool(trial)
    note = None if by_operator else _forecast_note(sit)
    card = _score_card(sit)
    standing = standing_guard(snapshot, policy)
    reasons = (standing.reason, *_roles_reason(snapshot), *outcome.reasons, *trial)
    if card is not None:
        reasons += (card.describe(),)
    plan = outcome.plan
    engine = snapshot.topology.engine
    before = hourly_cost(engine, sit.current.node_type, snapshot.topology.node_count)
    if before is None:
        reasons += (f"cost: {sit.current.node_type} has no price in the node type catalog",)
    if plan is None:
        if not reasons[1:]:
            reasons += ("nothing to do",)
        return Decision(
            action=Action.NONE,
            current=sit.current,
            target=sit.current,
            reasons=reasons,
            signals=_signals(sit, snapshot, card),
            cost_per_hour_before=before or 0.0,
            cost_per_hour_after=before or 0.0,
            requested_by_operator=by_operator,
            dry_run=dry_run,
            forecast=note,
        )
    cooldown = cooldown_guard(plan.action, history, policy, now)
    reasons += (cooldown.reason,)
    blocked_by = standing.blocked_by or cooldown.blocked_by or outcome.refusal
    after = before if plan.target == sit.current else capacity_cost(engine, plan.target)
    return Decision(
        action=plan.action,
        current=sit.current,
        target=plan.target,
        reasons=reasons,
        blocked_by=blocked_by,
        signals=_signals(sit, snapshot, card),
        cost_per_hour_before=before or 0.0,
        cost_per_hour_after=after or 0.0,
        requested_by_operator=by_operator,
        dry_run=dry_run,
        approval_required=blocked_by is None and plan.action in policy.approval_required,
        shards_to_remove=plan.shards_to_remove,
        driven_by=outcome.driven_by,
        forecast=note,
    )
