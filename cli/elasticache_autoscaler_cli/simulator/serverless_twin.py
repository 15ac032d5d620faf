"""The Serverless twin's minute loop: load in, the cache's metrics out, new CacheUsageLimits in effect after
their lag (``serverless_physics``).

Each minute: a finished change's limits take effect; the trace row is served within them (throttled above
what the cache supports, data above the storage maximum evicted); cost and breaches are counted; the
controller sees the cache as CloudWatch and DescribeServerlessCaches show it and may propose new limits.
While a change runs the cache is ``modifying`` and any other proposal is refused.
"""

from dataclasses import dataclass
from typing import Protocol

from elasticache_autoscaler.engine.serverless_costs import ceiling_per_hour
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.serverless import UsageLimits
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import ServerlessSpec
from elasticache_autoscaler_cli.simulator.kind_result import KindResult
from elasticache_autoscaler_cli.simulator.result import ActionRecord
from elasticache_autoscaler_cli.simulator.serverless_physics import (
    ServerlessMinute,
    ServerlessPhysics,
    serverless_minute,
)
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag, Publisher, View, load_at


# Not a ``twin.Proposal``: no action derives from two sets of limits, so a Serverless proposal must name it.
@dataclass(frozen=True, slots=True)
class ServerlessProposal:
    target: UsageLimits
    reason: str
    action: Action


@dataclass(slots=True)
class ServerlessView(View[ServerlessSpec, UsageLimits, ServerlessMinute]):
    """A Serverless cache's ``View``: its limits now and the new datapoints (``None``: lost)."""

    limits: UsageLimits
    fresh: list[ServerlessMinute | None]


class ServerlessController(Protocol):
    name: str

    def step(self, view: ServerlessView) -> ServerlessProposal | None: ...


def change_minutes(physics: ServerlessPhysics, current: UsageLimits, target: UsageLimits) -> int:
    """A new minimum takes up to an hour; new maximums alone ``limit_change_minutes``."""
    minimums_change = (current.data_storage_min_gb, current.ecpu_per_second_min) != (
        target.data_storage_min_gb,
        target.ecpu_per_second_min,
    )
    return physics.minimum_change_minutes if minimums_change else physics.limit_change_minutes


def simulate_serverless(
    trace: Trace,
    spec: ServerlessSpec,
    controller: ServerlessController,
    physics: ServerlessPhysics | None = None,
    *,
    cloudwatch: CloudWatchLag | None = None,
) -> KindResult[UsageLimits]:
    """Replay ``trace`` from the cache's limits at minute 0; with ``cloudwatch`` the controller sees the
    metrics late and with gaps."""
    physics = physics or ServerlessPhysics()
    publisher = Publisher[ServerlessMinute](
        cloudwatch.published_after(len(trace)) if cloudwatch else list(range(len(trace)))
    )
    limits = spec.limits
    result = KindResult[UsageLimits](controller.name, "serverless", len(trace), limits, limits)
    causes = result.breach_minutes_by_cause = {"throttled": 0, "storage": 0}
    metrics: list[ServerlessMinute] = []
    pending: ActionRecord[UsageLimits] | None = None
    supported: float | None = None
    ceilings: list[float | None] = [ceiling_per_hour(spec.engine, limits)]

    for i in range(len(trace)):
        if pending is not None and i >= pending.finished_minute:
            limits, pending = pending.target, None
            ceilings.append(ceiling_per_hour(spec.engine, limits))
        minute = serverless_minute(
            physics, spec.engine, limits, load_at(trace, i), minute=i, previous_supported=supported
        )
        supported = minute.supported_ecpu_per_second
        metrics.append(minute)
        result.cost_usd += minute.cost_usd
        result.throttled_cmds += minute.throttled_cmds
        result.breach_minutes += minute.throttled or minute.data_over_maximum
        causes["throttled"] += minute.throttled
        causes["storage"] += minute.data_over_maximum

        fresh = publisher.after(i, metrics)
        view = ServerlessView(
            minute=i,
            spec=spec,
            pending=pending,
            metrics=publisher.seen,
            actions=result.actions,
            limits=limits,
            fresh=fresh,
        )
        proposal = controller.step(view)
        if proposal is None or pending is not None or proposal.target == limits:
            continue
        pending = ActionRecord[UsageLimits].decided_after(
            i,
            limits,
            proposal,
            action=proposal.action,
            minutes=change_minutes(physics, limits, proposal.target),
        )
        result.actions.append(pending)

    result.final = limits
    known = [c for c in ceilings if c is not None]
    result.peak_ceiling_per_hour = max(known) if len(known) == len(ceilings) else None
    return result
