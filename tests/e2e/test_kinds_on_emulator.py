"""Issue 14 on the deployed stack: a Memcached cluster and a Serverless cache tagged managed are managed as a
replication group is: an alarm scales them, an operator changes them from the console, the decision log
says what happened and why, bad input and unmanaged caches change nothing.

The module deploys a stack of its own (``deployed_stack``): its caches and alarms stay out of the shared one.
"""

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from elasticache_autoscaler_cli import main as cli
from tests.e2e.conftest import Deployed, deployed_stack
from tools.stack_driver import wait_until

pytestmark = pytest.mark.emulator

MANAGED = {"Key": "elasticache-autoscaler:managed", "Value": "true"}
FAST = {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 60}
GB = 1_000_000_000


@pytest.fixture(scope="module")
def stack(built: Path) -> Iterator[Deployed]:
    with deployed_stack() as deployed:
        yield deployed


def _memcached(stack: Deployed, nodes: int = 2, *, managed: bool = True, policy: Any = FAST) -> str:
    cluster_id = f"mc{uuid.uuid4().hex[:10]}"
    stack.client("elasticache").create_cache_cluster(
        CacheClusterId=cluster_id,
        Engine="memcached",
        EngineVersion="1.6.22",
        CacheNodeType="cache.r7g.large",
        NumCacheNodes=nodes,
        Tags=[MANAGED] if managed else [],
    )
    wait_until(lambda: _cluster(stack, cluster_id)["CacheClusterStatus"] == "available", timeout=30)
    if policy is not None:
        stack.set_policy(cluster_id, policy)
    return cluster_id


def _cluster(stack: Deployed, cluster_id: str) -> dict[str, Any]:
    clusters = stack.client("elasticache").describe_cache_clusters(
        CacheClusterId=cluster_id, ShowCacheNodeInfo=True
    )["CacheClusters"]
    return dict(clusters[0])


def _serverless(stack: Deployed) -> str:
    name = f"sl{uuid.uuid4().hex[:10]}"
    stack.client("elasticache").create_serverless_cache(
        ServerlessCacheName=name,
        Engine="valkey",
        CacheUsageLimits={
            "DataStorage": {"Maximum": 10, "Unit": "GB"},
            "ECPUPerSecond": {"Maximum": 5000},
        },
        Tags=[MANAGED],
    )
    wait_until(lambda: _cache(stack, name)["Status"] == "available", timeout=30)
    stack.set_policy(
        name,
        {
            **FAST,
            "maxDataStorageGb": 50,
            "minEcpuPerSecond": 1000,
            "maxEcpuPerSecond": 50000,
            "budgetUsdPerMonth": 5000,
        },
    )
    return name


def _cache(stack: Deployed, name: str) -> dict[str, Any]:
    caches = stack.client("elasticache").describe_serverless_caches(ServerlessCacheName=name)
    return dict(caches["ServerlessCaches"][0])


def _put(stack: Deployed, metric: str, dimensions: list[dict[str, str]], value: float) -> None:
    """Thirty one-minute datapoints of ``metric`` at ``value``, the last one a minute ago."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    data = [
        {
            "MetricName": metric,
            "Dimensions": dimensions,
            "Timestamp": now - timedelta(minutes=30 - m),
            "Value": value,
        }
        for m in range(30)
    ]
    stack.client("cloudwatch").put_metric_data(Namespace="AWS/ElastiCache", MetricData=data)


def _alarm(
    stack: Deployed, name: str, metric: str, dimensions: list[dict[str, str]], threshold: float
) -> None:
    stack.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ElastiCache",
        MetricName=metric,
        Dimensions=dimensions,
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=3,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
    )


def _alarm_execution(stack: Deployed, cache_id: str) -> str:
    found = wait_until(
        lambda: [
            e["executionArn"] for e in stack.executions() if str(e["name"]).startswith(f"alarm-{cache_id}-")
        ],
        timeout=45,
    )
    return str(min(found))


def _run(stack: Deployed, request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Start an execution, wait for it; its description and its decision record (None when it has none)."""
    arn = stack.start(request)
    described = stack.wait(arn, timeout=120)
    records = [r for r in stack.decision_records(request["cluster"]) if r["executionArn"] == arn]
    return described, (records[0] if records else None)


def _notified(stack: Deployed, subject: str) -> dict[str, Any]:
    """The notification with ``subject`` (what an operator subscribed to the topic receives)."""
    seen: list[dict[str, Any]] = []

    def probe() -> list[dict[str, Any]]:
        seen.extend(stack.notifications())
        return [note for note in seen if note["subject"] == subject]

    found: list[dict[str, Any]] = wait_until(probe, timeout=30)
    return found[0]


