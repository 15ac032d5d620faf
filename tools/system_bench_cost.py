"""The autoscaler's own AWS bill: pure arithmetic over what one evaluation uses (no AWS, no emulator).

`tools.system_bench` measures the usage on the local stack; this module prices it with the list prices and
usage arithmetic of `elasticache_autoscaler_cli.own_cost` (which the simulator shares), adding DynamoDB item
sizing and the month.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from elasticache_autoscaler_cli import own_cost
from elasticache_autoscaler_cli.own_cost import (
    CHECK_INTERVAL_SECONDS,
    TRANSITIONS_PER_CHECK_LOOP,
    Usage,
    billed_gb_seconds,
    cost_lines,
    usage_cost,
    with_check_loops,
)

# Re-exported: the system benchmark and its tests price through this module.
__all__ = [
    "CHECK_INTERVAL_SECONDS",
    "TRANSITIONS_PER_CHECK_LOOP",
    "MonthRow",
    "Usage",
    "billed_gb_seconds",
    "check_loops_on_aws",
    "cost_lines",
    "item_size",
    "monthly_rows",
    "monthly_total",
    "read_units",
    "usage_cost",
    "with_check_loops",
    "write_units",
]

# ---- the month ----------------------------------------------------------------------------------------
SCHEDULED_EVALUATIONS_PER_MONTH = 8_640  # rate(5 minutes): 12 / h x 24 h x 30 days
ASSUMED_ALARM_EVALUATIONS_PER_MONTH = 60  # assumption: two alarm-driven evaluations a day ...
ASSUMED_ALARM_SCALE_OUTS_PER_MONTH = 60  # ... and (pessimistically) every one of them acts
# A scale-out waits for ElastiCache: WaitForChange -> Check -> ChangeFinished every checkIntervalSeconds
# (policy default 30) until the group is available. Adding a replica takes ~10 minutes (typical figure of
# ../shared/data/elasticache_scaling_durations.csv); the emulator's change takes a fraction of a second.
ASSUMED_SCALE_OUT_MINUTES = 10
WRU_BYTES = 1024
RRU_BYTES = 4096


def write_units(item_bytes: int) -> int:
    """On-demand WRU of one standard write (put/update/delete) of an item of this size: 1 per KB started."""
    return max(1, math.ceil(item_bytes / WRU_BYTES))


def read_units(item_bytes: int, consistent: bool) -> float:
    """On-demand RRU of a read returning this many bytes: 1 per 4 KB started, half if not consistent."""
    units = max(1, math.ceil(item_bytes / RRU_BYTES))
    return float(units) if consistent else units / 2


def item_size(item: Mapping[str, Any]) -> int:
    """DynamoDB's item size of a wire-format item: attribute names plus values (the documented rules)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:  # noqa: PLR0911 - one return per DynamoDB type
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(str(raw).encode())
    if kind == "N":  # up to 38 significant digits, ~1 byte per 2 digits + 1
        return math.ceil(len(str(raw).lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return math.ceil(len(str(raw)) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in raw)
    return len(str(raw))


@dataclass(frozen=True)
class MonthRow:
    name: str
    per_month: float  # how many times a month
    usage: Usage

    @property
    def lines(self) -> dict[str, float]:
        return {k: v * self.per_month for k, v in cost_lines(self.usage).items()}

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def monthly_rows(
    evaluate: Usage,
    scale_out: Usage,
    tick: Usage,
    *,
    clusters_per_tick: int = 1,
    scheduled: int = SCHEDULED_EVALUATIONS_PER_MONTH,
    alarm_scale_outs: int = ASSUMED_ALARM_SCALE_OUTS_PER_MONTH,
) -> list[MonthRow]:
    """One managed cluster's month: every schedule tick evaluates it once (the tick's own Lambda
    invocation shared by `clusters_per_tick` clusters; 1 = worst case), plus the alarm-driven scale-outs."""
    return [
        MonthRow("scheduled evaluate", scheduled, evaluate),
        MonthRow(f"schedule tick (1/{clusters_per_tick})", scheduled / clusters_per_tick, tick),
        MonthRow("alarm -> scale-out", alarm_scale_outs, scale_out),
    ]


def monthly_total(rows: Iterable[MonthRow]) -> float:
    return sum(row.total for row in rows)


def check_loops_on_aws(
    change_minutes: float = ASSUMED_SCALE_OUT_MINUTES, interval_seconds: int = CHECK_INTERVAL_SECONDS
) -> int:
    """How many WaitForChange -> Check rounds a change of this length takes (the assumed 10 minutes)."""
    return own_cost.check_loops_on_aws(change_minutes, interval_seconds)
