"""Fakes for unit tests: each stores state in plain dicts and records the mutating calls made."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from elasticache_autoscaler.adapters import observation_store
from elasticache_autoscaler.adapters.cloudwatch_alarms import ExistingAlarm, existing_from
from elasticache_autoscaler.adapters.decision_log import StaleStatusError
from elasticache_autoscaler.adapters.elasticache import (
    ALREADY_THERE_RESULT,
    Request,
    node_type_request,
    replica_count_request,
    shard_count_request,
)
from elasticache_autoscaler.alarms import OWNER_TAG_KEY
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.load_history import FetchedLoadHistory, LoadHistory
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import NEXT_STATUS, Outcome, RecordKey
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.models.snapshot import Guards, Member, Metrics, Role, Shard, Topology
from elasticache_autoscaler.models.workflow import ObservationDetail, StoredObservation
from elasticache_autoscaler.timestamps import parse
from elasticache_autoscaler.validation import name_the_fields

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef


def topology(
    group_id: str = "orders",
    shards: int = 1,
    replicas: int = 1,
    node_type: str = "cache.r7g.large",
    **extra: Any,
) -> Topology:
    return Topology(
        replication_group_id=group_id,
        engine="valkey",
        engine_version="8.0",
        cluster_mode_enabled=shards > 1,
        node_type=node_type,
        status="available",
        shards=tuple(
            Shard(
                shard_id=f"{s + 1:04d}",
                status="available",
                members=tuple(
                    Member(
                        cluster_id=f"{group_id}-{s + 1:04d}-{m + 1:03d}",
                        role=Role.PRIMARY if m == 0 else Role.REPLICA,
                        status="available",
                    )
                    for m in range(replicas + 1)
                ),
            )
            for s in range(shards)
        ),
        multi_az=True,
        automatic_failover=True,
        **extra,
    )


@dataclass
class FakeElastiCache:
    groups: dict[str, Topology] = field(default_factory=dict)
    group_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: list[tuple[str, str, object]] = field(default_factory=list)
    """Every setter called: (method, group id, absolute target)."""
    requests: list[Request] = field(default_factory=list)
    """The ElastiCache calls the real adapter would have made: (operation, params)."""
    fail_with: Exception | None = None
    """Raised by every setter after recording the call (e.g. GroupBusyError, ActionFailedError)."""
    topology_reads: int = 0
    """How many times the group was read (DescribeReplicationGroups the real adapter would have made)."""
    node_types_asked: list[bool] = field(default_factory=list)
    """``node_types`` of each ``read_topology_and_tags`` (False: no ListAllowedNodeTypeModifications)."""

    def add(self, topo: Topology, managed: bool = True) -> None:
        self.groups[topo.replication_group_id] = topo
        self.group_tags[topo.replication_group_id] = (
            {"elasticache-autoscaler:managed": "true"} if managed else {}
        )

    def read_topology(self, group_id: str) -> Topology:
        self.topology_reads += 1
        if group_id not in self.groups:
            raise ClusterNotFoundError(f"replication group {group_id!r} does not exist")
        return self.groups[group_id]

    def tags(self, group_id: str) -> dict[str, str]:
        self.read_topology(group_id)
        return self.group_tags[group_id]

    def read_topology_and_tags(
        self, group_id: str, *, node_types: bool = True
    ) -> tuple[Topology, dict[str, str]]:
        self.node_types_asked.append(node_types)
        topology = self.read_topology(group_id)
        if not node_types:
            topology = topology.model_copy(update={"allowed_scale_up": (), "allowed_scale_down": ()})
        return topology, self.group_tags[group_id]

    def read_topology_tags_and[T](
        self, group_id: str, beside: Callable[[Topology], T]
    ) -> tuple[Topology, dict[str, str], T]:
        """As the adapter: ``beside`` gets the group's outline (here its topology, no node types)."""
        topology, tags = self.read_topology_and_tags(group_id)
        outline = topology.model_copy(update={"allowed_scale_up": (), "allowed_scale_down": ()})
        return topology, tags, beside(outline)

    def group_of_member(self, cache_cluster_id: str) -> str | None:
        for group_id, topo in self.groups.items():
            if any(m.cluster_id == cache_cluster_id for s in topo.shards for m in s.members):
                return group_id
        return None

    def managed_group_ids(self, tag_key: str) -> list[str]:
        """The Tagging API's answer (ManagedGroupsPort): the groups tagged ``tag_key=true``, sorted."""
        return sorted(g for g, tags in self.group_tags.items() if tags.get(tag_key) == "true")

    def managed_caches(self, tag_key: str) -> list[tuple[CacheKind, str]]:
        """The Tagging API's answer for every kind: here, replication groups only."""
        return [(CacheKind.REPLICATION_GROUP, g) for g in self.managed_group_ids(tag_key)]

    def set_replica_count(
        self, group_id: str, replicas_per_shard: int, topology: Topology | None = None
    ) -> str:
        """Records the call and answers as the real adapter would, from the pure request builder."""
        return self._call(
            "set_replica_count",
            group_id,
            replicas_per_shard,
            replica_count_request(topology or self.read_topology(group_id), replicas_per_shard),
        )

    def set_shard_count(
        self, group_id: str, shards: int, shard_memory: Mapping[str, float], topology: Topology | None = None
    ) -> str:
        request = shard_count_request(topology or self.read_topology(group_id), shards, shard_memory)
        return self._call("set_shard_count", group_id, shards, request)

    def set_node_type(self, group_id: str, node_type: str, topology: Topology | None = None) -> str:
        request = node_type_request(topology or self.read_topology(group_id), node_type)
        return self._call("set_node_type", group_id, node_type, request)

    def _call(self, method: str, group_id: str, target: object, request: Request | None) -> str:
        self.calls.append((method, group_id, target))
        if request is not None:
            self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        return ALREADY_THERE_RESULT if request is None else request[0]


