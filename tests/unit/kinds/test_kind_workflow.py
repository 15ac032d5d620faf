"""Issue 14, the wiring: a Memcached cluster and a Serverless cache go through the same Observe, Decide, Act,
Check and triggers as a replication group, dispatched by ``kinds.registry`` (fakes, no sockets)."""

import json
import re
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from elasticache_autoscaler.adapters.tagging import cache_of, without_group_members
from elasticache_autoscaler.errors import ClusterNotFoundError, InvalidInputError
from elasticache_autoscaler.kinds.memcached import MemcachedClustersKind
from elasticache_autoscaler.kinds.registry import RULES, registry_for
from elasticache_autoscaler.kinds.serverless import ServerlessCachesKind
from elasticache_autoscaler.models.act import ActRequest
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.alarm_event import AlarmStateChange, AlarmStateChangeEvent
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.check import CheckRequest
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.history import History
from elasticache_autoscaler.models.kind_decision import MemcachedDecision, ServerlessDecision
from elasticache_autoscaler.models.kind_metrics import MemcachedMetric, MemcachedMetrics, NodeSeries
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.memcached import MemcachedCapacity
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.serverless import serverless_cache_from
from elasticache_autoscaler.models.snapshot import Guards
from elasticache_autoscaler.models.workflow import Decided, Execution, Observation, ObserveInput
from elasticache_autoscaler.workflow.act_step import ActDeps, act
from elasticache_autoscaler.workflow.check_step import check_cache
from elasticache_autoscaler.workflow.decide_step import DecideDeps, decide_step
from elasticache_autoscaler.workflow.observe import ObserveDeps, observe
from elasticache_autoscaler.workflow.reconcile import ReconcileDeps, reconcile
from elasticache_autoscaler.workflow.triggers import start_for_alarm, start_for_schedule
from elasticache_autoscaler_cli.console.decisions import row
from tests.fakes.adapters import (
    FakeAlarmStore,
    FakeDecisionLog,
    FakeElastiCache,
    FakePolicies,
    FakeStarter,
    FakeState,
)
from tests.fakes.kinds import FakeKindMetrics, FakeMemcached, FakeServerless
from tests.unit.kinds.builders import cluster, serverless_item
from tests.unit.workflow.conftest import ARN, NOW

TAG = "elasticache-autoscaler:managed"
PAUSED = "elasticache-autoscaler:paused"
MANAGED = {TAG: "true"}
ROOT = Path(__file__).resolve().parents[3]
ACT = {"mode": "act"}


class World:
    """One of each kind of cache behind the fakes, and every step's dependencies."""

    def __init__(self) -> None:
        self.memcached = FakeMemcached(clusters={"web": cluster(2)}, tags={"web": dict(MANAGED)})
        self.serverless = FakeServerless(
            caches={"sessions": serverless_cache_from(serverless_item())}, tags={"sessions": dict(MANAGED)}
        )
        self.metrics = FakeKindMetrics()
        self.elasticache = FakeElastiCache()
        self.policies = FakePolicies(documents={"web": dict(ACT), "sessions": dict(ACT)})
        self.log = FakeDecisionLog()
        self.state = FakeState()
        self.kinds = (
            MemcachedClustersKind(self.memcached, self.metrics),
            ServerlessCachesKind(self.serverless, self.metrics),
        )
        from tests.fakes.adapters import FakeMetrics, FakeObservationStore

        self.store = FakeObservationStore()
        self.observe_deps = ObserveDeps(
            elasticache=self.elasticache,
            metrics=FakeMetrics(),
            policies=self.policies,
            state=self.state,
            log=self.log,
            managed_tag_key=TAG,
            paused_tag_key=PAUSED,
            store=self.store,
            other_kinds=self.kinds,
        )
        self.act_deps = ActDeps(
            elasticache=self.elasticache,
            log=self.log,
            state=self.state,
            managed_tag_key=TAG,
            paused_tag_key=PAUSED,
            lease_seconds=600,
            other_kinds=self.kinds,
        )

    def observe(self, request: dict[str, object]) -> Observation:
        return observe(
            ObserveInput(input=request, execution=Execution(arn=ARN, started_at=NOW)), self.observe_deps, NOW
        )

    def decide(self, request: dict[str, object]) -> tuple[Observation, Decided]:
        # Through the wire, as the state machine carries it from Observe to Decide
        observation = Observation.model_validate(self.observe(request).to_wire())
        return observation, decide_step(observation, DecideDeps(self.store, self.log, 90), NOW)

    def act(self, observation: Observation, decided: Decided) -> ActRequest:
        assert observation.policy is not None
        self.state.acquire_lock(observation.request.cluster, ARN, NOW, 600)
        return ActRequest(
            cluster=observation.request.cluster,
            decision=decided.decision,
            record=decided.record,
            owner=ARN,
            policy=observation.policy,
        )


