"""Drive the stack deployed on the local emulator: groups, policies, load, alarms, executions, decision log.

Shared by `make demo`, the system benchmark and the e2e tests; tools/local_stack.py builds and deploys it.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticache_autoscaler.adapters.dynamo_items import from_item
from tools import local_stack
from tools.emulator.control import Emulator

MANAGED_TAG = {"Key": "elasticache-autoscaler:managed", "Value": "true"}
LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def wait_for_execution(sfn: Any, execution_arn: str, timeout: float = 90) -> dict[str, Any]:
    """The execution described once it is no longer RUNNING."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.1)
    raise TimeoutError(f"{execution_arn} still running after {timeout}s")


def wait_until[T](probe: Callable[[], T], timeout: float = 60, interval: float = 0.3) -> T:
    """``probe()``'s first truthy answer, polled every ``interval`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(interval)
    raise TimeoutError(f"not met within {timeout}s")


def states_entered(history: list[dict[str, Any]]) -> list[str]:
    """The names of the states an execution entered, in order, from its history events."""
    return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


def largest_state_payload(history: list[dict[str, Any]]) -> tuple[int, str]:
    """The largest input or output of any state or task in an execution's history, in bytes (UTF-8), and
    where: what Step Functions holds to its 256 KiB cap (the emulator does not enforce it)."""
    largest, where, name = 0, "", ""
    for event in history:
        for key, details in event.items():
            if not key.endswith("EventDetails") or not isinstance(details, dict):
                continue
            name = details.get("name", name)
            for part in ("input", "output"):
                payload = details.get(part)
                if isinstance(payload, str) and len(payload.encode()) > largest:
                    largest, where = len(payload.encode()), f"{event['type']} {name} {part}"
    return largest, where


def create_lambda_role(emulator: Emulator, name: str) -> str:
    """An IAM role that Lambda may assume; its ARN."""
    iam = local_stack.client(emulator, "iam")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY))
    return str(role["Role"]["Arn"])


def create_python_function(
    emulator: Emulator, name: str, source: str, handler: str, *, role_arn: str, memory_mb: int = 128
) -> str:
    """A python3.13 Lambda function with ``source`` as its app.py; its ARN."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", source)
    created = local_stack.client(emulator, "lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler=handler,
        Code={"ZipFile": package.getvalue()},
        MemorySize=memory_mb,
    )
    return str(created["FunctionArn"])


