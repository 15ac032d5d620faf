"""The autoscaler's own AWS bill: pure arithmetic over what one evaluation uses (no AWS, no emulator).

`tools.system_bench` measures the usage on the local stack; this module prices it. Prices are us-east-1
list prices without free tiers (a per-cluster upper bound: the free tiers are shared by the account).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# ---- us-east-1 list prices (USD) ----------------------------------------------------------------------
# Step Functions Standard: "$0.025 per 1,000 state transitions", retries count as transitions.
# Source: https://aws.amazon.com/step-functions/pricing/ (US East (N. Virginia) $0.0250 per 1,000).
SFN_PER_TRANSITION = 0.025 / 1_000
# Lambda arm64: $0.0000133334 per GB-s (x86_64 $0.0000166667), $0.20 per 1M requests, billed per 1 ms.
# Source: https://aws.amazon.com/lambda/pricing/ (first 6 billion GB-s tier).
LAMBDA_PER_GB_SECOND_ARM64 = 0.0000133334
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
# DynamoDB on-demand after the 1 Nov 2024 50 % cut: $0.625 per million WRU, $0.125 per million RRU.
# Source: https://aws.amazon.com/dynamodb/pricing/on-demand/ ; 1 WRU = one write of up to 1 KB,
# 1 RRU = one strongly consistent read of up to 4 KB (an eventually consistent one is half).
DYNAMODB_PER_WRU = 0.625 / 1_000_000
DYNAMODB_PER_RRU = 0.125 / 1_000_000
# CloudWatch GetMetricData: $0.01 per 1,000 metrics requested.
# Source: https://aws.amazon.com/cloudwatch/pricing/ (API requests, GetMetricData).
CLOUDWATCH_PER_METRIC_REQUESTED = 0.01 / 1_000
# SNS standard topics: $0.50 per 1M publishes (64 KB chunks); deliveries to e-mail priced separately.
# Source: https://aws.amazon.com/sns/pricing/
SNS_PER_PUBLISH = 0.50 / 1_000_000
# SSM Parameter Store standard parameters with standard throughput and the ElastiCache control-plane API
# are free (https://aws.amazon.com/systems-manager/pricing/, https://aws.amazon.com/elasticache/pricing/).

# ---- the month ----------------------------------------------------------------------------------------
SCHEDULED_EVALUATIONS_PER_MONTH = 8_640  # rate(5 minutes): 12 / h x 24 h x 30 days
ASSUMED_ALARM_EVALUATIONS_PER_MONTH = 60  # assumption: two alarm-driven evaluations a day ...
ASSUMED_ALARM_SCALE_OUTS_PER_MONTH = 60  # ... and (pessimistically) every one of them acts
# A scale-out waits for ElastiCache: WaitForChange -> Check -> ChangeFinished every checkIntervalSeconds
# (policy default 30) until the group is available. Adding a replica takes ~10 minutes (typical figure of
# ../shared/data/elasticache_scaling_durations.csv); the emulator's change takes a fraction of a second.
ASSUMED_SCALE_OUT_MINUTES = 10
CHECK_INTERVAL_SECONDS = 30
TRANSITIONS_PER_CHECK_LOOP = 3  # WaitForChange, Check, ChangeFinished
WRU_BYTES = 1024
RRU_BYTES = 4096


@dataclass(frozen=True)
class Usage:
    """What one evaluation (or one schedule tick) consumes."""

    transitions: int = 0
    lambda_durations_ms: tuple[float, ...] = ()  # one entry per invocation
    lambda_memory_mb: int = 256
    dynamodb_wru: float = 0.0
    dynamodb_rru: float = 0.0
    metrics_requested: int = 0
    sns_publishes: int = 0
    free_calls: Mapping[str, int] = field(default_factory=dict)  # SSM, ElastiCache: counted, not priced

    @property
    def lambda_requests(self) -> int:
        return len(self.lambda_durations_ms)

    @property
    def lambda_gb_seconds(self) -> float:
        return billed_gb_seconds(self.lambda_durations_ms, self.lambda_memory_mb)


def billed_gb_seconds(durations_ms: Iterable[float], memory_mb: int) -> float:
    """Lambda bills each invocation's duration rounded up to the millisecond, times the memory in GB."""
    billed_ms = sum(math.ceil(d) for d in durations_ms)
    return billed_ms / 1000 * memory_mb / 1024


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


def cost_lines(usage: Usage) -> dict[str, float]:
    """USD per service for one use."""
    return {
        "Step Functions": usage.transitions * SFN_PER_TRANSITION,
        "Lambda requests": usage.lambda_requests * LAMBDA_PER_REQUEST,
        "Lambda duration": usage.lambda_gb_seconds * LAMBDA_PER_GB_SECOND_ARM64,
        "DynamoDB": usage.dynamodb_wru * DYNAMODB_PER_WRU + usage.dynamodb_rru * DYNAMODB_PER_RRU,
        "CloudWatch GetMetricData": usage.metrics_requested * CLOUDWATCH_PER_METRIC_REQUESTED,
        "SNS": usage.sns_publishes * SNS_PER_PUBLISH,
    }


def usage_cost(usage: Usage) -> float:
    return sum(cost_lines(usage).values())


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
    """How many WaitForChange -> Check rounds a change of this length takes: the last one sees it done."""
    return max(1, math.ceil(change_minutes * 60 / interval_seconds))


def with_check_loops(usage: Usage, measured_loops: int, loops: int, check_ms: float) -> Usage:
    """The same execution with `loops` check rounds instead of `measured_loops` (each round: 3 transitions,
    one Check invocation of `check_ms`)."""
    extra = loops - measured_loops
    if extra < 0:
        raise ValueError(f"{loops} check rounds assumed, fewer than the {measured_loops} measured")
    durations = usage.lambda_durations_ms + (check_ms,) * extra
    return replace(
        usage,
        transitions=usage.transitions + extra * TRANSITIONS_PER_CHECK_LOOP,
        lambda_durations_ms=durations,
    )
