"""``clusters``: every managed group (one Tagging API pass) with its mode, guards, lock and last decision."""

from datetime import datetime
from typing import Any

from elasticache_autoscaler.adapters.state_table import StateTable
from elasticache_autoscaler.adapters.tagging import ResourceTagging
from elasticache_autoscaler_cli.console import policy
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.decisions import DecisionFilter, find_decisions
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.console.stack import StackOutputs

COLUMNS = (
    "cluster",
    "mode",
    "paused",
    "circuitOpen",
    "failures",
    "lockHeldBy",
    "lastDecidedAt",
    "lastAction",
    "lastStatus",
)


def _mode(clients: Clients, stack: StackOutputs, cluster: str) -> str:
    try:
        return policy.effective(clients.ssm, stack.policy_prefix, cluster).effective.mode
    except ConsoleError as error:
        return f"invalid ({error})"


def cluster_rows(clients: Clients, stack: StackOutputs, now: datetime) -> list[dict[str, Any]]:
    state = StateTable(stack.state_table, clients.dynamodb)
    rows = []
    for cluster in ResourceTagging(clients.tagging).managed_group_ids(stack.managed_tag_key):
        guards = state.guards(cluster, now)
        latest = DecisionFilter(cluster=cluster)
        last = find_decisions(clients.dynamodb, stack.decision_table, latest, limit=1)
        rows.append(
            {
                "cluster": cluster,
                "mode": _mode(clients, stack, cluster),
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