@dataclass
class StackDriver:
    """The deployed stack, and what an operator or an alarm does to it."""

    emulator: Emulator
    stack: local_stack.Stack

    def client(self, service: str) -> Any:
        return local_stack.client(self.emulator, service)

    def create_group(
        self,
        group_id: str,
        replicas: int = 1,
        managed: bool = True,
        shards: int = 1,
        node_type: str = "cache.r7g.large",
        **settings: Any,
    ) -> None:
        """A Valkey replication group with automatic failover and Multi-AZ, tagged as managed unless told
        not to; ``settings`` go to CreateReplicationGroup as they are."""
        self.client("elasticache").create_replication_group(
            ReplicationGroupId=group_id,
            ReplicationGroupDescription="elasticache-autoscaler on the local emulator",
            Engine="valkey",
            CacheNodeType=node_type,
            ClusterMode="enabled" if shards > 1 else "disabled",
            NumNodeGroups=shards,
            ReplicasPerNodeGroup=replicas,
            AutomaticFailoverEnabled=True,
            MultiAZEnabled=True,
            Tags=[MANAGED_TAG] if managed else [],
            **settings,
        )

    def group(self, group_id: str) -> dict[str, Any]:
        groups = self.client("elasticache").describe_replication_groups(ReplicationGroupId=group_id)
        return dict(groups["ReplicationGroups"][0])

    def set_policy(self, group_id: str, policy: dict[str, Any]) -> None:
        self.client("ssm").put_parameter(
            Name=f"{self.stack.policy_prefix}/clusters/{group_id}",
            Value=json.dumps(policy),
            Type="String",
            Overwrite=True,
        )

    def put_load(self, group_id: str, replica_cpu: float) -> None:
        """Thirty one-minute datapoints per node of a 1-shard, 1-replica group: the replica at
        ``replica_cpu`` % engine CPU, the primary calm; ``IsMaster`` 1 on the primary and 0 on the replica,
        as ElastiCache reports it (the adapter's only source of roles in cluster mode enabled)."""
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        data: list[dict[str, Any]] = []
        nodes = {f"{group_id}-001": (30.0, 1.0), f"{group_id}-002": (replica_cpu, 0.0)}
        for node, (cpu, is_master) in nodes.items():
            dims = [{"Name": "CacheClusterId", "Value": node}, {"Name": "CacheNodeId", "Value": "0001"}]
            for minute in range(30):
                when = now - timedelta(minutes=30 - minute)
                for name, value in (
                    ("EngineCPUUtilization", cpu),
                    ("DatabaseMemoryUsageCountedForEvictPercentage", 35.0),
                    ("CurrConnections", 800.0),
                    ("Evictions", 0.0),
                    ("IsMaster", is_master),
                ):
                    data.append({"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": value})
        cloudwatch = self.client("cloudwatch")
        for start in range(0, len(data), 500):
            cloudwatch.put_metric_data(Namespace="AWS/ElastiCache", MetricData=data[start : start + 500])

    def put_group_load(self, group_id: str, minutes: int = 30) -> int:
        """``minutes`` one-minute datapoints of engine CPU, memory, connections and evictions for every
        node of the group, whatever its size (calm values), and ``IsMaster`` (1 on each shard's first
        member, the emulator's primary: cluster mode enabled has no other source of roles); the number of
        datapoints."""
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        data: list[dict[str, Any]] = []
        for shard in self.group(group_id)["NodeGroups"]:
            for index, member in enumerate(shard["NodeGroupMembers"]):
                dims = [
                    {"Name": "CacheClusterId", "Value": member["CacheClusterId"]},
                    {"Name": "CacheNodeId", "Value": "0001"},
                ]
                for minute in range(minutes):
                    when = now - timedelta(minutes=minutes - minute)
                    for name, value in (
                        ("EngineCPUUtilization", 20.0 + minute % 7 + 0.123456),
                        ("DatabaseMemoryUsageCountedForEvictPercentage", 30.0 + minute % 5 + 0.654321),
                        ("CurrConnections", 800.0 + minute),
                        ("Evictions", 0.0),
                        ("IsMaster", 1.0 if index == 0 else 0.0),
                    ):
                        data.append(
                            {"MetricName": name, "Dimensions": dims, "Timestamp": when, "Value": value}
                        )
        cloudwatch = self.client("cloudwatch")
        for start in range(0, len(data), 1000):
            cloudwatch.put_metric_data(Namespace="AWS/ElastiCache", MetricData=data[start : start + 1000])
        return len(data)

    def put_replica_cpu_alarm(self, group_id: str, threshold: float) -> str:
        """An `ecas-` alarm on the maximum engine CPU of the group's replica over three minutes; its name."""
        name = f"ecas-{group_id}-read-cpu"
        self.client("cloudwatch").put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/ElastiCache",
            MetricName="EngineCPUUtilization",
            Dimensions=[
                {"Name": "CacheClusterId", "Value": f"{group_id}-002"},
                {"Name": "CacheNodeId", "Value": "0001"},
            ],
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=3,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
        )
        return name

    def reconcile(self) -> dict[str, Any]:
        """Invoke the stack's reconcile function as its schedule does (every group); what it answered."""
        outputs = self.client("cloudformation").describe_stacks(StackName=self.stack.name)["Stacks"][0][
            "Outputs"
        ]
        (name,) = [o["OutputValue"] for o in outputs if o["OutputKey"] == "ReconcileFunctionName"]
        answer = self.client("lambda").invoke(
            FunctionName=name, Payload=json.dumps({"source": "elasticache-autoscaler.reconcile"}).encode()
        )
        payload: dict[str, Any] = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise RuntimeError(f"reconcile failed: {payload}")
        return payload

    def owned_alarms(self, group_id: str, prefix: str = "ecas-") -> dict[str, dict[str, Any]]:
        """The group's alarms of the prefix (reconcile's naming: ``<prefix><group>.<member>.<signal>``)."""
        pages = (
            self.client("cloudwatch")
            .get_paginator("describe_alarms")
            .paginate(AlarmNamePrefix=f"{prefix}{group_id}.")
        )
        return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}

    def start(self, request: dict[str, Any], state_machine_arn: str | None = None) -> str:
        """Start an execution of the scaling state machine (unless another is named); its ARN."""
        answer = self.client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn or self.stack.state_machine_arn, input=json.dumps(request)
        )
        return str(answer["executionArn"])

    def wait(self, execution_arn: str, timeout: float = 90) -> dict[str, Any]:
        return wait_for_execution(self.client("stepfunctions"), execution_arn, timeout)

    def executions(self, state_machine_arn: str | None = None) -> list[dict[str, Any]]:
        """The executions of the scaling state machine (unless another is named)."""
        sfn = self.client("stepfunctions")
        arn = state_machine_arn or self.stack.state_machine_arn
        return list(sfn.list_executions(stateMachineArn=arn)["executions"])

    def execution_arns(self) -> set[str]:
        return {e["executionArn"] for e in self.executions()}

    def executions_for(self, cluster: str, among: set[str]) -> list[str]:
        """The executions of ``among`` whose input names ``cluster``, sorted (another group's, started
        meanwhile by its alarm, a follow-up or the schedule, is not the one a test waits for)."""
        sfn = self.client("stepfunctions")
        return sorted(
            arn
            for arn in among
            if json.loads(sfn.describe_execution(executionArn=arn)["input"]).get("cluster") == cluster
        )

    def wait_for_new_execution(
        self, known: set[str], timeout: float = 60, *, cluster: str | None = None
    ) -> str:
        """The ARN of an execution of the scaling state machine, once one that is not in ``known`` shows (for
        ``cluster``, when named)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = self.execution_arns() - known
            if cluster is not None:
                started = set(self.executions_for(cluster, started))
            if started:
                return min(started)
            time.sleep(0.3)
        raise TimeoutError(f"no new execution within {timeout}s")

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def decision_records(self, group_id: str) -> list[dict[str, Any]]:
        """The group's decision log, oldest first."""
        items = self.client("dynamodb").query(
            TableName=self.stack.decision_table,
            KeyConditionExpression="#c = :c",
            ExpressionAttributeNames={"#c": "cluster"},
            ExpressionAttributeValues={":c": {"S": group_id}},
        )["Items"]
        return [from_item(item) for item in items]
