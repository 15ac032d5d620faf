"""Policies of the cache kinds other than replication groups: a Memcached cluster and a Serverless cache.

Strict like ``Policy``: an unknown field is an error that names it, and a field that belongs to another kind
of cache is an error that names the field and this kind ("minShards does not apply to a Memcached cluster"),
so a policy copied from a replication group fails loudly instead of silently doing nothing.

Memcached example::

    {"mode": "act", "minNodes": 2, "maxNodes": 12,
     "targets": {"cpuPercent": 60, "memoryPercent": 75, "connectionsPerNode": 50000},
     "maxStep": {"nodes": 2, "nodeSizes": 1}, "maxColdMissPercent": 25}

Serverless example::

    {"mode": "act", "budgetUsdPerMonth": 800, "maxDataStorageGb": 50, "maxEcpuPerSecond": 50000,
     "headroomPercent": 50, "raiseAtPercent": 75, "lowerBelowPercent": 30,
     "baseMinimums": {"dataStorageGb": 1, "ecpuPerSecond": 1000}, "forecast": {"loadHistory": true},
     "schedules": [{"name": "black-friday", "cron": "0 8 27 11 *", "timeZone": "America/New_York",
                    "durationMinutes": 720, "minimums": {"dataStorageGb": 20, "ecpuPerSecond": 40000}}]}
"""

from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, Field, model_validator

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.policy import ForecastSettings, Mode, NodeTypeRules, Policy
from elasticache_autoscaler.models.serverless_schedule import Minimums, ServerlessSchedule

FORECAST_MAX_LEAD_SECONDS = 23 * 3600
"""The longest ``prewarmLeadSeconds`` a forecast can serve: it reaches a day past the history's end
(``engine.forecast``), and the hourly cache of the history may end up to an hour before now."""
MEMCACHED_MAX_NODES = 40
"""ModifyCacheCluster ``NumCacheNodes``: "For clusters running Memcached, this value must be between 1 and 40"
(botocore's ElastiCache model)."""


def _field_names(model: type[BaseModel]) -> frozenset[str]:
    """Every spelling of the model's fields: camelCase alias and snake_case name."""
    names = set(model.model_fields)
    names |= {f.alias for f in model.model_fields.values() if f.alias}
    return frozenset(names)


class KindPolicy(WireModel):
    """Refuses fields of the other kinds, by name, before pydantic's generic "extra fields" error.

    The fields every kind shares with a replication group's ``Policy`` (the workflow reads them: the action
    timeout, approval) have the same names, meaning and defaults."""

    kind_name: ClassVar[str]
    _other_kinds: ClassVar[tuple[type[BaseModel], ...]] = ()

    action_timeout_seconds: int = Field(default=3600, ge=60)
    check_interval_seconds: int = Field(default=30, ge=1)
    approval_required: frozenset[Action] = frozenset()
    approval_timeout_seconds: int = Field(default=3600, ge=60, le=7 * 86400)

    @model_validator(mode="before")
    @classmethod
    def _no_field_of_another_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        own = _field_names(cls)
        foreign = frozenset().union(*(_field_names(other) for other in cls._other_kinds)) - own
        misplaced = sorted(str(key) for key in data if key in foreign)
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} does not apply to a {cls.kind_name}")
        return data


class MemcachedTargets(WireModel):
    """Memcached is multi-threaded: ``CPUUtilization`` is the host's CPU, there is no engine-CPU split."""

    cpu_percent: float = Field(default=60.0, gt=0, le=100)
    memory_percent: float = Field(default=75.0, gt=0, le=100)
    """``BytesUsedForCacheItems`` as a percentage of the node type's memory (catalog)."""
    connections_per_node: int = Field(default=50_000, gt=0, le=65_000)


class MemcachedMaxStep(WireModel):
    nodes: int = Field(default=2, ge=1, le=MEMCACHED_MAX_NODES)
    node_sizes: int = Field(default=1, ge=1)


