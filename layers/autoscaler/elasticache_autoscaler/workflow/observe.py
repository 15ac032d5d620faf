"""Observe: validate the request, then take one snapshot of the cluster, its policy, guards and history.

The full snapshot (every raw metric series) and the history go to the observation store; the workflow
state gets the request, the policy, a short summary and the reference (Step Functions caps a state at
256 KiB: a large group's series alone are ~1 MB).

What is read depends on the kind of cache (``kinds``): the request names it, or ``kinds.registry`` finds
the id among every kind; the kind checks the request is one of its own, then reads the cache, its tags
(managed or refused), its policy and metrics."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from elasticache_autoscaler import concurrent_reads
from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.observation_store import ObservationStorePort
from elasticache_autoscaler.adapters.policy_store import Policies
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.errors import ClusterNotManagedError, InvalidInputError
from elasticache_autoscaler.models.any_kind import AnyPolicy, AnySnapshot
from elasticache_autoscaler.models.load_history import LoadHistory
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.models.snapshot import Guards, Metrics, Snapshot, Topology, apply_roles
from elasticache_autoscaler.models.workflow import (
    Observation,
    ObservationDetail,
    ObservationSummary,
    ObserveInput,
)
from elasticache_autoscaler.validation import name_the_fields
from elasticache_autoscaler.workflow.load_history import load_history

if TYPE_CHECKING:
    from elasticache_autoscaler.kinds.base import CacheKindOps

DEFAULT_METRICS_WINDOW_MINUTES = 60
CLOUDWATCH_LAG_MINUTES = 5
HISTORY_DAYS = 2


class MetricsPort(Protocol):
    def read_metrics(self, topology: Topology, end: datetime, window_minutes: int) -> Metrics: ...
    def read_load_history(self, topology: Topology, start: datetime, end: datetime) -> LoadHistory: ...


@dataclass(frozen=True)
class ObserveDeps:
    elasticache: ElastiCacheGateway
    metrics: MetricsPort
    policies: Policies
    state: StatePort
    log: DecisionLogPort
    managed_tag_key: str
    paused_tag_key: str
    store: ObservationStorePort
    other_kinds: "tuple[CacheKindOps, ...]" = ()
    """The kinds of cache besides replication groups (built from ``elasticache`` and ``metrics``)."""


def parse_request(raw: dict[str, object]) -> WorkflowRequest:
    try:
        return WorkflowRequest.model_validate(raw)
    except ValidationError as error:
        raise InvalidInputError(f"invalid workflow input: {name_the_fields(error)}") from None


def observe(event: ObserveInput, deps: ObserveDeps, now: datetime) -> Observation:
    from elasticache_autoscaler.kinds.registry import registry_for  # noqa: PLC0415 - kinds import this module

    request = parse_request(event.input)
    kinds = registry_for(deps.elasticache, deps.other_kinds)
    # The cache and the decision log are read together (``concurrent_reads``).
    (ops, (snapshot, policy, policy_error)), history = concurrent_reads.both(
        lambda: kinds.observe(request, deps, now),
        lambda: deps.log.recent(request.cluster, now - timedelta(days=HISTORY_DAYS)),
    )
    request = request.model_copy(update={"kind": ops.kind})
    detail = ObservationDetail(
        cluster=request.cluster, execution_arn=event.execution.arn, snapshot=snapshot, history=history
    )
    return Observation(
        request=request,
        execution=event.execution,
        policy=policy,
        policy_error=policy_error,
        summary=ops.summarize(detail),
        stored=deps.store.put(detail),
    )


def refuse_unmanaged(noun: str, cache_id: str, tags: dict[str, str], deps: ObserveDeps) -> None:
    if tags.get(deps.managed_tag_key) != "true":
        raise ClusterNotManagedError(
            f"{noun} {cache_id!r} is not tagged {deps.managed_tag_key}=true: not managed"
        )


def policy_or_error[P](read: Callable[[], P]) -> tuple[P | None, str | None]:
    """The cache's policy, or None and why it is invalid (recorded as a failed decision that changes
    nothing)."""
    try:
        return read(), None
    except ValueError as error:
        return None, str(error)


def guards_now(cache_id: str, tags: dict[str, str], deps: ObserveDeps, now: datetime) -> Guards:
    """The state table's guards, paused also when the cache carries the paused tag."""
    return paused_by_tag(deps.state.guards(cache_id, now), tags, deps)