# ---------- Memcached ----------


def test_an_alarm_on_a_hot_memcached_node_adds_nodes_and_the_outcome_is_recorded(stack: Deployed) -> None:
    # Given a managed 2-node Memcached cluster whose nodes run at 90 % CPU (target 60 %)
    cluster_id = _memcached(stack, policy={**FAST, "maxNodes": 6})
    for node in ("0001", "0002"):
        dims = [{"Name": "CacheClusterId", "Value": cluster_id}, {"Name": "CacheNodeId", "Value": node}]
        _put(stack, "CPUUtilization", dims, 90.0)

    # When its node's CPU alarm (alarms_kinds naming) goes into ALARM
    dims = [{"Name": "CacheClusterId", "Value": cluster_id}, {"Name": "CacheNodeId", "Value": "0001"}]
    _alarm(stack, f"ecas-{cluster_id}.0001.cpu", "CPUUtilization", dims, 66.0)

    # Then on_alarm starts an execution for the cluster, which adds a node and records it succeeded
    execution = _alarm_execution(stack, cluster_id)
    assert stack.wait(execution, timeout=120)["status"] == "SUCCEEDED"
    record = stack.record_of(execution)
    assert (record["trigger"], record["action"], record["status"], record["mode"]) == (
        "alarm",
        "add_nodes",
        "succeeded",
        "act",
    )
    assert record["current"] == {"kind": "memcached", "nodeType": "cache.r7g.large", "nodes": 2}
    assert record["target"] == {"kind": "memcached", "nodeType": "cache.r7g.large", "nodes": 3}
    assert record["costPerHourAfter"] > record["costPerHourBefore"] > 0
    assert any("cpu" in reason for reason in record["reasons"])
    assert len(_cluster(stack, cluster_id)["CacheNodes"]) == 3
    assert stack.lock_item(cluster_id) is None


def test_an_operator_removes_memcached_nodes_from_the_console(stack: Deployed) -> None:
    cluster_id = _memcached(stack, nodes=3)

    described, record = _run(
        stack,
        {"cluster": cluster_id, "kind": "memcached", "action": "remove_nodes", "target": 2, "dryRun": False},
    )

    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"], record["trigger"]) == ("remove_nodes", "succeeded", "console")
    assert record["target"]["nodes"] == 2
    nodes = sorted(n["CacheNodeId"] for n in _cluster(stack, cluster_id)["CacheNodes"])
    assert nodes == ["0001", "0002"]  # the newest node went: the longest-lived keys stay
    note = _notified(stack, f"remove_nodes succeeded on {cluster_id}")
    assert note["message"]["status"] == "succeeded"


def test_an_operator_changes_a_memcached_node_type_the_kind_looked_up(stack: Deployed) -> None:
    cluster_id = _memcached(stack)

    # No "kind" in the input: Observe finds the id among the Memcached clusters
    described, record = _run(
        stack, {"cluster": cluster_id, "action": "scale_up", "target": "cache.r7g.xlarge", "dryRun": False}
    )

    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"]) == ("scale_up", "succeeded")
    assert _cluster(stack, cluster_id)["CacheNodeType"] == "cache.r7g.xlarge"


def test_a_replication_group_field_in_a_memcached_policy_is_an_invalid_policy_decision(
    stack: Deployed,
) -> None:
    cluster_id = _memcached(stack, policy={**FAST, "minShards": 2})

    described, record = _run(
        stack, {"cluster": cluster_id, "action": "add_nodes", "target": 3, "dryRun": False}
    )

    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["status"], record["mode"]) == ("failed", "observe")
    assert "minShards does not apply to a Memcached cluster" in record["blockedBy"]
    assert len(_cluster(stack, cluster_id)["CacheNodes"]) == 2


@pytest.mark.parametrize(
    ("request_fields", "named"),
    [
        ({"action": "add_replicas"}, "add_replicas is not an action of a Memcached cluster"),
        ({"action": "add_nodes", "target": "cache.r7g.large"}, "target"),
        ({"action": "scale_up"}, "needs a target node type"),
        ({"action": "add_nodes", "target": 3, "kind": "memcache"}, "kind"),
    ],
)
def test_bad_console_input_for_a_memcached_cluster_is_refused_and_changes_nothing(
    stack: Deployed, request_fields: dict[str, Any], named: str
) -> None:
    cluster_id = _memcached(stack)

    described, record = _run(stack, {"cluster": cluster_id, "dryRun": False, **request_fields})

    assert (described["status"], described["error"]) == ("FAILED", "InvalidInputError")
    assert named in described["cause"]
    assert record is None
    assert len(_cluster(stack, cluster_id)["CacheNodes"]) == 2


