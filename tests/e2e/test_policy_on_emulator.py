"""The decide step uses the policy from SSM on the deployed stack; a bad policy is a failed decision that
names the bad field, and changes nothing; a policy that reads the load history pre-scales on its forecast."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Deployed
from tests.unit.engine.load_histories import daily_wave

pytestmark = pytest.mark.emulator


def test_an_invalid_policy_is_a_failed_decision_naming_the_field(deployed: Deployed, group_id: str) -> None:
    deployed.set_policy(group_id, {"mode": "act", "maxShards": 0, "colour": "red"})
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    )
    assert described["status"] == "SUCCEEDED"  # recorded, not crash-looping
    record = deployed.record_of(described["executionArn"])
    assert (record["status"], record["action"]) == ("failed", "none")
    why = " ".join(record["reasons"])
    assert "maxShards" in why
    assert "colour" in why
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_the_policy_from_ssm_bounds_an_operator_request(deployed: Deployed, group_id: str) -> None:
    deployed.set_policy(group_id, {"mode": "act", "maxReplicasPerShard": 2, "checkIntervalSeconds": 1})
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "target": 4, "dryRun": False})
    )
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "skipped"
    assert record["blockedBy"].split(":")[0] in {"at_bounds", "out_of_policy"}
    assert deployed.replicas(group_id) == 1
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def _history_points(group_id: str, replica_cpu: Callable[[datetime], float]) -> list[dict[str, Any]]:
    """Eight days of 5-minute datapoints (the history the forecast reads) and the last two hours of 1-minute
    ones (what the reactive rules read) for a 1-shard, 1-replica group: the replica's engine CPU follows
    ``replica_cpu``, everything else is calm; ``IsMaster`` 1 on the primary."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    times = [now - timedelta(minutes=5 * i) for i in range(1, 8 * 288 + 1)]
    times += [now - timedelta(minutes=i) for i in range(1, 126) if i % 5]
    points: list[dict[str, Any]] = []
    for node, is_primary in ((f"{group_id}-001", True), (f"{group_id}-002", False)):
        dims = [{"Name": "CacheClusterId", "Value": node}, {"Name": "CacheNodeId", "Value": "0001"}]
        for when in times:
            for name, value in (
                ("EngineCPUUtilization", 30.0 if is_primary else replica_cpu(when)),
                ("DatabaseMemoryUsageCountedForEvictPercentage", 35.0),
                ("CurrConnections", 800.0),
                ("Evictions", 0.0),
                ("IsMaster", 1.0 if is_primary else 0.0),
            ):
                points.append({"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": value})
    return points


def test_a_policy_that_reads_the_load_history_pre_scales_on_the_forecast(
    deployed: Deployed, group_id: str
) -> None:
    """The real path of the forecast: Observe fetches eight days of the group's own CloudWatch history at
    5-minute periods (GetMetricData on the emulator, which keeps two weeks of datapoints), caches it in the
    state table (the only item Observe may write), and Decide pre-scales ahead of the daily rise."""
    # Given a replica whose engine CPU rose like this every day for 8 days, crossing the read CPU threshold
    # (66 %) 5 minutes from now: a replica takes 10 minutes to add, so now is the time to add it
    crossing = datetime.now(UTC) + timedelta(minutes=5)
    wave = daily_wave(crossing + timedelta(days=0.12659), mean=45.0, amplitude=30.0, per_day=0.5)
    points = _history_points(group_id, wave)
    cloudwatch = deployed.client("cloudwatch")
    for start in range(0, len(points), 1000):
        cloudwatch.put_metric_data(Namespace="AWS/ElastiCache", MetricData=points[start : start + 1000])
    # (the CPU scale-out floor off: this wave peaks at 75 %, under the default floor of 80 %)
    policy = {
        "mode": "forecast",
        "forecast": {"loadHistory": True},
        "targets": {"cpuScaleOutFloorPercent": 0},
    }
    deployed.set_policy(group_id, policy)

    # When it is evaluated
    described = deployed.wait(deployed.start({"cluster": group_id, "action": "evaluate"}), timeout=300)

    # Then the forecast drove the decision (forecast mode: recorded, not made) and the history is cached
    assert described["status"] == "SUCCEEDED"
    record = deployed.record_of(described["executionArn"])
    assert record["drivenBy"] == "forecast", record["reasons"]
    assert (record["status"], record["action"]) == ("skipped", "add_replicas")
    assert record["reasons"][-1] == "dry run (forecast mode): would add_replicas, changed nothing"
    cached = deployed.client("dynamodb").get_item(
        TableName=deployed.stack.state_table,
        Key={"id": {"S": f"loadhistory#{group_id}"}},
        ConsistentRead=True,
    )
    assert "Item" in cached
    assert deployed.emulator.counters().get("__mutating__", 0) == 0
