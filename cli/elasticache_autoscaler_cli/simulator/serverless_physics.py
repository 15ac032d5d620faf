"""The Serverless twin's physics: demand in ECPUs, the cache's own scaling lag, throttling at the maximum,
data over the storage maximum, and the bill.

- **ECPUs.** A command costs 1 ECPU per KiB transferred, at least 1 (ElastiCache pricing: "Simple reads and
  writes require 1 ECPU for each kilobyte (KB) of data transferred"): demand = commands/s x
  max(1, item bytes / 1024).
- **The cache's own scaling.** ElastiCache Serverless scales itself, but not instantly: it can double the
  requests per second it supports every 2-3 minutes (ElastiCache user guide, "Scaling ElastiCache
  Serverless", for Valkey). The twin's supported ECPU/s follows demand down at once and up at most x2 every
  ``doubling_minutes`` (3, the slow end), never below the ECPU/s minimum nor above the maximum.
- **Throttling.** Demand above what is supported (the maximum, or the scaling lag) is throttled:
  ``ThrottledCmds`` counts that share of the minute's commands; they are not billed.
- **Storage.** Data above the ``DataStorage`` maximum is evicted (LRU over keys with a TTL, then writes are
  refused with OOM): the cache holds the maximum, and the minute is a breach.
- **Billing** (``engine.serverless_costs.PRICES``, AWS's on-demand prices): GB-hours of the data held, at
  least the storage minimum and the engine's minimum metered storage, and the ECPUs served, at least the
  ECPU/s minimum, per minute.
"""

from dataclasses import dataclass

from elasticache_autoscaler.engine.serverless_costs import PRICES
from elasticache_autoscaler.models.serverless import ServerlessEngine, UsageLimits
from elasticache_autoscaler_cli.simulator.physics import GIB, Load

BYTES_PER_GB = 1e9


@dataclass(frozen=True, slots=True)
class ServerlessPhysics:
    ecpu_bytes: float = 1024.0
    """Bytes transferred per ECPU (a command costs at least 1)."""
    doubling_minutes: float = 3.0
    """How long the cache's own scaling takes to double the ECPU/s it supports."""
    limit_change_minutes: int = 5
    """From ModifyServerlessCache to new maximums in effect: AWS publishes no figure; an estimate."""
    minimum_change_minutes: int = 60
    """A new minimum takes up to an hour to apply ("Pre-scaling with ElastiCache Serverless")."""

    def demand_ecpu_per_second(self, load: Load) -> float:
        per_command = max(1.0, load.avg_item_bytes / self.ecpu_bytes)
        return (load.reads_per_s + load.writes_per_s) * per_command

    def supported(self, previous: float | None, demand: float, limits: UsageLimits) -> float:
        """The ECPU/s the cache serves at most this minute, after ``previous`` (None: the first minute,
        already scaled to its demand)."""
        wanted = max(demand, float(limits.ecpu_per_second_min or 0))
        if previous is not None:
            wanted = min(wanted, previous * 2 ** (1 / self.doubling_minutes))
        if limits.ecpu_per_second_max is not None:
            wanted = min(wanted, float(limits.ecpu_per_second_max))
        return wanted


@dataclass(frozen=True, slots=True)
class ServerlessMinute:
    """One minute of the cache, as CloudWatch reports it (``BytesUsedForCache`` Maximum,
    ``ElastiCacheProcessingUnits`` Sum, ``ThrottledCmds`` Sum) plus what the twin knows beside it."""

    minute: int
    bytes_used: float
    ecpu: float
    throttled_cmds: float
    supported_ecpu_per_second: float
    data_over_maximum: bool
    cost_usd: float

    @property
    def throttled(self) -> bool:
        return self.throttled_cmds > 0


def serverless_minute(
    physics: ServerlessPhysics,
    engine: ServerlessEngine,
    limits: UsageLimits,
    load: Load,
    *,
    minute: int,
    previous_supported: float | None,
) -> ServerlessMinute:
    demand = physics.demand_ecpu_per_second(load)
    supported = physics.supported(previous_supported, demand, limits)
    served = min(demand, supported)
    commands = (load.reads_per_s + load.writes_per_s) * 60
    throttled = commands * (demand - served) / demand if demand > 0 else 0.0
    data_gb = load.dataset_gib * GIB / BYTES_PER_GB
    maximum = limits.data_storage_max_gb
    held_gb = data_gb if maximum is None else min(data_gb, float(maximum))
    price = PRICES[engine]
    billed_gb = max(held_gb, float(limits.data_storage_min_gb or 0), price.minimum_metered_gb)
    billed_ecpu = max(served, float(limits.ecpu_per_second_min or 0))
    return ServerlessMinute(
        minute=minute,
        bytes_used=held_gb * BYTES_PER_GB,
        ecpu=served * 60,
        throttled_cmds=throttled,
        supported_ecpu_per_second=supported,
        data_over_maximum=maximum is not None and data_gb > maximum,
        cost_usd=(price.storage_per_hour(billed_gb) + price.ecpu_per_hour(billed_ecpu)) / 60,
    )