def test_an_unmanaged_memcached_cluster_is_ignored(stack: Deployed) -> None:
    cluster_id = _memcached(stack, managed=False)
    dims = [{"Name": "CacheClusterId", "Value": cluster_id}, {"Name": "CacheNodeId", "Value": "0001"}]
    _put(stack, "CPUUtilization", dims, 95.0)
    _alarm(stack, f"ecas-{cluster_id}.0001.cpu", "CPUUtilization", dims, 66.0)

    described, record = _run(
        stack, {"cluster": cluster_id, "action": "add_nodes", "target": 3, "dryRun": False}
    )

    assert (described["status"], described["error"]) == ("FAILED", "ClusterNotManagedError")
    assert record is None
    alarm = stack.client("cloudwatch").describe_alarms(AlarmNames=[f"ecas-{cluster_id}.0001.cpu"])
    assert alarm["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert not [e for e in stack.executions() if str(e["name"]).startswith(f"alarm-{cluster_id}-")]
    assert len(_cluster(stack, cluster_id)["CacheNodes"]) == 2


# ---------- Serverless ----------


def test_an_operator_raises_then_lowers_serverless_limits_with_their_cost(stack: Deployed) -> None:
    name = _serverless(stack)

    raised, record = _run(
        stack,
        {
            "cluster": name,
            "kind": "serverless",
            "action": "set_limits",
            "limits": {"dataStorageMaxGb": 20, "ecpuPerSecondMax": 10000},
            "dryRun": False,
        },
    )
    assert raised["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"]) == ("raise_limits", "succeeded")
    assert any("/month" in reason and "ceiling" in reason for reason in record["reasons"])
    assert record["costPerHourAfter"] > record["costPerHourBefore"]
    limits = _cache(stack, name)["CacheUsageLimits"]
    assert (limits["DataStorage"]["Maximum"], limits["ECPUPerSecond"]["Maximum"]) == (20, 10000)
    assert _notified(stack, f"raise_limits succeeded on {name}")["message"]["cluster"] == name

    lowered, record = _run(
        stack,
        {"cluster": name, "action": "set_limits", "limits": {"dataStorageMaxGb": 5}, "dryRun": False},
    )
    assert lowered["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"]) == ("lower_limits", "succeeded"), record
    assert record["target"]["dataStorageMaxGb"] == 5
    assert _cache(stack, name)["CacheUsageLimits"]["DataStorage"]["Maximum"] == 5


def test_an_alarm_on_a_full_serverless_cache_raises_its_storage_maximum(stack: Deployed) -> None:
    name = _serverless(stack)
    dims = [{"Name": "clusterId", "Value": name}]
    _put(stack, "BytesUsedForCache", dims, 9 * GB)  # 90 % of its 10 GB maximum

    _alarm(stack, f"ecas-{name}.serverless.data-storage", "BytesUsedForCache", dims, 7.5 * GB)

    execution = _alarm_execution(stack, name)
    assert stack.wait(execution, timeout=120)["status"] == "SUCCEEDED"
    record = stack.record_of(execution)
    assert (record["trigger"], record["action"], record["status"]) == ("alarm", "raise_limits", "succeeded")
    assert _cache(stack, name)["CacheUsageLimits"]["DataStorage"]["Maximum"] == 14  # 9 GB x 1.5 headroom


@pytest.mark.parametrize(
    ("request_fields", "named"),
    [
        ({"action": "add_nodes", "target": 3}, "add_nodes is not an action of a Serverless cache"),
        ({"action": "set_limits"}, "set_limits needs limits"),
        ({"action": "set_limits", "limits": {"dataStorageMaxGb": "20"}}, "limits.dataStorageMaxGb"),
        ({"action": "set_limits", "limits": {"ecpuMax": 20}}, "limits.ecpuMax"),
    ],
)
def test_bad_console_input_for_a_serverless_cache_is_refused_and_changes_nothing(
    stack: Deployed, request_fields: dict[str, Any], named: str
) -> None:
    name = _serverless(stack)

    described, record = _run(
        stack, {"cluster": name, "kind": "serverless", "dryRun": False, **request_fields}
    )

    assert (described["status"], described["error"]) == ("FAILED", "InvalidInputError")
    assert named in described["cause"]
    assert record is None
    assert _cache(stack, name)["CacheUsageLimits"]["DataStorage"]["Maximum"] == 10


