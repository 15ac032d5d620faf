"""The autoscaler's own AWS bill: list prices and the arithmetic over what its executions use.

Shared by the system benchmark (``tools.system_bench_cost``, which measures the usage on the local stack) and
the simulator (``simulator.control_plane``, which charges it to each simulated policy). Prices are us-east-1
list prices without free tiers (a per-cluster upper bound: the free tiers are shared by the account).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

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

# CloudWatch standard-resolution alarm: $0.10 per alarm metric per month, prorated by the hour (730 h).
# Source: https://aws.amazon.com/cloudwatch/pricing/ (Alarms).
CLOUDWATCH_ALARM_PER_HOUR = 0.10 / 730

# A change is waited for with WaitForChange -> Check -> ChangeFinished every checkIntervalSeconds (policy
# default 30) until the group is available.
CHECK_INTERVAL_SECONDS = 30
TRANSITIONS_PER_CHECK_LOOP = 3  # WaitForChange, Check, ChangeFinished


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


def check_loops_on_aws(change_minutes: float, interval_seconds: int = CHECK_INTERVAL_SECONDS) -> int:
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