class ScaleConfig(WireModel):
    """ModifyCacheCluster ``ScaleConfig`` for an online node type change, with AWS's ranges and defaults:
    ``ScalePercentage`` 10-100 (default 20) of the nodes at a time, ``ScaleIntervalMinutes`` 2-30 (default 5)
    between batches ("Scaling for Memcached clusters", ElastiCache user guide)."""

    scale_percentage: int = Field(default=20, ge=10, le=100)
    scale_interval_minutes: int = Field(default=5, ge=2, le=30)


class MemcachedPolicy(KindPolicy):
    kind_name: ClassVar[str] = "Memcached cluster"
    kind: Literal[CacheKind.MEMCACHED] = CacheKind.MEMCACHED

    mode: Mode = "observe"
    targets: MemcachedTargets = MemcachedTargets()
    tolerance: float = Field(default=0.1, ge=0, le=1)
    scale_in_factor: float = Field(default=0.75, gt=0, lt=1)
    min_nodes: int = Field(default=1, ge=1, le=MEMCACHED_MAX_NODES)
    max_nodes: int = Field(default=10, ge=1, le=MEMCACHED_MAX_NODES)
    node_types: NodeTypeRules = NodeTypeRules()
    max_step: MemcachedMaxStep = MemcachedMaxStep()
    scale_config: ScaleConfig = ScaleConfig()
    max_cold_miss_percent: float = Field(default=25.0, gt=0, le=100)
    """The largest share of the keyspace one scale-in may empty (consistent hashing: removing k of N nodes
    cold-misses about k/N of the keys until the clients re-fill them)."""
    scale_out_evaluation_seconds: int = Field(default=180, ge=60)
    scale_out_cooldown_seconds: int = Field(default=300, ge=0)
    scale_in_cooldown_seconds: int = Field(default=1800, ge=0)
    scale_in_stabilization_seconds: int = Field(default=1800, ge=60)
    scale_in_enabled: bool = True
    circuit_breaker_failures: int = Field(default=3, ge=1)
    notification_topic_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sns:")

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Self:
        if self.min_nodes > self.max_nodes:
            raise ValueError("minNodes must not exceed maxNodes")
        return self


