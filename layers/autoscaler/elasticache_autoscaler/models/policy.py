"""The per-cluster scaling policy, as stored (JSON) in SSM Parameter Store. Safe by default: observe only.

Example (every field is optional; the stack-wide default and a per-cluster override are deep-merged)::

    {"mode": "act",
     "targets": {"memoryPercent": 75, "writeCpuPercent": 60, "readCpuPercent": 60,
                 "connectionsPerNode": 50000},
     "minShards": 2, "maxShards": 8, "minReplicasPerShard": 1, "maxReplicasPerShard": 3,
     "nodeTypes": {"families": [{"family": "r7g", "minSize": "large", "maxSize": "4xlarge"}]},
     "maxStep": {"replicas": 1, "shards": 2, "nodeSizes": 1},
     "scaleInStabilizationSeconds": 1800,
     "rotation": {"intervalDays": 30, "gracePeriodSeconds": 3600},
     "approvalRequired": ["scale_down", "remove_shards"],
     "schedules": [{"name": "business-hours", "cron": "0 8 * * MON-FRI", "timeZone": "Europe/Paris",
                    "durationMinutes": 600, "minShards": 4, "minReplicasPerShard": 2},
                   {"name": "black-friday", "cron": "0 0 27 11 *", "timeZone": "America/New_York",
                    "durationMinutes": 4320, "minNodeType": "cache.r7g.2xlarge",
                    "startTime": "2026-11-01T00:00:00Z", "endTime": "2026-12-01T00:00:00Z"}]}

``mode``: ``observe`` (the default), ``act`` or ``forecast`` (see ``Mode``). ``schedules``: windows that hold
at least a capacity, and start scaling out ahead of each window by the time the action takes (see
``models.schedule`` and docs/decisions.md). ``forecast.loadHistory``: read the group's load history so
that a forecast can pre-scale (``ForecastSettings``; off by default).
"""

import re
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.schedule import Schedule

Mode = Literal["observe", "act", "forecast"]
"""``observe``: record every decision, execute none. ``act``: execute them, a forecast's pre-scale too.
``forecast``: execute like ``act``, except a pre-scale a forecast drives, which is recorded as what it
*would* have done (a dry run) and scored later: a trial of the forecast on this group before trusting it."""

# Node sizes from smallest to largest, across every family: a "step" of node size is one rung here.
SIZE_LADDER = (
    "nano",
    "micro",
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "4xlarge",
    "8xlarge",
    "12xlarge",
    "16xlarge",
    "24xlarge",
)
NODE_TYPE_NAME = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
FAMILY_NAME = re.compile(r"^[a-z][a-z0-9]*$")


def size_rank(node_type_or_size: str) -> int | None:
    """The rung of a size (``xlarge``) or node type (``cache.r7g.xlarge``) on the size ladder, if known."""
    size = node_type_or_size.rsplit(".", 1)[-1]
    return SIZE_LADDER.index(size) if size in SIZE_LADDER else None


def family_of(node_type: str) -> str:
    """``cache.r7g.xlarge`` -> ``r7g``."""
    parts = node_type.split(".")
    return parts[1] if len(parts) == 3 else node_type


BURSTABLE_FAMILY = re.compile(r"^t[0-9]")


def is_burstable(node_type: str) -> bool:
    """``cache.t4g.medium`` -> True: a burstable type, whose CPU credits run out under sustained load."""
    return bool(BURSTABLE_FAMILY.match(family_of(node_type)))


class Targets(WireModel):
    """What "busy enough" means: scale out above target x (1 + tolerance), in below target x scaleInFactor.

    ``cpuScaleOutFloorPercent`` (default 80): engine CPU (write or read) above its threshold scales out only
    when its trend-aware view, or where its steady slope leads within a replica's 10-min lead time, is above
    this too. Under it the engine thread has headroom to the 90 % where it saturates: a change decided for
    a burst serves after the burst, and one for a hot shard puts the whole group on larger nodes. The target
    still sizes every change and judges every scale-in. 0: scale out at the threshold (target tracking)."""

    memory_percent: float = Field(default=75.0, gt=0, le=100)
    write_cpu_percent: float = Field(default=60.0, gt=0, le=100)
    read_cpu_percent: float = Field(default=60.0, gt=0, le=100)
    connections_per_node: int = Field(default=50_000, gt=0, le=65_000)
    cpu_scale_out_floor_percent: float = Field(default=80.0, ge=0, le=100)


