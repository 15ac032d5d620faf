"""One input per action: the snapshot (and policy) under which the engine, unguarded, takes that action."""

from dataclasses import dataclass, field
from datetime import timedelta

from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.snapshot import Snapshot
from tests.unit.engine.builders import ACT, NOW, metrics, quiet, quiet_replicas, snapshot, topology


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    snapshot: Snapshot
    policy: Policy = field(default=ACT)


ROTATING = ACT.model_copy(update={"rotation": ACT.rotation.model_copy(update={"interval_days": 30})})


def automatic_cases() -> list[Case]:
    enabled = topology(shards=2, replicas=1)
    disabled = topology(cluster_mode=False, shards=1, replicas=1)
    two_replicas = topology(shards=2, replicas=2)
    three_shards = topology(shards=3, replicas=1)
    big_disabled = topology(cluster_mode=False, shards=1, replicas=1, node_type="cache.r7g.xlarge")
    token = topology(auth_token=True, token_modified=NOW - timedelta(days=45))
    return [
        Case(
            "memory, cluster mode enabled",
            Action.ADD_SHARDS,
            snapshot(enabled, metrics(enabled, memory=90.0)),
        ),
        Case(
            "memory, cluster mode disabled",
            Action.SCALE_UP,
            snapshot(disabled, metrics(disabled, memory=90.0)),
        ),
        Case("write CPU, enabled", Action.ADD_SHARDS, snapshot(enabled, metrics(enabled, write_cpu=90.0))),
        Case("write CPU, disabled", Action.SCALE_UP, snapshot(disabled, metrics(disabled, write_cpu=90.0))),
        Case("read CPU", Action.ADD_REPLICAS, snapshot(enabled, metrics(enabled, read_cpu=90.0))),
        Case("network", Action.SCALE_UP, snapshot(enabled, metrics(enabled, network=3.0))),
        Case(
            "quiet, two replicas",
            Action.REMOVE_REPLICAS,
            snapshot(two_replicas, quiet_replicas(two_replicas)),
        ),
        Case("quiet, three shards", Action.REMOVE_SHARDS, snapshot(three_shards, quiet(three_shards))),
        Case("quiet, big node", Action.SCALE_DOWN, snapshot(big_disabled, quiet(big_disabled))),
        Case("token 45 days old", Action.ROTATE_AUTH_TOKEN, snapshot(token), ROTATING),
    ]
