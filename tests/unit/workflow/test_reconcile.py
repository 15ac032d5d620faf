"""Reconcile: a managed group's owned alarms follow its policy and members; an alarm it does not own is
never touched (issue 13 part 1)."""

from dataclasses import dataclass
from typing import Any

import pytest

from elasticache_autoscaler.adapters.policy_store import InvalidPolicyError
from elasticache_autoscaler.models.policy import Policy, Targets
from elasticache_autoscaler.models.snapshot import Member, Role
from elasticache_autoscaler.workflow.reconcile import ReconcileDeps, reconcile
from tests.fakes.adapters import FakeAlarmStore, FakeElastiCache, FakePolicies, topology

PREFIX = "ecas-"
OWNER = "autoscaler-stack"


@dataclass
class BadPolicy:
    def policy_for(self, cluster: str) -> Policy:
        raise InvalidPolicyError("policy: targets.memoryPercent must be at most 100")


@pytest.fixture
def store() -> FakeAlarmStore:
    return FakeAlarmStore()


@pytest.fixture
def groups() -> FakeElastiCache:
    fake = FakeElastiCache()
    fake.add(topology("orders", shards=1, replicas=1))
    fake.add(topology("sessions", shards=1, replicas=1), managed=False)
    return fake


def deps(groups: FakeElastiCache, store: FakeAlarmStore, policies: object | None = None) -> ReconcileDeps:
    return ReconcileDeps(
        elasticache=groups,
        alarms=store,
        policies=policies or FakePolicies(),  # type: ignore[arg-type]
        prefix=PREFIX,
        owner=OWNER,
        managed_tag_key="elasticache-autoscaler:managed",
        managed_groups=groups,
    )


def names(store: FakeAlarmStore) -> set[str]:
    return set(store.alarms)


def test_a_managed_group_gets_one_alarm_per_node_and_signal_with_the_policys_thresholds(
    groups: FakeElastiCache, store: FakeAlarmStore
) -> None:
    # Given a managed group of one primary and one replica, no alarm yet
    # When reconcile runs on the schedule
    result = reconcile(deps(groups, store))

    # Then each node has its signals' alarms, the primary write CPU, the replica read CPU
    primary, replica = "ecas-orders.orders-0001-001", "ecas-orders.orders-0001-002"
    common = ("memory", "evictions", "connections", "network-in-allowance", "network-out-allowance")
    assert names(store) == (
        {f"{primary}.{s}" for s in (*common, "write-cpu")} | {f"{replica}.{s}" for s in (*common, "read-cpu")}
    )
    assert set(result.created) == names(store)
    # thresholds and M-of-N from the (default) policy: target x (1 + tolerance), 2 of 3 minutes
    write = store.alarms[f"{primary}.write-cpu"]
    assert write["Threshold"] == pytest.approx(60 * 1.1)
    assert (write["EvaluationPeriods"], write["DatapointsToAlarm"], write["Period"]) == (3, 2, 60)
    assert write["MetricName"] == "EngineCPUUtilization"
    assert write["Dimensions"] == [
        {"Name": "CacheClusterId", "Value": "orders-0001-001"},
        {"Name": "CacheNodeId", "Value": "0001"},
    ]
    assert store.alarms[f"{replica}.evictions"]["Threshold"] == 0
    # tagged as owned by this stack; nothing for the unmanaged group
    assert set(store.owners.values()) == {OWNER}
    assert not any(name.startswith("ecas-sessions.") for name in store.alarms)


def test_in_steady_state_reconcile_only_reads(groups: FakeElastiCache, store: FakeAlarmStore) -> None:
    reconcile(deps(groups, store))
    store.puts.clear()

    result = reconcile(deps(groups, store))

    assert store.puts == [] and store.deletes == [] and store.tag_reads == 0
    assert result.unchanged == 12


def test_a_policy_change_updates_the_thresholds(groups: FakeElastiCache, store: FakeAlarmStore) -> None:
    reconcile(deps(groups, store))
    stricter = FakePolicies(Policy(targets=Targets(write_cpu_percent=40), tolerance=0.0))

    result = reconcile(deps(groups, store, stricter))

    assert store.alarms["ecas-orders.orders-0001-001.write-cpu"]["Threshold"] == 40
    assert "ecas-orders.orders-0001-001.write-cpu" in result.updated
    assert store.alarms["ecas-orders.orders-0001-001.memory"]["Threshold"] == 75


