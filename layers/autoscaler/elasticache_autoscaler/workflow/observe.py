"""Observe: validate the request, then take one snapshot of the cluster, its policy, guards and history.

The full snapshot (every raw metric series) and the history go to the observation store; the workflow
state gets the request, the policy, a short summary and the reference (Step Functions caps a state at
256 KiB: a large group's series alone are ~1 MB)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import ValidationError

from elasticache_autoscaler.adapters.decision_log import DecisionLogPort
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.observation_store import ObservationStorePort
from elasticache_autoscaler.adapters.policy_store import PolicySource
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.errors import ClusterNotManagedError, InvalidInputError
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.models.snapshot import Metrics, Snapshot, Topology, apply_roles
from elasticache_autoscaler.models.workflow import (
    Observation,
    ObservationDetail,
    ObservationSummary,
    ObserveInput,
)
from elasticache_autoscaler.validation import name_the_fields

DEFAULT_METRICS_WINDOW_MINUTES = 60
HISTORY_DAYS = 2


class MetricsPort(Protocol):
    def read_metrics(self, topology: Topology, end: datetime, window_minutes: int) -> Metrics: ...


@dataclass(frozen=True)
class ObserveDeps:
    elasticache: ElastiCacheGateway
    metrics: MetricsPort
    policies: PolicySource
    state: StatePort
    log: DecisionLogPort
    managed_tag_key: str
    paused_tag_key: str
    store: ObservationStorePort


def parse_request(raw: dict[str, object]) -> WorkflowRequest:
    try:
        return WorkflowRequest.model_validate(raw)
    except ValidationError as error:
        raise InvalidInputError(f"invalid workflow input: {name_the_fields(error)}") from None


def observe(event: ObserveInput, deps: ObserveDeps, now: datetime) -> Observation:
    request = parse_request(event.input)
    topology, tags = deps.elasticache.read_topology_and_tags(request.cluster)  # one DescribeReplicationGroups
    if tags.get(deps.managed_tag_key) != "true":
        raise ClusterNotManagedError(
            f"replication group {request.cluster!r} is not tagged {deps.managed_tag_key}=true: not managed"
        )
    policy: Policy | None
    try:
        policy, policy_error = deps.policies.policy_for(request.cluster), None
    except ValueError as error:
        policy, policy_error = None, str(error)
    metrics = deps.metrics.read_metrics(topology, now, _window_minutes(policy))
    topology = apply_roles(topology, metrics.is_master)  # cluster mode enabled: roles from IsMaster
    guards = deps.state.guards(request.cluster, now)
    if tags.get(deps.paused_tag_key) == "true":
        guards = guards.model_copy(update={"paused": True})
    snapshot = Snapshot(taken_at=now, topology=topology, metrics=metrics, guards=guards)
    detail = ObservationDetail(
        cluster=request.cluster,
        execution_arn=event.execution.arn,
        snapshot=snapshot,
        history=deps.log.recent(request.cluster, now - timedelta(days=HISTORY_DAYS)),
    )
    return Observation(
        request=request,
        execution=event.execution,
        policy=policy,
        policy_error=policy_error,
        summary=summarize(detail),
        stored=deps.store.put(detail),
    )


def summarize(detail: ObservationDetail) -> ObservationSummary:
    topology = detail.snapshot.topology
    return ObservationSummary(
        taken_at=detail.snapshot.taken_at,
        node_type=topology.node_type,
        status=topology.status,
        shards=topology.shard_count,
        replicas_per_shard=topology.replicas_per_shard,
        nodes=topology.node_count,
        metric_series=len(detail.snapshot.metrics.series),
        history=len(detail.history),
    )


def _window_minutes(policy: Policy | None) -> int:
    """Enough history for every window the policy reads (its stabilization window, at least an hour)."""
    if policy is None:
        return DEFAULT_METRICS_WINDOW_MINUTES
    return max(DEFAULT_METRICS_WINDOW_MINUTES, -(-policy.metrics_lookback_seconds // 60))