@pytest.fixture
def world() -> World:
    return World()


def _hot(world: World, cpu: float = 90.0) -> None:
    world.metrics.memcached["web"] = MemcachedMetrics(
        series=tuple(
            NodeSeries(metric=MemcachedMetric.CPU, node_id=node, values=(cpu,) * 30)
            for node in ("0001", "0002")
        )
    )


# ---------- the registry ----------


def test_every_kind_has_rules_and_a_policy_with_the_fields_the_state_machine_reads() -> None:
    assert set(RULES) == set(CacheKind)
    read = set(
        re.findall(r"\$\.observed\.policy\.(\w+)", (ROOT / "statemachine" / "scaling.asl.json").read_text())
    )
    shared = read - {"rotation"}  # the rotation path runs for replication groups only
    assert shared == {"actionTimeoutSeconds", "approvalTimeoutSeconds", "checkIntervalSeconds"}
    for model in (Policy, MemcachedPolicy, ServerlessPolicy):
        aliases = {f.alias for f in model.model_fields.values()}
        assert shared <= aliases, model.__name__


def test_no_step_or_trigger_branches_on_the_kind() -> None:
    """DESIGN §10: a new kind needs no ``if kind == ...`` outside its own modules."""
    package = ROOT / "layers" / "autoscaler" / "elasticache_autoscaler"
    sources = [*(package / "workflow").glob("*.py"), *(ROOT / "functions").glob("*/app.py")]
    for source in sources:
        text = source.read_text()
        assert not re.search(r"kind\s*(==|is)\s*CacheKind\.|CacheKind\.\w+\s*(==|is)", text), source.name
        assert "MemcachedDecision" not in text and "ServerlessDecision" not in text, source.name


def test_an_id_of_no_kind_is_a_clear_error(world: World) -> None:
    with pytest.raises(
        ClusterNotFoundError, match="is no replication group, Memcached cluster or Serverless cache"
    ):
        world.observe({"cluster": "nobody"})


@pytest.mark.parametrize(
    ("request_fields", "named"),
    [
        (
            {"cluster": "web", "action": "add_replicas"},
            "add_replicas is not an action of a Memcached cluster",
        ),
        (
            {
                "cluster": "web",
                "kind": "memcached",
                "action": "set_limits",
                "limits": {"dataStorageMaxGb": 2},
            },
            "set_limits",
        ),
        ({"cluster": "web", "action": "scale_up"}, "needs a target node type"),
        ({"cluster": "sessions", "action": "add_nodes"}, "add_nodes is not an action of a Serverless cache"),
        (
            {"cluster": "sessions", "kind": "serverless", "action": "scale_up", "target": "cache.m7g.large"},
            "scale_up",
        ),
    ],
)
def test_a_request_another_kind_takes_is_refused_before_anything_changes(
    world: World, request_fields: dict[str, object], named: str
) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(named)):
        world.observe(request_fields)
    assert world.memcached.requests == [] and world.serverless.requests == []


# ---------- Memcached ----------