def test_new_members_get_alarms_and_removed_ones_lose_them(
    groups: FakeElastiCache, store: FakeAlarmStore
) -> None:
    reconcile(deps(groups, store))
    # Given the group scaled out to two replicas
    groups.add(topology("orders", shards=1, replicas=2))

    # When reconcile runs for that group (after the change)
    result = reconcile(deps(groups, store), "orders")

    assert {n for n in result.created} == {
        f"ecas-orders.orders-0001-003.{s}"
        for s in (
            "memory",
            "evictions",
            "read-cpu",
            "connections",
            "network-in-allowance",
            "network-out-allowance",
        )
    }
    # And back to one replica: the third member's alarms are deleted
    groups.add(topology("orders", shards=1, replicas=1))
    result = reconcile(deps(groups, store), "orders")
    assert len(result.deleted) == 6 and not any("0001-003" in n for n in store.alarms)


def test_untagged_or_deleted_groups_lose_their_alarms(groups: FakeElastiCache, store: FakeAlarmStore) -> None:
    groups.add(topology("carts", shards=1, replicas=0))
    reconcile(deps(groups, store))
    assert any(n.startswith("ecas-carts.") for n in store.alarms)

    groups.group_tags["orders"] = {}  # untagged
    del groups.groups["carts"]  # deleted
    result = reconcile(deps(groups, store))

    assert store.alarms == {}
    assert len(result.deleted) == 12 + 6


def test_an_alarm_it_does_not_own_is_never_touched(groups: FakeElastiCache, store: FakeAlarmStore) -> None:
    # Given alarms of the prefix that the stack did not create: one with a name reconcile wants, a
    # different threshold and no owner tag; one of a group that is not managed; one of another stack
    wanted = "ecas-orders.orders-0001-001.memory"
    foreign = {
        wanted: None,
        "ecas-sessions.sessions-0001-001.memory": None,
        "ecas-hand-made-alarm": "someone",
        "ecas-orders.orders-0001-009.memory": "another-stack",
    }
    for name, owner in foreign.items():
        store.alarms[name] = {"AlarmName": name, "Threshold": 1.0, "MetricName": "Hand"}
        store.owners[name] = owner

    result = reconcile(deps(groups, store))
    groups.group_tags["orders"] = {}
    later = reconcile(deps(groups, store))

    for name in foreign:
        assert store.alarms[name] == {"AlarmName": name, "Threshold": 1.0, "MetricName": "Hand"}
    assert not set(foreign) & set(store.puts) and not set(foreign) & set(store.deletes)
    assert set(result.not_owned) == set(foreign)
    assert set(later.not_owned) == set(foreign)


def test_a_policy_that_does_not_validate_leaves_the_alarms_as_they_are(
    groups: FakeElastiCache, store: FakeAlarmStore
) -> None:
    reconcile(deps(groups, store))
    before = dict(store.alarms)

    result = reconcile(deps(groups, store, BadPolicy()))

    assert store.alarms == before and store.deletes == []
    assert len(result.kept_invalid_policy) == 12


def test_a_node_of_unknown_role_is_watched_for_both_cpu_signals(
    groups: FakeElastiCache, store: FakeAlarmStore
) -> None:
    # Cluster mode enabled: DescribeReplicationGroups gives no role
    clustered = topology("orders", shards=2, replicas=1)
    unknown = clustered.model_copy(
        update={
            "shards": tuple(
                s.model_copy(
                    update={
                        "members": tuple(
                            Member(cluster_id=m.cluster_id, role=Role.UNKNOWN, status="available")
                            for m in s.members
                        )
                    }
                )
                for s in clustered.shards
            )
        }
    )
    groups.add(unknown)

    reconcile(deps(groups, store), "orders")

    node = "ecas-orders.orders-0002-002"
    assert {f"{node}.write-cpu", f"{node}.read-cpu"} <= names(store)
    assert len(store.alarms) == 4 * 7


def test_the_signals_dashboard_draws_each_node_against_its_groups_threshold(
    groups: FakeElastiCache, store: FakeAlarmStore
) -> None:
    groups.add(topology("carts", shards=1, replicas=0))
    strict = FakePolicies(Policy(targets=Targets(memory_percent=50), tolerance=0.0))

    reconcile(deps(groups, store, strict))

    body: Any = store.dashboards[f"{OWNER}-signals"]
    widgets = {w["properties"]["title"].split(" ")[0]: w["properties"] for w in body["widgets"]}
    memory = widgets["memory"]
    assert [line[3] for line in memory["metrics"]] == ["carts-0001-001", "orders-0001-001", "orders-0001-002"]
    assert memory["annotations"]["horizontal"] == [
        {"label": "carts alarm threshold", "value": 50.0},
        {"label": "orders alarm threshold", "value": 50.0},
    ]
    assert [line[3] for line in widgets["read-cpu"]["metrics"]] == ["orders-0001-002"]
    assert len(widgets) == 7
