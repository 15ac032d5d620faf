"""`make demo`: the whole product on the local emulator, start to finish, in about a minute.

Starts the emulator, builds and deploys the real template, creates a managed Valkey replication group whose
replicas run hot, drives an `ecas-` CloudWatch alarm into ALARM, and prints the execution the alarm started
and the cluster's decision log. Then an operator asks, from the "console", to remove the extra replica.
"""

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticache_autoscaler.adapters.dynamo_items import from_item
from tools import local_stack
from tools.emulator.control import Emulator

GROUP = "demo-orders"


def _say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _put_load(cloudwatch: Any, replica_cpu: float) -> None:
    """Thirty minutes of one-minute datapoints for every node: replicas at `replica_cpu` %, the rest calm."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    nodes = {f"{GROUP}-001": 30.0, f"{GROUP}-002": replica_cpu}
    for node, cpu in nodes.items():
        data = []
        for minute in range(30):
            when = now - timedelta(minutes=30 - minute)
            dims = [{"Name": "CacheClusterId", "Value": node}, {"Name": "CacheNodeId", "Value": "0001"}]
            data += [
                {"MetricName": "EngineCPUUtilization", "Dimensions": dims, "Timestamp": when, "Value": cpu},
                {
                    "MetricName": "DatabaseMemoryUsageCountedForEvictPercentage",
                    "Dimensions": dims,
                    "Timestamp": when,
                    "Value": 35.0,
                },
                {"MetricName": "CurrConnections", "Dimensions": dims, "Timestamp": when, "Value": 800.0},
                {"MetricName": "Evictions", "Dimensions": dims, "Timestamp": when, "Value": 0.0},
            ]
        for start in range(0, len(data), 500):
            cloudwatch.put_metric_data(Namespace="AWS/ElastiCache", MetricData=data[start : start + 500])


def _wait_for_new_execution(sfn: Any, arn: str, known: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for execution in sfn.list_executions(stateMachineArn=arn)["executions"]:
            if execution["executionArn"] not in known:
                return _wait_done(sfn, execution["executionArn"])
        time.sleep(0.3)
    raise TimeoutError("the alarm started no execution")


def _wait_done(sfn: Any, execution_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.3)
    raise TimeoutError(f"{execution_arn} did not finish")


def _print_execution(sfn: Any, described: dict[str, Any]) -> None:
    print(f"execution {described['name']}: {described['status']}")
    events = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    steps = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    print("  steps: " + " -> ".join(steps))


def _print_log(dynamodb: Any, table: str) -> None:
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="#c = :c",
        ExpressionAttributeNames={"#c": "cluster"},
        ExpressionAttributeValues={":c": {"S": GROUP}},
    )["Items"]
    print(
        f"{'decidedAt':<28} {'trigger':<8} {'mode':<8} {'action':<16} "
        f"{'current -> target':<22} {'status':<10}"
    )
    for item in map(from_item, items):
        cur, tgt = item.get("current") or {}, item.get("target") or {}
        change = f"{cur.get('replicasPerShard', '?')} -> {tgt.get('replicasPerShard', '?')} replicas"
        print(
            f"{item['decidedAt']:<28} {item['trigger']:<8} {item['mode']:<8} {item['action']:<16} "
            f"{change:<22} {item['status']:<10}"
        )
        for reason in item["reasons"]:
            print(f"{'':<30}- {reason}")


def main() -> None:
    _say("building the SAM application (sam build, x86_64 for the local emulator)")
    local_stack.build()
    with Emulator.start(env={"EMULATOR_ELASTICACHE_CHANGE_SECONDS": "2"}) as emulator:
        _say(
            f"emulator on {emulator.endpoint_url}; "
            "deploying the real template (sam deploy --config-env local)"
        )
        stack = local_stack.deploy(emulator)
        print(f"state machine: {stack.state_machine_arn}\ndecision log:  {stack.decision_table}")
        client = lambda service: local_stack.client(emulator, service)  # noqa: E731
        elasticache, cloudwatch, sfn, ssm = (
            client(s) for s in ("elasticache", "cloudwatch", "stepfunctions", "ssm")
        )

        _say(
            f"creating replication group {GROUP} (Valkey, 1 shard, 1 replica), "
            "tagged as managed, policy mode=act"
        )
        elasticache.create_replication_group(
            ReplicationGroupId=GROUP,
            ReplicationGroupDescription="demo",
            Engine="valkey",
            CacheNodeType="cache.r7g.large",
            NumNodeGroups=1,
            ReplicasPerNodeGroup=1,
            AutomaticFailoverEnabled=True,
            MultiAZEnabled=True,
            Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
        )
        policy = {"mode": "act", "checkIntervalSeconds": 1, "scaleOutCooldownSeconds": 0}
        ssm.put_parameter(
            Name=f"{stack.policy_prefix}/clusters/{GROUP}",
            Value=json.dumps(policy),
            Type="String",
            Overwrite=True,
        )
        _put_load(cloudwatch, replica_cpu=88.0)

        _say("replicas run at 88 % engine CPU; alarm ecas-demo-orders-read-cpu goes into ALARM")
        alarm = f"ecas-{GROUP}-read-cpu"
        cloudwatch.put_metric_alarm(
            AlarmName=alarm,
            Namespace="AWS/ElastiCache",
            MetricName="EngineCPUUtilization",
            Dimensions=[
                {"Name": "CacheClusterId", "Value": f"{GROUP}-002"},
                {"Name": "CacheNodeId", "Value": "0001"},
            ],
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=3,
            DatapointsToAlarm=3,
            Threshold=66,
            ComparisonOperator="GreaterThanThreshold",
        )
        known = {
            e["executionArn"]
            for e in sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
        }
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="3 of 3 datapoints > 66")
        _print_execution(sfn, _wait_for_new_execution(sfn, stack.state_machine_arn, known))

        _say("load is gone; an operator asks from the console to remove the replica again (scale-in)")
        _put_load(cloudwatch, replica_cpu=12.0)
        request = {
            "cluster": GROUP,
            "action": "remove_replicas",
            "target": 1,
            "dryRun": False,
            "reason": "demo",
        }
        print("input: " + json.dumps(request))
        execution = sfn.start_execution(stateMachineArn=stack.state_machine_arn, input=json.dumps(request))
        _print_execution(sfn, _wait_done(sfn, execution["executionArn"]))

        members = elasticache.describe_replication_groups(ReplicationGroupId=GROUP)["ReplicationGroups"][0]
        _say(f"{GROUP} now has members {members['MemberClusters']}; its decision log:")
        _print_log(client("dynamodb"), stack.decision_table)


if __name__ == "__main__":
    main()