def test_a_hot_memcached_cluster_is_observed_decided_acted_and_checked(world: World) -> None:
    _hot(world)

    observation, decided = world.decide({"cluster": "web"})  # kind looked up

    assert observation.request.kind is CacheKind.MEMCACHED
    decision = decided.decision
    assert isinstance(decision, MemcachedDecision)
    assert (decision.action.value, decision.target.nodes, decided.status, decided.live) == (
        "add_nodes",
        3,
        "planned",
        True,
    )
    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert (record.action, record.current, record.target) == (
        Action.ADD_NODES,
        MemcachedCapacity(node_type="cache.m7g.large", nodes=2),
        MemcachedCapacity(node_type="cache.m7g.large", nodes=3),
    )
    assert record.to_wire()["target"] == {"kind": "memcached", "nodeType": "cache.m7g.large", "nodes": 3}

    acted = act(world.act(observation, decided), world.act_deps, NOW)

    assert acted.outcome == "called"
    ((operation, params),) = world.memcached.requests
    assert (operation, params["NumCacheNodes"], params["ApplyImmediately"]) == (
        "modify_cache_cluster",
        3,
        True,
    )
    check = CheckRequest(
        cluster="web", target=decision.target, current=decision.current, started_at=NOW, timeout_seconds=600
    )
    assert not check_cache(check, world.elasticache, world.kinds, NOW).done
    world.memcached.clusters["web"] = cluster(3)
    assert check_cache(check, world.elasticache, world.kinds, NOW + timedelta(seconds=30)).done


def test_act_re_checks_the_memcached_cluster_at_the_moment_of_acting(world: World) -> None:
    _hot(world)
    observation, decided = world.decide({"cluster": "web", "kind": "memcached"})
    request = world.act(observation, decided)

    world.memcached.clusters["web"] = cluster(4)  # someone else changed it meanwhile
    changed = act(request, world.act_deps, NOW)
    world.memcached.clusters["web"] = cluster(2)
    world.memcached.tags["web"] = {**MANAGED, PAUSED: "true"}
    paused = act(request, world.act_deps, NOW)
    world.memcached.tags["web"] = {}
    unmanaged = act(request, world.act_deps, NOW)

    assert [r.skip.value if r.skip else None for r in (changed, paused, unmanaged)] == [
        "topology_changed",
        "paused",
        "not_managed",
    ]
    assert world.memcached.requests == []


def test_memcached_act_reads_the_guards_without_the_lock_beside_the_decision_log(world: World) -> None:
    """Act renews its lock, then reads the guards (not the lock again) and the recent decisions in one round:
    a barrier both must reach, which breaks on its timeout when they are read in turn."""
    _hot(world)
    observation, decided = world.decide({"cluster": "web"})
    request = world.act(observation, decided)
    barrier = threading.Barrier(2, timeout=5)
    asked: list[bool] = []
    guards, recent = world.state.guards, world.log.recent

    def guards_arriving(cluster: str, now: datetime, *, lock: bool = True) -> Guards:
        asked.append(lock)
        barrier.wait()
        return guards(cluster, now, lock=lock)

    def recent_arriving(cluster: str, since: datetime) -> History:
        barrier.wait()
        return recent(cluster, since)

    world.state.guards = guards_arriving  # type: ignore[method-assign]
    world.log.recent = recent_arriving  # type: ignore[method-assign]

    assert act(request, world.act_deps, NOW).outcome == "called"
    assert asked == [False]


def test_an_operator_removes_the_newest_memcached_node(world: World) -> None:
    request = {"cluster": "web", "action": "remove_nodes", "target": 1, "dryRun": False}
    observation, decided = world.decide(request)

    decision = decided.decision
    assert isinstance(decision, MemcachedDecision)
    assert (decision.nodes_to_remove, decision.cold_miss_fraction, decision.requested_by_operator) == (
        ("0002",),
        0.5,
        True,
    )
    act(world.act(observation, decided), world.act_deps, NOW)
    ((_, params),) = world.memcached.requests
    assert params["CacheNodeIdsToRemove"] == ["0002"]


def test_a_memcached_request_outside_the_policy_is_refused_in_the_decision(world: World) -> None:
    world.policies.documents["web"] = {**ACT, "maxNodes": 4}
    _, decided = world.decide({"cluster": "web", "action": "add_nodes", "target": 5, "dryRun": False})

    assert (decided.status, decided.live) == ("skipped", False)
    assert decided.decision.blocked_by is not None
    assert "outside minNodes..maxNodes 1..4" in str(decided.decision.blocked_by)


def test_a_replication_group_field_in_a_memcached_policy_is_an_invalid_policy_decision(world: World) -> None:
    world.policies = replace(world.policies, documents={"web": {**ACT, "minShards": 2}})
    world.observe_deps = replace(world.observe_deps, policies=world.policies)

    _, decided = world.decide({"cluster": "web", "action": "add_nodes", "dryRun": False})

    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert (record.status, record.mode, decided.live) == ("failed", "observe", False)
    assert "minShards does not apply to a Memcached cluster" in (record.blocked_by or "")