class NodeFamilyRange(WireModel):
    family: str = Field(pattern=FAMILY_NAME)
    min_size: str | None = None
    max_size: str | None = None

    @model_validator(mode="after")
    def _sizes_are_known_and_ordered(self) -> Self:
        low = self._rank("minSize", self.min_size)
        high = self._rank("maxSize", self.max_size)
        if low is not None and high is not None and low > high:
            raise ValueError("minSize must not be larger than maxSize")
        return self

    @staticmethod
    def _rank(field: str, size: str | None) -> int | None:
        if size is None:
            return None
        rank = size_rank(size)
        if rank is None:
            raise ValueError(f"{field} must be one of {', '.join(SIZE_LADDER)}")
        return rank

    def allows(self, node_type: str) -> bool:
        if family_of(node_type) != self.family:
            return False
        rank = size_rank(node_type)
        if rank is None:
            return False
        low = size_rank(self.min_size) if self.min_size else None
        high = size_rank(self.max_size) if self.max_size else None
        return (low is None or rank >= low) and (high is None or rank <= high)


class NodeTypeRules(WireModel):
    """Which node types the autoscaler may move to: an explicit list, or families with a size range.

    Both empty means any type that ElastiCache allows (ListAllowedNodeTypeModifications) for the group,
    except a burstable one (t3, t4g: CPU credits run out under sustained load) unless the group already runs
    on one. A type is allowed when it is in ``types`` or inside one of ``families`` (burstable ones too).
    """

    types: tuple[str, ...] = ()
    families: tuple[NodeFamilyRange, ...] = ()

    @model_validator(mode="after")
    def _types_look_like_node_types(self) -> Self:
        for name in self.types:
            if not NODE_TYPE_NAME.match(name):
                raise ValueError("types must be node type names such as cache.r7g.large")
        return self

    @property
    def unrestricted(self) -> bool:
        return not self.types and not self.families

    def allows(self, node_type: str, current: str | None = None) -> bool:
        """Whether the group may move to ``node_type``; ``current``: the type it runs on now."""
        if node_type in self.types or any(rule.allows(node_type) for rule in self.families):
            return True
        if not self.unrestricted:
            return False
        return not is_burstable(node_type) or (current is not None and is_burstable(current))


class MaxStep(WireModel):
    """The largest change one action may make: replicas per shard, shards, rungs of node size."""

    replicas: int = Field(default=2, ge=1)
    shards: int = Field(default=2, ge=1)
    node_sizes: int = Field(default=1, ge=1)


class Rotation(WireModel):
    """AUTH token (and RBAC user password) rotation. No ``intervalDays``: never rotated automatically."""

    interval_days: int | None = Field(default=None, ge=1)
    grace_period_seconds: int = Field(default=3600, ge=0)
    users: tuple[str, ...] = ()
    secret_arn: str | None = None
    user_secret_arns: dict[str, str] = Field(
        default_factory=dict, description="per-user secret ARN; default: the naming convention"
    )