def test_a_serverless_limit_outside_the_policy_is_refused_in_the_decision_log(stack: Deployed) -> None:
    name = _serverless(stack)

    described, record = _run(
        stack,
        {"cluster": name, "action": "set_limits", "limits": {"dataStorageMaxGb": 500}, "dryRun": False},
    )

    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"]) == ("raise_limits", "skipped")
    assert "out_of_policy: dataStorageMaxGb 500 outside 1..50" in record["blockedBy"]
    assert _cache(stack, name)["CacheUsageLimits"]["DataStorage"]["Maximum"] == 10


# ---------- issue 14, runtime: node-type scale-down, scheduled pre-warm, reconcile, the console ----------


def test_a_cold_memcached_cluster_at_min_nodes_moves_to_a_smaller_node_type(stack: Deployed) -> None:
    # Given 2 x cache.r7g.xlarge at minNodes 2, both nodes far below target for the whole window
    cluster_id = f"mc{uuid.uuid4().hex[:10]}"
    stack.client("elasticache").create_cache_cluster(
        CacheClusterId=cluster_id,
        Engine="memcached",
        EngineVersion="1.6.22",
        CacheNodeType="cache.r7g.xlarge",
        NumCacheNodes=2,
        Tags=[MANAGED],
    )
    wait_until(lambda: _cluster(stack, cluster_id)["CacheClusterStatus"] == "available", timeout=30)
    stack.set_policy(cluster_id, {**FAST, "minNodes": 2, "scaleInStabilizationSeconds": 600})
    cold = {"CPUUtilization": 10.0, "BytesUsedForCacheItems": 1.0 * 1024**3, "CurrConnections": 100.0}
    for node in ("0001", "0002"):
        dims = [{"Name": "CacheClusterId", "Value": cluster_id}, {"Name": "CacheNodeId", "Value": node}]
        for metric, value in {**cold, "Evictions": 0.0}.items():
            _put(stack, metric, dims, value)

    # When the schedule's evaluation runs
    described, record = _run(stack, {"cluster": cluster_id, "kind": "memcached", "action": "evaluate"})

    # Then the rules choose the smaller type (no node can go), say why, and ElastiCache is changed
    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"]) == ("scale_down", "succeeded"), record["reasons"]
    assert record["target"] == {"kind": "memcached", "nodeType": "cache.r7g.large", "nodes": 2}
    assert record["costPerHourBefore"] > record["costPerHourAfter"] > 0
    assert any("node type cache.r7g.xlarge -> cache.r7g.large" in r for r in record["reasons"])
    assert _cluster(stack, cluster_id)["CacheNodeType"] == "cache.r7g.large"


def test_a_serverless_schedule_prewarms_the_minimums_then_lowers_them(stack: Deployed) -> None:
    # Given a cache whose policy has a window opening in 30 minutes (within the hour AWS may take to
    # apply a raised minimum) holding 4 GB and 20000 ECPU/s, over base minimums of 1 GB and 1000 ECPU/s
    name = _serverless(stack)
    opens = datetime.now(UTC) + timedelta(minutes=30)
    launch = {
        "name": "launch",
        "cron": f"{opens.minute} {opens.hour} * * *",
        "durationMinutes": 60,
        "minimums": {"dataStorageGb": 4, "ecpuPerSecond": 20000},
    }
    policy = {
        **FAST,
        "maxDataStorageGb": 50,
        "maxEcpuPerSecond": 50000,
        "budgetUsdPerMonth": 5000,
        "baseMinimums": {"dataStorageGb": 1, "ecpuPerSecond": 1000},
        "schedules": [launch],
    }
    stack.set_policy(name, policy)

    # When it is evaluated: the minimums are raised ahead of the window, the schedule named as the driver
    described, record = _run(stack, {"cluster": name, "kind": "serverless", "action": "evaluate"})
    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"], record["drivenBy"]) == (
        "set_minimums",
        "succeeded",
        "schedule:launch",
    ), record["reasons"]
    assert any("pre-warm" in r for r in record["reasons"])
    assert any(r.startswith("cost: ceiling") and "floor" in r for r in record["reasons"])
    limits = _cache(stack, name)["CacheUsageLimits"]
    assert (limits["DataStorage"]["Minimum"], limits["ECPUPerSecond"]["Minimum"]) == (4, 20000)
    assert limits["ECPUPerSecond"]["Maximum"] == 20000  # raised to its new minimum

    # When the schedule has expired (its endTime passed) and the policy cache (60 s) has let go of it
    expired = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    stack.set_policy(name, {**policy, "schedules": [{**launch, "endTime": expired}]})
    time.sleep(61)
    described, record = _run(stack, {"cluster": name, "kind": "serverless", "action": "evaluate"})

    # Then the minimums go back to the base, the release driven by the same schedule
    assert described["status"] == "SUCCEEDED"
    assert record is not None
    assert (record["action"], record["status"], record["drivenBy"]) == (
        "set_minimums",
        "succeeded",
        "schedule:launch",
    ), record["reasons"]
    assert any("back to baseMinimums" in r for r in record["reasons"])
    limits = _cache(stack, name)["CacheUsageLimits"]
    assert (limits["DataStorage"]["Minimum"], limits["ECPUPerSecond"]["Minimum"]) == (1, 1000)


