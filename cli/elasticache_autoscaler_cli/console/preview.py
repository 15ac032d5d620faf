"""``preview CLUSTER``: observe the cache (of any kind) and run the engine now, exactly as an evaluation
would, and change nothing: the observation stays in memory and the decision log is only read."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticache_autoscaler.adapters.cloudwatch import CloudWatch
from elasticache_autoscaler.adapters.decision_log import DecisionLog
from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.adapters.kind_metrics import KindMetrics
from elasticache_autoscaler.adapters.memcached import MemcachedClusters
from elasticache_autoscaler.adapters.observation_store import decode, encode, reference
from elasticache_autoscaler.adapters.policy_store import PolicyStore
from elasticache_autoscaler.adapters.serverless import ServerlessCaches
from elasticache_autoscaler.adapters.state_table import StateTable
from elasticache_autoscaler.errors import ClusterNotFoundError, ClusterNotManagedError
from elasticache_autoscaler.kinds.memcached import MemcachedClustersKind
from elasticache_autoscaler.kinds.serverless import ServerlessCachesKind
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.record import Outcome, RecordKey
from elasticache_autoscaler.models.workflow import (
    Execution,
    ObservationDetail,
    ObserveInput,
    StoredObservation,
)
from elasticache_autoscaler.workflow.decide_step import make_decision
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from elasticache_autoscaler_cli.console.caches import not_found
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.console.stack import StackOutputs

PREVIEW_ARN = "arn:aws:states:console:preview:execution:preview:{cluster}"


@dataclass
class MemoryObservationStore:
    """The observation store in memory (same encoding and digest check as S3): preview writes nothing."""

    objects: dict[str, bytes] = field(default_factory=dict)

    def put(self, detail: ObservationDetail) -> StoredObservation:
        body = encode(detail)
        stored = reference("memory", detail, body)
        self.objects[stored.key] = body
        return stored

    def get(self, stored: StoredObservation) -> ObservationDetail:
        return decode(stored, self.objects[stored.key])


class WritesRefused(RuntimeError):
    """Preview tried to write to the decision log: a bug, never a silent write."""


@dataclass
class ReadOnlyDecisionLog:
    log: DecisionLog

    def recent(self, cluster: str, since: datetime) -> History:
        return self.log.recent(cluster, since)

    def get(self, key: RecordKey) -> dict[str, Any] | None:
        return self.log.get(key)

    def put(self, record: DecisionRecord) -> None:
        raise WritesRefused(f"preview does not record decisions ({record.cluster})")

    def advance(self, key: RecordKey, outcome: Outcome) -> None:
        raise WritesRefused(f"preview does not move decisions ({key.cluster})")


def preview(cluster: str, stack: StackOutputs, clients: Clients, now: datetime) -> dict[str, object]:
    """Any kind of cache: a replication group, a Memcached cluster or a Serverless cache."""
    kind_metrics = KindMetrics(clients.cloudwatch)
    deps = ObserveDeps(
        elasticache=ElastiCache(clients.elasticache),
        metrics=CloudWatch(clients.cloudwatch),
        policies=PolicyStore(stack.policy_prefix, _provider(clients), max_age=1),
        state=StateTable(stack.state_table, clients.dynamodb),
        log=ReadOnlyDecisionLog(DecisionLog(stack.decision_table, clients.dynamodb)),
        managed_tag_key=stack.managed_tag_key,
        paused_tag_key=stack.paused_tag_key,
        store=MemoryObservationStore(),
        other_kinds=(
            MemcachedClustersKind(MemcachedClusters(clients.elasticache), kind_metrics),
            ServerlessCachesKind(ServerlessCaches(clients.elasticache), kind_metrics),
        ),
    )
    # Not a dry run: the preview shows what the stack would do in the policy's mode (it acts on nothing).
    request = {"cluster": cluster, "action": "evaluate", "dryRun": False, "reason": "console preview"}
    execution = Execution(arn=PREVIEW_ARN.format(cluster=cluster), started_at=now)
    event = ObserveInput(input=request, execution=execution)
    try:
        observation = observe(event, deps, now)
    except ClusterNotFoundError:
        raise ConsoleError(not_found(cluster)) from None
    except ClusterNotManagedError as error:
        raise ConsoleError(str(error)) from None
    decision, mode = make_decision(observation, deps.store.get(observation.stored), now)
    return {
        "cluster": cluster,
        "at": now.isoformat(),
        "mode": mode,
        "wouldAct": mode == "act" and decision.changes_something,
        "observed": observation.summary.to_wire(),
        "decision": decision.to_wire(),
        "policyError": observation.policy_error,
    }


def _provider(clients: Clients) -> Any:
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 - preview only

    return parameters.SSMProvider(boto3_client=clients.ssm)
