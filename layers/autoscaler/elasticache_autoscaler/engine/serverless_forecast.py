"""A Serverless cache's minimums ahead of a forecast peak (pre-warming), and back after it. Pure: ``now``
comes in.

With ``forecast.loadHistory`` on, the cache's own ECPU/s and storage history is forecast (``engine.forecast``
through ``engine.foresight``: the models, fallback and confidence gate a replication group's forecast uses)
over twice ``prewarmLeadSeconds`` (at most what the forecast reaches). The lead is at least an hour: AWS
applies a raised minimum within 60 minutes. For each minimum ``baseMinimums`` names, with ``soon`` the
forecast's highest period starting within the lead and ``ahead`` its highest over the whole reach:

- raise: ``soon`` is above the minimum the cache holds -> the minimum to ``ahead``, at most the policy's
  maximum for that limit (a maximum under the new minimum is raised to it, as a schedule's is). Not more:
  a minimum is billed used or not, so a right forecast costs nothing over the usage it foresaw; and a raise
  that covers the next lead too keeps a rising forecast from being followed in 5-minute steps;
- hold: the minimum held is at most ``ahead`` (or current usage, if higher) x (1 + ``headroomPercent``): the
  peak is still to come, or on;
- release: the minimum held is above that: the forecast peak has passed -> back to ``baseMinimums``, never
  below ``ahead`` itself (it would be raised again) nor below the usage of the last minutes (the minimum
  that usage fills costs nothing; without a datapoint nothing is lowered): a forecast alone never takes away
  capacity in use. The headroom is the hysteresis between raise and release.

A forecast that declines (too little history, gaps, no daily shape it can trust) holds nothing, and a
release is still never below current usage. The result is a floor per managed minimum, which
``engine.serverless`` combines with the schedules' (the larger wins). ``mode: forecast`` records a change the
forecast drives as what it would do (a dry run), as a replication group's forecast pre-scale is.
"""

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from elasticache_autoscaler.engine.foresight import Foresight, foresee
from elasticache_autoscaler.models.foresight import DRIVEN_BY_FORECAST, ForecastNote
from elasticache_autoscaler.models.kind_decision import ServerlessAction, ServerlessDecision
from elasticache_autoscaler.models.kind_policy import FORECAST_MAX_LEAD_SECONDS, ServerlessPolicy
from elasticache_autoscaler.models.load_history import ECPU_SIGNAL, STORAGE_SIGNAL, LoadHistory
from elasticache_autoscaler.models.serverless import UsageLimits


@dataclass(frozen=True, slots=True)
class ForecastFloor:
    """The least one managed minimum may be now: ``value`` (0: no floor), and whether the forecast asks for
    it (a raise or a hold) rather than current usage only (the floor of a release)."""

    value: int = 0
    by_forecast: bool = False


@dataclass(frozen=True, slots=True)
class ForecastMinimums:
    data_storage_gb: ForecastFloor
    ecpu_per_second: ForecastFloor
    reasons: tuple[str, ...]
    note: ForecastNote | None
    """What the forecast saw (each signal's peak against the minimum held), for the decision log."""
    foresaw: bool
    """A forecast was made of at least one managed minimum: a release it allows is the forecast's."""


@dataclass(frozen=True, slots=True)
class _Limit:
    signal: str
    unit: str
    base: int | None
    held: int
    bound: int
    bound_name: str
    in_use: float | None