def test_reconcile_keeps_alarms_of_a_memcached_cluster_and_a_serverless_cache(stack: Deployed) -> None:
    # Given a managed Memcached cluster and a managed Serverless cache, and an unmanaged Memcached cluster
    cluster_id, name = _memcached(stack), _serverless(stack)
    plain = _memcached(stack, managed=False, policy=None)

    # When reconcile runs as its schedule does
    answer = stack.reconcile()

    # Then it covered both managed caches (their alarms exist, owned) and left the unmanaged one alone
    assert {cluster_id, name} <= set(answer["groups"])
    assert plain not in answer["groups"]
    memcached_alarms, serverless_alarms = stack.owned_alarms(cluster_id), stack.owned_alarms(name)
    assert f"ecas-{cluster_id}.0001.cpu" in memcached_alarms
    assert f"ecas-{name}.serverless.data-storage-near-max" in serverless_alarms
    assert not stack.owned_alarms(plain)

    # When the Memcached cluster is untagged, the next reconcile deletes its alarms
    arn = _cluster(stack, cluster_id)["ARN"]
    stack.client("elasticache").remove_tags_from_resource(ResourceName=arn, TagKeys=[MANAGED["Key"]])
    stack.reconcile()
    assert not stack.owned_alarms(cluster_id)
    assert f"ecas-{name}.serverless.data-storage-near-max" in stack.owned_alarms(name)


def test_the_console_lists_and_shows_memcached_and_serverless_caches(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster_id, name = _memcached(stack, policy={**FAST, "maxNodes": 6}), _serverless(stack)
    for key, value in stack.emulator.aws_env().items():
        monkeypatch.setenv(key, value)

    assert cli.main(["clusters", "--stack", stack.stack.name, "--json"]) == 0
    rows = {row["cluster"]: row for row in json.loads(capsys.readouterr().out)}
    assert (rows[cluster_id]["kind"], rows[cluster_id]["mode"]) == ("Memcached cluster", "act")
    assert rows[cluster_id]["capacity"] == "2 x cache.r7g.large node(s)"
    assert (rows[name]["kind"], rows[name]["status"]) == ("Serverless cache", "available")
    assert rows[name]["capacity"] == "data storage -..10 GB, -..5000 ECPU/s"

    assert cli.main(["policy", "show", "--stack", stack.stack.name, "--cluster", cluster_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["kind"], shown["effective"]["maxNodes"]) == ("memcached", 6)
    assert cli.main(["policy", "show", "--stack", stack.stack.name, "--cluster", name, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["effective"]["maxDataStorageGb"] == 50

    assert cli.main(["clusters", "--stack", stack.stack.name]) == 0
    table = capsys.readouterr().out
    assert cluster_id in table and name in table and "Serverless cache" in table

    # preview observes and decides either kind now, and changes nothing
    records_before = (stack.decision_records(cluster_id), stack.decision_records(name))
    stack.emulator.reset()  # its counters: no mutating call from here on
    for cache_id, kind in ((cluster_id, "memcached"), (name, "serverless")):
        assert cli.main(["preview", "--stack", stack.stack.name, cache_id, "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert (shown["cluster"], shown["observed"]["kind"]) == (cache_id, kind)
        assert shown["decision"]["action"]
    assert (stack.decision_records(cluster_id), stack.decision_records(name)) == records_before
    assert stack.emulator.counters().get("__mutating__", 0) == 0
