"""What a Serverless cache's CacheUsageLimits cost: the ceiling its maximums allow, the floor its minimums.

ElastiCache Serverless bills data stored (GB-hours, sampled several times a minute and averaged per hour) and
ElastiCache Processing Units (ECPUs). On-demand prices in us-east-1:

=========  ============  ==============  =========================
engine     per GB-hour   per million     minimum metered storage
                         ECPUs
=========  ============  ==============  =========================
Valkey     $0.084        $0.0023         100 MB
Redis OSS  $0.125        $0.0034         1 GB
Memcached  $0.125        $0.0034         1 GB
=========  ============  ==============  =========================

Sources: https://aws.amazon.com/elasticache/pricing/ (Serverless; "Valkey ... 33 % lower prices and 90 % lower
minimum data storage of 100 MB"; "metered for a minimum of 1 GB of data stored" for Memcached and Redis OSS)
and AWS's worked example at $0.125/GB-hour and $0.0034 per million ECPUs ("Unlock on-demand, cost-optimized
performance with Amazon ElastiCache Serverless", AWS Database Blog). A raised minimum is billed once in place
"even if your application is not executing requests" ("Pre-scaling with ElastiCache Serverless").
A month is 730 hours, as AWS's pricing pages count it.
"""

from dataclasses import dataclass

from elasticache_autoscaler.models.serverless import ServerlessEngine, UsageLimits

HOURS_PER_MONTH = 730
SECONDS_PER_HOUR = 3600


@dataclass(frozen=True, slots=True)
class ServerlessPrice:
    per_gb_hour: float
    per_million_ecpu: float
    minimum_metered_gb: float

    def storage_per_hour(self, gb: float) -> float:
        return gb * self.per_gb_hour

    def ecpu_per_hour(self, ecpu_per_second: float) -> float:
        return ecpu_per_second * SECONDS_PER_HOUR / 1_000_000 * self.per_million_ecpu

    def affordable_ecpu_per_second(self, dollars_per_hour: float) -> int:
        return int(dollars_per_hour / (SECONDS_PER_HOUR / 1_000_000 * self.per_million_ecpu))

    def affordable_gb(self, dollars_per_hour: float) -> int:
        return int(dollars_per_hour / self.per_gb_hour)


PRICES: dict[ServerlessEngine, ServerlessPrice] = {
    "valkey": ServerlessPrice(per_gb_hour=0.084, per_million_ecpu=0.0023, minimum_metered_gb=0.1),
    "redis": ServerlessPrice(per_gb_hour=0.125, per_million_ecpu=0.0034, minimum_metered_gb=1.0),
    "memcached": ServerlessPrice(per_gb_hour=0.125, per_million_ecpu=0.0034, minimum_metered_gb=1.0),
}


def ceiling_per_hour(engine: ServerlessEngine, limits: UsageLimits) -> float | None:
    """What one hour costs if the cache holds its data maximum and runs at its ECPU maximum all hour; None
    when a maximum is not set (nothing caps the bill)."""
    if limits.data_storage_max_gb is None or limits.ecpu_per_second_max is None:
        return None
    price = PRICES[engine]
    return round(
        price.storage_per_hour(limits.data_storage_max_gb) + price.ecpu_per_hour(limits.ecpu_per_second_max),
        6,
    )


def floor_per_hour(engine: ServerlessEngine, limits: UsageLimits) -> float:
    """What one hour costs at the least, idle: the minimums (or the minimum metered storage)."""
    price = PRICES[engine]
    stored = max(limits.data_storage_min_gb or 0, price.minimum_metered_gb)
    return round(price.storage_per_hour(stored) + price.ecpu_per_hour(limits.ecpu_per_second_min or 0), 6)


def per_month(per_hour: float) -> float:
    return round(per_hour * HOURS_PER_MONTH, 2)


def describe_cost(per_hour: float | None) -> str:
    return "unbounded" if per_hour is None else f"${per_hour:.4f}/h (${per_month(per_hour):.2f}/month)"