class ServerlessPolicy(KindPolicy):
    """How far the autoscaler may move a Serverless cache's CacheUsageLimits, and what it may spend.

    The maximums cap the bill: a cache that used its maximums all month would cost ``ceiling`` (see
    ``engine.serverless_costs``); a raise never takes that ceiling above ``budgetUsdPerMonth``.
    """

    kind_name: ClassVar[str] = "Serverless cache"
    kind: Literal[CacheKind.SERVERLESS] = CacheKind.SERVERLESS

    mode: Mode = "observe"
    budget_usd_per_month: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """The most the cache may cost in a month if it used its maximums all month; None: the bounds only."""
    min_data_storage_gb: int = Field(default=1, ge=1)
    """The lowest ``DataStorage.Maximum`` the autoscaler sets when it lowers it."""
    max_data_storage_gb: int = Field(default=100, ge=1)
    min_ecpu_per_second: int = Field(default=1000, ge=1)
    max_ecpu_per_second: int = Field(default=100_000, ge=1)
    headroom_percent: float = Field(default=50.0, ge=0, le=1000)
    """A maximum is set to the observed peak x (1 + headroom)."""
    raise_at_percent: float = Field(default=75.0, gt=0, le=100)
    """Raise a maximum once usage reaches this share of it (AWS recommends an alarm at 75 % of a maximum)."""
    lower_below_percent: float = Field(default=30.0, gt=0, lt=100)
    """Lower a maximum once usage stayed below this share of it for the whole stabilization window."""
    scale_out_evaluation_seconds: int = Field(default=180, ge=60)
    scale_out_cooldown_seconds: int = Field(default=300, ge=0)
    scale_in_cooldown_seconds: int = Field(default=3600, ge=0)
    scale_in_stabilization_seconds: int = Field(default=3600, ge=60)
    prewarm_lead_seconds: int = Field(default=3600, ge=3600, le=7 * 86400)
    """How long before the expected peak a raised minimum is set: AWS applies a new minimum within 60 minutes
    ("Pre-scaling with ElastiCache Serverless", ElastiCache user guide), so never less than an hour."""
    base_minimums: Minimums = Minimums()
    """The minimums outside every schedule window; the autoscaler manages only a minimum named here (None:
    leaves it as the owner set it). A schedule may raise only a minimum that has a base to go back to."""
    schedules: tuple[ServerlessSchedule, ...] = Field(default=(), max_length=20)
    """Windows that hold higher minimums, from ``prewarmLeadSeconds`` before each start to its end."""
    forecast: ForecastSettings = ForecastSettings()
    """``loadHistory``: read the cache's ECPU and storage history so that a confident forecast raises the
    managed minimums ``prewarmLeadSeconds`` ahead of a peak and releases them after it
    (``engine.serverless_forecast``); ``mode: forecast`` records such a change as a dry run."""
    circuit_breaker_failures: int = Field(default=3, ge=1)
    notification_topic_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sns:")

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Self:
        if self.min_data_storage_gb > self.max_data_storage_gb:
            raise ValueError("minDataStorageGb must not exceed maxDataStorageGb")
        if self.min_ecpu_per_second > self.max_ecpu_per_second:
            raise ValueError("minEcpuPerSecond must not exceed maxEcpuPerSecond")
        if self.lower_below_percent >= self.raise_at_percent:
            raise ValueError("lowerBelowPercent must be below raiseAtPercent")
        self._minimums_fit(self.base_minimums, "baseMinimums")
        names = [schedule.name for schedule in self.schedules]
        if len(set(names)) != len(names):
            raise ValueError("schedules: every schedule needs a name of its own")
        for schedule in self.schedules:
            self._minimums_fit(schedule.minimums, f"schedule {schedule.name}: minimums")
        self._forecast_can_prewarm()
        return self

    def _forecast_can_prewarm(self) -> None:
        if not self.forecast.load_history:
            return
        if self.base_minimums.data_storage_gb is None and self.base_minimums.ecpu_per_second is None:
            raise ValueError(
                "forecast.loadHistory needs baseMinimums.dataStorageGb or baseMinimums.ecpuPerSecond: "
                "the minimums a forecast raises and goes back to"
            )
        if self.prewarm_lead_seconds > FORECAST_MAX_LEAD_SECONDS:
            raise ValueError(
                f"forecast.loadHistory: prewarmLeadSeconds {self.prewarm_lead_seconds} is beyond what a "
                f"forecast reaches ({FORECAST_MAX_LEAD_SECONDS})"
            )

    def _minimums_fit(self, minimums: Minimums, where: str) -> None:
        """Each minimum within the policy's bound of its maximum; a schedule's above a base it returns to."""
        base = self.base_minimums
        limits = (
            ("dataStorageGb", minimums.data_storage_gb, base.data_storage_gb, self.max_data_storage_gb),
            ("ecpuPerSecond", minimums.ecpu_per_second, base.ecpu_per_second, self.max_ecpu_per_second),
        )
        bounds = {"dataStorageGb": "maxDataStorageGb", "ecpuPerSecond": "maxEcpuPerSecond"}
        for name, value, floor, bound in limits:
            if value is None:
                continue
            if value > bound:
                raise ValueError(f"{where}.{name} {value} exceeds {bounds[name]} {bound}")
            if minimums is base:
                continue
            if floor is None:
                raise ValueError(
                    f"{where}.{name} needs baseMinimums.{name}: the minimum to go back to after the window"
                )
            if value <= floor:
                raise ValueError(f"{where}.{name} {value} is not above baseMinimums.{name} {floor}")


MemcachedPolicy._other_kinds = (Policy, ServerlessPolicy)
ServerlessPolicy._other_kinds = (Policy, MemcachedPolicy)