class ScaleInGate(WireModel):
    """What a scale-in must clear besides "every signal low" (issue 12: no flapping on real load).

    - ``lookbackSeconds``: the recommendation is stabilised, HPA-style: a scale-in is sized on each signal's
      peak over this lookback (at least the stabilization window), so its target is never below the
      recommendation of any minute in it. ``observe`` fetches this much metric history.
    - ``recurrenceDays``: the load is taken to recur at the same time of day: a scale-out decided
      within ``savingsHorizonSeconds`` after this time of day, that many days ago (from the decision history),
      is the next likely scale-out. The decision history must reach back that far (``historyLookbackDays``).
    - the savings-versus-disruption gate: a scale-in goes ahead only if what it saves before the next likely
      scale-out (the hourly cost difference x the hours until then, at most ``savingsHorizonSeconds``; the
      horizon when nothing recurs) exceeds ``disruptionCostUsd``, what one scale-in and its re-add cost
      beyond the bill: client reconnects and cold cache on the re-added node, a change the operator reads,
      and the breach risk of the re-add's lead time. A next likely scale-out sooner than the removal plus
      the re-add's lead time plus 30 minutes always blocks (it would be a reversal).
    """

    lookback_seconds: int = Field(default=7200, ge=60, le=3 * 3600)
    recurrence_days: tuple[int, ...] = Field(default=(1, 7), max_length=4)
    savings_horizon_seconds: int = Field(default=6 * 3600, ge=3600, le=7 * 86400)
    disruption_cost_usd: float = Field(default=1.0, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _days_are_positive(self) -> Self:
        if any(day < 1 or day > 28 for day in self.recurrence_days):
            raise ValueError("recurrenceDays must be between 1 and 28")
        return self


class ForecastSettings(WireModel):
    """Whether ``observe`` reads the cache's load history for the forecast (``engine.forecast``); a
    replication group's and a Serverless cache's policy share it.

    ``loadHistory`` (default off): fetch the cache's own CloudWatch history at 5-minute periods over
    ``HISTORY_DAYS`` days, at most once an hour (cached in the state table; later fetches ask only for the
    periods since), so that forecasts can drive pre-scaling (a group) or pre-warming (a Serverless cache's
    minimums). Off, no forecast is made and every decision says so. Its CloudWatch cost is in
    docs/decisions.md ("Where the load history comes from")."""

    load_history: bool = False


class Policy(WireModel):
    kind: ClassVar[CacheKind] = CacheKind.REPLICATION_GROUP

    mode: Mode = "observe"
    targets: Targets = Targets()
    tolerance: float = Field(default=0.1, ge=0, le=1)
    scale_in_factor: float = Field(default=0.75, gt=0, lt=1)
    min_replicas_per_shard: int = Field(default=1, ge=0, le=5)
    max_replicas_per_shard: int = Field(default=5, ge=0, le=5)
    min_shards: int = Field(default=1, ge=1, le=500)
    max_shards: int = Field(default=10, ge=1, le=500)
    node_types: NodeTypeRules = NodeTypeRules()
    max_step: MaxStep = MaxStep()
    scale_out_evaluation_seconds: int = Field(default=180, ge=60)
    scale_out_cooldown_seconds: int = Field(default=300, ge=0)
    scale_in_cooldown_seconds: int = Field(default=1800, ge=0)
    scale_in_stabilization_seconds: int = Field(default=1800, ge=60)
    scale_in_enabled: bool = True
    scale_in_gate: ScaleInGate = ScaleInGate()
    rotation: Rotation = Rotation()
    approval_required: frozenset[Action] = frozenset({Action.SCALE_DOWN, Action.REMOVE_SHARDS})
    notification_topic_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sns:")
    circuit_breaker_failures: int = Field(default=3, ge=1)
    action_timeout_seconds: int = Field(default=3600, ge=60)
    approval_timeout_seconds: int = Field(default=3600, ge=60, le=7 * 86400)
    check_interval_seconds: int = Field(default=30, ge=1)
    schedules: tuple[Schedule, ...] = Field(default=(), max_length=20)
    forecast: ForecastSettings = ForecastSettings()

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Self:
        if self.min_replicas_per_shard > self.max_replicas_per_shard:
            raise ValueError("minReplicasPerShard must not exceed maxReplicasPerShard")
        if self.min_shards > self.max_shards:
            raise ValueError("minShards must not exceed maxShards")
        return self

    @model_validator(mode="after")
    def _schedules_fit_the_bounds(self) -> Self:
        names = [schedule.name for schedule in self.schedules]
        if len(set(names)) != len(names):
            raise ValueError("schedules: every schedule needs a name of its own")
        for schedule in self.schedules:
            if schedule.min_shards is not None and schedule.min_shards > self.max_shards:
                raise ValueError(
                    f"schedule {schedule.name}: minShards {schedule.min_shards} exceeds maxShards"
                )
            replicas = schedule.min_replicas_per_shard
            if replicas is not None and replicas > self.max_replicas_per_shard:
                raise ValueError(
                    f"schedule {schedule.name}: minReplicasPerShard {replicas} exceeds maxReplicasPerShard"
                )
            node = schedule.min_node_type
            if node is not None and not self.node_types.allows(node, node):
                raise ValueError(f"schedule {schedule.name}: minNodeType {node} is not allowed by nodeTypes")
        return self

    @property
    def metrics_lookback_seconds(self) -> int:
        """How much metric history ``observe`` must fetch for this policy: the longest window it reads."""
        return max(
            self.scale_in_stabilization_seconds,
            self.scale_out_evaluation_seconds,
            self.scale_in_gate.lookback_seconds,
        )

    @property
    def history_lookback_days(self) -> int:
        """How far back the decision history must reach for ``scaleInGate.recurrenceDays`` (+1 day for the
        savings horizon after that time of day)."""
        return max(self.scale_in_gate.recurrence_days, default=0) + 1