@dataclass
class FakeMetrics:
    metrics: Metrics | None = None
    load: Callable[[datetime], LoadHistory] | None = None
    """The group's measured load history by end time (``read_load_history`` cuts it to the window asked)."""
    history_reads: list[tuple[datetime, datetime]] = field(default_factory=list)
    """Every (start, end) the load history was asked for: a GetMetricData fetch the real adapter makes."""

    windows: list[int] = field(default_factory=list)
    """The window (minutes) of every metrics read."""

    def read_metrics(self, topology: Topology, end: datetime, window_minutes: int) -> Metrics:
        self.windows.append(window_minutes)
        return self.metrics or Metrics(window_end=end)

    def read_load_history(self, topology: Topology, start: datetime, end: datetime) -> LoadHistory:
        self.history_reads.append((start, end))
        periods = int((end - start).total_seconds() // 300)
        if self.load is None:
            return LoadHistory(end=end)
        full = self.load(end)
        fields = ("memory_percent", "write_cpu_percent", "read_cpu_percent", "connections_per_node")
        return full.model_copy(update={name: getattr(full, name)[-periods:] for name in fields})


@dataclass
class FakePolicies:
    policy: Policy | None = None
    error: str | None = None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    def policy_for(self, cluster: str) -> Policy:
        if self.error is not None:
            raise ValueError(self.error)
        return self.policy or Policy()

    def kind_policy_for[P: BaseModel](self, cluster: str, model: type[P]) -> P:
        """The kind's policy from ``documents`` (the cluster's own parameter), strictly validated."""
        if self.error is not None:
            raise ValueError(self.error)
        try:
            return model.model_validate(self.documents.get(cluster, {}))
        except ValidationError as error:
            raise ValueError(name_the_fields(error)) from None


@dataclass
class FakeState:
    locks: dict[str, tuple[str, int]] = field(default_factory=dict)
    guard: Guards = field(default_factory=Guards)
    timelines: dict[str, CapacityTimeline] = field(default_factory=dict)
    load_histories: dict[str, FetchedLoadHistory] = field(default_factory=dict)

    def acquire_lock(self, cluster: str, owner: str, now: datetime, lease_seconds: int) -> str | None:
        holder = self.lock_holder(cluster, now)
        if holder not in {None, owner}:
            return holder
        self.locks[cluster] = (owner, int(now.timestamp()) + lease_seconds)
        return None

    def release_lock(self, cluster: str, owner: str) -> bool:
        if self.locks.get(cluster, ("", 0))[0] != owner:
            return False
        del self.locks[cluster]
        return True

    def force_release_lock(self, cluster: str) -> str | None:
        owner, _ = self.locks.pop(cluster, (None, 0))
        return owner

    def lock_holder(self, cluster: str, now: datetime) -> str | None:
        owner, expiration = self.locks.get(cluster, ("", 0))
        return owner if owner and expiration >= int(now.timestamp()) else None

    def guards(self, cluster: str, now: datetime, *, lock: bool = True) -> Guards:
        return self.guard.model_copy(
            update={"lock_held_by": self.lock_holder(cluster, now) if lock else None}
        )

    def count_failure(self, cluster: str, breaker_at: int) -> Guards:
        failures = self.guard.consecutive_failures + 1
        self.guard = self.guard.model_copy(
            update={
                "consecutive_failures": failures,
                "circuit_open": self.guard.circuit_open or failures >= breaker_at,
            }
        )
        return self.guard

    def count_success(self, cluster: str) -> None:
        self.guard = self.guard.model_copy(update={"consecutive_failures": 0})

    def set_switches(self, cluster: str, *, paused: bool | None = None, reset_circuit: bool = False) -> None:
        if paused is not None:
            self.guard = self.guard.model_copy(update={"paused": paused})
        if reset_circuit:
            self.guard = self.guard.model_copy(update={"circuit_open": False, "consecutive_failures": 0})

    def capacity_timeline(self, cluster: str) -> CapacityTimeline:
        return self.timelines.get(cluster, CapacityTimeline())

    def record_capacity_change(self, cluster: str, change: CapacityChange, keep_since: datetime) -> None:
        self.timelines[cluster] = self.capacity_timeline(cluster).appended(change, keep_since)

    def fetched_load_history(self, cluster: str) -> FetchedLoadHistory | None:
        return self.load_histories.get(cluster)

    def keep_load_history(self, cluster: str, fetched: FetchedLoadHistory) -> None:
        self.load_histories[cluster] = fetched


@dataclass
class FakeNotifier:
    sent: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def notify(self, subject: str, details: dict[str, object]) -> None:
        self.sent.append((subject, details))


@dataclass
class FakeDecisionLog:
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def put(self, record: DecisionRecord) -> None:
        key = (record.cluster, record.decided_at)
        existing = self.items.get(key)
        if existing is not None and existing["executionArn"] != record.execution_arn:
            raise RuntimeError("decision belongs to another execution")
        if existing is None:
            self.items[key] = record.to_wire()

    def advance(self, key: RecordKey, outcome: Outcome) -> None:
        item = self.items.get((key.cluster, key.decided_at))
        if item is None or outcome.status not in NEXT_STATUS[item["status"]]:
            raise StaleStatusError(f"cannot move to {outcome.status}")
        item.update({k: v for k, v in outcome.to_wire().items() if v is not None})

    def get(self, key: RecordKey) -> dict[str, Any] | None:
        return self.items.get((key.cluster, key.decided_at))

    def recent(self, cluster: str, since: datetime) -> History:
        return tuple(
            PastDecision(
                action=i["action"],
                decided_at=parse(i["decidedAt"]),
                status=i["status"],
                forecast=i.get("forecast"),
            )
            for (c, _), i in sorted(self.items.items(), reverse=True)
            if c == cluster and parse(i["decidedAt"]) >= since
        )


@dataclass
class FakeStarter:
    started: dict[str, WorkflowRequest] = field(default_factory=dict)

    def start(self, name: str, request: WorkflowRequest) -> bool:
        if name in self.started:
            return False
        self.started[name] = request
        return True


@dataclass
class FakeObservationStore:
    """The observation store in memory, byte for byte as S3 would hold it (same key, digest and check)."""

    bucket: str = "observations-bucket"
    objects: dict[str, bytes] = field(default_factory=dict)

    def put(self, detail: ObservationDetail) -> StoredObservation:
        body = observation_store.encode(detail)
        stored = observation_store.reference(self.bucket, detail, body)
        self.objects[stored.key] = body
        return stored

    def get(self, stored: StoredObservation) -> ObservationDetail:
        return observation_store.decode(stored, self.objects[stored.key])


@dataclass
class FakeAlarmStore:
    """CloudWatch metric alarms by name: the put requests as stored, their owner tag and state."""

    alarms: dict[str, dict[str, Any]] = field(default_factory=dict)
    owners: dict[str, str | None] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)
    puts: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    tag_reads: int = 0
    dashboards: dict[str, dict[str, object]] = field(default_factory=dict)
    region: str = "us-east-1"

    def list_alarms(self, name_prefix: str) -> dict[str, ExistingAlarm]:
        return {
            name: existing_from(
                {**alarm, "AlarmArn": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"}
                | {"StateValue": self.states.get(name, "INSUFFICIENT_DATA")}
            )
            for name, alarm in sorted(self.alarms.items())
            if name.startswith(name_prefix)
        }

    def owner_of(self, alarm: ExistingAlarm) -> str | None:
        self.tag_reads += 1
        return self.owners.get(alarm.name)

    def put(self, request: "PutMetricAlarmInputTypeDef") -> None:
        name = request["AlarmName"]
        if name not in self.alarms:  # as CloudWatch: tags apply on create only
            tags = request.get("Tags", [])
            self.owners[name] = next((t["Value"] for t in tags if t["Key"] == OWNER_TAG_KEY), None)
        self.alarms[name] = {k: v for k, v in request.items() if k != "Tags"}
        self.puts.append(name)

    def delete(self, names: list[str]) -> None:
        for name in names:
            self.alarms.pop(name, None)
            self.owners.pop(name, None)
        self.deletes.extend(names)

    def put_dashboard(self, name: str, body: dict[str, object]) -> None:
        self.dashboards[name] = body