# ---------- Serverless ----------


def test_an_operator_raises_serverless_limits_and_the_record_shows_the_cost(world: World) -> None:
    request = {
        "cluster": "sessions",
        "action": "set_limits",
        "limits": {"dataStorageMaxGb": 20},
        "dryRun": False,
    }
    observation, decided = world.decide(request)

    decision = decided.decision
    assert isinstance(decision, ServerlessDecision)
    assert (decision.action.value, decision.target.data_storage_max_gb, decided.live) == (
        "raise_limits",
        20,
        True,
    )
    (record,) = [DecisionRecord.model_validate(item) for item in world.log.items.values()]
    assert any("/month" in reason for reason in record.reasons)
    assert (record.cost_per_hour_after or 0) > (record.cost_per_hour_before or 0)

    act(world.act(observation, decided), world.act_deps, NOW)

    ((_, params),) = world.serverless.requests
    assert params["CacheUsageLimits"]["DataStorage"] == {"Maximum": 20, "Minimum": 1, "Unit": "GB"}
    check = CheckRequest(
        cluster="sessions",
        target=decision.target,
        current=decision.current,
        started_at=NOW,
        timeout_seconds=60,
    )
    assert check_cache(check, world.elasticache, world.kinds, NOW).done


@pytest.mark.parametrize(
    ("limits", "action"),
    [({"dataStorageMaxGb": 5}, "lower_limits"), ({"ecpuPerSecondMin": 2000}, "set_minimums")],
)
def test_set_limits_is_named_by_what_it_does(world: World, limits: dict[str, int], action: str) -> None:
    _, decided = world.decide(
        {"cluster": "sessions", "action": "set_limits", "limits": limits, "dryRun": False}
    )
    assert (decided.decision.action.value, decided.status) == (action, "planned")


def test_a_serverless_limit_above_the_policy_changes_nothing(world: World) -> None:
    request = {
        "cluster": "sessions",
        "action": "set_limits",
        "limits": {"dataStorageMaxGb": 500},
        "dryRun": False,
    }
    _, decided = world.decide(request)
    assert decided.status == "skipped"
    assert "dataStorageMaxGb 500 outside 1..100" in str(decided.decision.blocked_by)


# ---------- triggers ----------


def _alarm(name: str, dimensions: dict[str, str]) -> AlarmStateChange:
    event = json.loads((ROOT / "events" / "alarm_state_change.json").read_text())
    event["detail"]["alarmName"] = name
    event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"] = dimensions
    return AlarmStateChangeEvent.model_validate(event).detail


@pytest.mark.parametrize(
    ("dimensions", "cache", "kind"),
    [
        ({"CacheClusterId": "web", "CacheNodeId": "0001"}, "web", CacheKind.MEMCACHED),
        ({"clusterId": "sessions"}, "sessions", CacheKind.SERVERLESS),
    ],
)
def test_an_alarm_of_each_kind_starts_its_cache(
    world: World, dimensions: dict[str, str], cache: str, kind: CacheKind
) -> None:
    starter = FakeStarter()
    started = start_for_alarm(
        _alarm(f"ecas-{cache}.x.cpu", dimensions),
        world.elasticache,
        starter,
        "ecas-",
        TAG,
        other_kinds=world.kinds,
    )
    assert (started.cluster, started.started) == (cache, True)
    ((_, request),) = starter.started.items()
    assert (request.cluster, request.kind, request.trigger) == (cache, kind, "alarm")


def test_an_alarm_on_an_unmanaged_memcached_cluster_is_ignored(world: World) -> None:
    world.memcached.tags["web"] = {}
    starter = FakeStarter()
    dims = {"CacheClusterId": "web", "CacheNodeId": "0001"}
    started = start_for_alarm(
        _alarm("ecas-web.0001.cpu", dims), world.elasticache, starter, "ecas-", TAG, other_kinds=world.kinds
    )
    assert (started.started, started.why) == (False, "cluster is not managed")
    assert starter.started == {}


class _Discovery:
    def managed_group_ids(self, tag_key: str) -> list[str]:
        return ["orders"]

    def managed_caches(self, tag_key: str) -> list[tuple[CacheKind, str]]:
        return [
            (CacheKind.REPLICATION_GROUP, "orders"),
            (CacheKind.MEMCACHED, "web"),
            (CacheKind.SERVERLESS, "sessions"),
        ]