def paused_by_tag(guards: Guards, tags: dict[str, str], deps: ObserveDeps) -> Guards:
    """``guards``, paused also when the cache carries the paused tag."""
    return guards.model_copy(update={"paused": True}) if tags.get(deps.paused_tag_key) == "true" else guards


def observe_group(
    cluster: str, deps: ObserveDeps, now: datetime
) -> tuple[AnySnapshot, AnyPolicy | None, str | None]:
    """A replication group's snapshot, policy (or why it is invalid), with its load history when the
    policy opts in (``forecast.loadHistory``: ``workflow.load_history``)."""
    # Two rounds of reads (``concurrent_reads``): the group (one DescribeReplicationGroups), its policy and
    # the state table's guards; then its members, node types and tags beside its metrics (their queries
    # need only the members; their window, the policy). Nothing of an unmanaged group is used: it is
    # refused before anything is.
    with concurrent_reads.meanwhile(
        lambda: concurrent_reads.both(
            lambda: policy_or_error(lambda: deps.policies.policy_for(cluster)),
            lambda: deps.state.guards(cluster, now),
        )
    ) as policy_and_guards:
        topology, tags, metrics = deps.elasticache.read_topology_tags_and(
            cluster,
            lambda outline: deps.metrics.read_metrics(
                outline, now, _window_minutes(policy_and_guards()[0][0])
            ),
        )
    (policy, policy_error), table_guards = policy_and_guards()
    refuse_unmanaged("replication group", cluster, tags, deps)
    topology = apply_roles(topology, metrics.is_master)  # cluster mode enabled: roles from IsMaster
    guards = paused_by_tag(table_guards, tags, deps)
    history = (
        load_history(cluster, topology, deps.metrics, deps.state, now)
        if policy is not None and policy.forecast.load_history
        else None
    )
    snapshot = Snapshot(taken_at=now, topology=topology, metrics=metrics, guards=guards, load_history=history)
    return snapshot, policy, policy_error


def summarize(detail: ObservationDetail) -> ObservationSummary:
    """A replication group's summary (``detail.snapshot`` is a replication group's)."""
    snapshot = detail.snapshot
    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"not a replication group's snapshot: {snapshot.kind}")
    topology = snapshot.topology
    return ObservationSummary(
        taken_at=detail.snapshot.taken_at,
        node_type=topology.node_type,
        status=topology.status,
        shards=topology.shard_count,
        replicas_per_shard=topology.replicas_per_shard,
        nodes=topology.node_count,
        metric_series=len(snapshot.metrics.series),
        history=len(detail.history),
    )


def window_minutes(seconds: int | None) -> int:
    """Enough history for a window of ``seconds``, at least an hour: the window plus
    ``CLOUDWATCH_LAG_MINUTES``, since CloudWatch publishes a 1-minute datapoint 1-3 minutes late. A rule that
    wants a datapoint in every minute of its window (a scale-in never acts on missing data) would otherwise
    never find the last minutes of an exactly-as-long read filled, and never act."""
    if seconds is None:
        return DEFAULT_METRICS_WINDOW_MINUTES
    return max(DEFAULT_METRICS_WINDOW_MINUTES, -(-seconds // 60) + CLOUDWATCH_LAG_MINUTES)


def _window_minutes(policy: Policy | None) -> int:
    """Enough history for every window the policy reads (``Policy.metrics_lookback_seconds``)."""
    return window_minutes(None if policy is None else policy.metrics_lookback_seconds)
