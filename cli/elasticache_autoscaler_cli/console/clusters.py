"""``clusters``: every managed cache of every kind (one Tagging API pass) with what it is now, its mode,
guards, lock and last decision."""

from datetime import datetime
from typing import Any

from elasticache_autoscaler.adapters.state_table import StateTable
from elasticache_autoscaler.adapters.tagging import ResourceTagging
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler_cli.console import policy
from elasticache_autoscaler_cli.console.caches import NOUNS, read_cache
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.decisions import DecisionFilter, find_decisions
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.console.stack import StackOutputs

COLUMNS = (
    "cluster",
    "kind",
    "status",
    "capacity",
    "mode",
    "paused",
    "circuitOpen",
    "failures",
    "lockHeldBy",
    "lastDecidedAt",
    "lastAction",
    "lastStatus",
)


def _mode(clients: Clients, stack: StackOutputs, cluster: str, kind: CacheKind) -> str:
    try:
        return policy.effective(clients.ssm, stack.policy_prefix, cluster, kind=kind).effective.mode
    except ConsoleError as error:
        return f"invalid ({error})"


def _now(clients: Clients, kind: CacheKind, cluster: str) -> tuple[str, str | None]:
    """(status, capacity) of the cache; ("gone", None) when it was deleted since it was tagged."""
    try:
        cache = read_cache(clients, kind, cluster)
    except (ClusterNotFoundError, ValueError):
        return "gone", None
    return cache.status, cache.capacity


def cluster_rows(clients: Clients, stack: StackOutputs, now: datetime) -> list[dict[str, Any]]:
    state = StateTable(stack.state_table, clients.dynamodb)
    rows = []
    for kind, cluster in ResourceTagging(clients.tagging).managed_caches(stack.managed_tag_key):
        guards = state.guards(cluster, now)
        latest = DecisionFilter(cluster=cluster)
        last = find_decisions(clients.dynamodb, stack.decision_table, latest, limit=1)
        status, capacity = _now(clients, kind, cluster)
        rows.append(
            {
                "cluster": cluster,
                "kind": NOUNS[kind],
                "status": status,
                "capacity": capacity,
                "mode": _mode(clients, stack, cluster, kind),
                "paused": guards.paused,
                "circuitOpen": guards.circuit_open,
                "failures": guards.consecutive_failures,
                "lockHeldBy": guards.lock_held_by,
                "lastDecidedAt": last[0]["decidedAt"] if last else None,
                "lastAction": last[0]["action"] if last else None,
                "lastStatus": last[0]["status"] if last else None,
            }
        )
    return rows