def test_the_schedule_starts_every_kind_found_in_one_pass() -> None:
    starter = FakeStarter()
    tick = start_for_schedule(NOW, _Discovery(), starter, TAG, 5)
    assert tick.groups == 3
    assert sorted((r.cluster, r.kind) for r in starter.started.values()) == [
        ("orders", CacheKind.REPLICATION_GROUP),
        ("sessions", CacheKind.SERVERLESS),
        ("web", CacheKind.MEMCACHED),
    ]


def test_tagged_arns_map_to_their_kind_and_group_members_are_no_memcached_cluster() -> None:
    prefix = "arn:aws:elasticache:us-east-1:123456789012"
    arns = [
        "replicationgroup:orders",
        "cluster:orders-0001-001",
        "cluster:orders-0002-002",
        "replicationgroup:carts",
        "cluster:carts-001",
        "cluster:web",
        "cluster:orders-sessions",  # a Memcached cluster named after a group: not its member
        "cluster:orders-001-001",  # no member name either
        "serverlesscache:sessions",
        "user:bob",
    ]
    found = [c for c in (cache_of(f"{prefix}:{arn}") for arn in arns) if c is not None]
    assert sorted(without_group_members(found)) == sorted(
        [
            (CacheKind.REPLICATION_GROUP, "orders"),
            (CacheKind.REPLICATION_GROUP, "carts"),
            (CacheKind.MEMCACHED, "web"),
            (CacheKind.MEMCACHED, "orders-sessions"),
            (CacheKind.MEMCACHED, "orders-001-001"),
            (CacheKind.SERVERLESS, "sessions"),
        ]
    )


def test_registry_names_an_unwired_kind() -> None:
    with pytest.raises(Exception, match="not wired for Memcached clusters"):
        registry_for(FakeElastiCache(), ()).of(CacheKind.MEMCACHED)


# ---------- reconcile ----------


class _KindsFound:
    """The Tagging API pass: a Memcached cluster and a Serverless cache, no replication group."""

    def __init__(self, world: World) -> None:
        self._world = world

    def managed_group_ids(self, tag_key: str) -> list[str]:
        return []

    def managed_caches(self, tag_key: str) -> list[tuple[CacheKind, str]]:
        found = [
            (CacheKind.MEMCACHED, c)
            for c, t in self._world.memcached.tags.items()
            if t.get(tag_key) == "true"
        ]
        return [*found, (CacheKind.SERVERLESS, "sessions")]


def test_reconcile_keeps_each_kinds_alarms_and_removes_them_when_untagged(world: World) -> None:
    store = FakeAlarmStore()
    deps = ReconcileDeps(
        elasticache=world.elasticache,
        alarms=store,
        policies=world.policies,
        prefix="ecas-",
        owner="stack",
        managed_tag_key=TAG,
        managed_groups=_KindsFound(world),
        other_kinds=world.kinds,
    )

    first = reconcile(deps)

    assert first.groups == ("sessions", "web")
    assert {"ecas-web.0001.cpu", "ecas-web.0002.evictions", "ecas-sessions.serverless.throttled"} <= set(
        store.alarms
    )
    assert "ecas-sessions.serverless.data-storage-near-max" in store.alarms

    world.memcached.tags["web"] = {}
    second = reconcile(deps)

    assert not [name for name in store.alarms if name.startswith("ecas-web.")]
    assert "ecas-web.0001.cpu" in second.deleted
    assert "ecas-sessions.serverless.throttled" in store.alarms


def test_the_console_shows_each_kinds_target_in_its_own_words() -> None:
    memcached = {"kind": "memcached", "nodeType": "cache.r7g.large", "nodes": 3}
    serverless = {"kind": "serverless", "dataStorageMaxGb": 20, "ecpuPerSecondMax": 1000}
    group = {"nodeType": "cache.r7g.large", "shards": 1, "replicasPerShard": 2}
    assert [row({"target": t})["target"] for t in (memcached, serverless, group)] == [
        "3 x cache.r7g.large node(s)",
        "data storage -..20 GB, -..1000 ECPU/s",
        "cache.r7g.large 1x2",
    ]