def _floor(
    limit: _Limit, ahead: Foresight | None, policy: ServerlessPolicy, reasons: list[str]
) -> ForecastFloor:
    if limit.base is None:
        return ForecastFloor()  # not managed: the owner's minimum stays
    in_use = limit.held if limit.in_use is None else min(limit.held, ceil(round(limit.in_use, 6)))
    forecast = None if ahead is None else ahead.forecasts.get(limit.signal)
    if ahead is None or forecast is None:
        return ForecastFloor(in_use)
    lead = policy.prewarm_lead_seconds // 60
    soon, minutes = ahead.peaks(lead)[limit.signal]
    peak, peak_in = ahead.peaks(ahead.horizon_minutes)[limit.signal]
    wanted = ceil(round(peak, 6))
    seen = (
        f"forecast: {limit.signal} {soon:,.1f} in {minutes} min (within the {lead} min lead), peak "
        f"{peak:,.1f} in {peak_in} min ({forecast.model}, backtest error ratio {forecast.error_ratio:.2f})"
    )
    held = f"the minimum {limit.held:,} {limit.unit}"
    if soon > limit.held:
        target = min(max(wanted, limit.base), limit.bound)
        reasons.append(
            f"{seen}: above {held}: pre-warm to {target:,} ({limit.bound_name} {limit.bound:,}; AWS applies "
            "a raised minimum within 60 min)"
        )
        return ForecastFloor(target, by_forecast=True)
    busiest = max(peak, limit.in_use or 0.0)
    if limit.held <= ceil(round(busiest * (1 + policy.headroom_percent / 100), 6)):
        reasons.append(f"{seen}: {held} holds for it")
        return ForecastFloor(limit.held, by_forecast=True)
    usage = "no datapoint: not lowered" if limit.in_use is None else f"in use {limit.in_use:,.1f}"
    reasons.append(
        f"{seen}: {held} is above the peak and current usage x {1 + policy.headroom_percent / 100:g}: "
        f"the forecast peak has passed: back to baseMinimums {limit.base:,}, not below the forecast peak "
        f"nor current usage ({usage})"
    )
    return ForecastFloor(max(wanted, in_use))


def forecast_minimums(
    policy: ServerlessPolicy,
    limits: UsageLimits,
    *,
    storage_gb: float | None,
    ecpu_per_second: float | None,
    history: LoadHistory | None,
    now: datetime,
) -> ForecastMinimums:
    """The floor the forecast (and current usage: ``storage_gb``, ``ecpu_per_second``, None without a
    datapoint) puts under each managed minimum of ``limits``."""
    if not policy.forecast.load_history:
        off = "forecast: off (policy forecast.loadHistory is false: no load history read)"
        return ForecastMinimums(ForecastFloor(), ForecastFloor(), (off,), note=None, foresaw=False)
    reasons: list[str] = []
    ahead = None
    if history is None:
        reasons.append("forecast: no load history observed")
    else:
        reach = min(2 * policy.prewarm_lead_seconds, FORECAST_MAX_LEAD_SECONDS)
        ahead = foresee(history, now, reach // 60)
    base = policy.base_minimums
    storage = _Limit(
        STORAGE_SIGNAL,
        "GB",
        base.data_storage_gb,
        limits.data_storage_min_gb or 0,
        policy.max_data_storage_gb,
        "maxDataStorageGb",
        storage_gb,
    )
    ecpu = _Limit(
        ECPU_SIGNAL,
        "ECPU/s",
        base.ecpu_per_second,
        limits.ecpu_per_second_min or 0,
        policy.max_ecpu_per_second,
        "maxEcpuPerSecond",
        ecpu_per_second,
    )
    managed = [limit for limit in (storage, ecpu) if limit.base is not None]
    note = None
    foresaw = False
    if ahead is not None:
        reasons.extend(
            f"forecast declined: {limit.signal}: {ahead.declined[limit.signal]}"
            for limit in managed
            if limit.signal in ahead.declined
        )
        if not any(limit.signal in ahead.forecasts or limit.signal in ahead.declined for limit in managed):
            reasons.append("forecast: no usage in the load history")
        foresaw = any(limit.signal in ahead.forecasts for limit in managed)
        note = ahead.note({limit.signal: float(limit.held) for limit in (storage, ecpu)})
    return ForecastMinimums(
        data_storage_gb=_floor(storage, ahead, policy, reasons),
        ecpu_per_second=_floor(ecpu, ahead, policy, reasons),
        reasons=tuple(reasons),
        note=note,
        foresaw=foresaw,
    )


def trial(decision: ServerlessDecision, policy: ServerlessPolicy) -> ServerlessDecision:
    """``mode: forecast``: a change the forecast drives is recorded as what it would do, never executed."""
    if (
        policy.mode != "forecast"
        or decision.driven_by != DRIVEN_BY_FORECAST
        or decision.action is ServerlessAction.NONE
    ):
        return decision
    return decision.model_copy(
        update={
            "dry_run": True,
            "reasons": (
                *decision.reasons,
                "mode forecast: a change the forecast drives is recorded (dry run), not executed",
            ),
        }
    )
