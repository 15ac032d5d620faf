"""The real template, deployed once per session on the local emulator, and helpers to drive executions."""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tools import local_stack
from tools.emulator.control import Emulator
from tools.stack_driver import StackDriver


@dataclass
class Deployed(StackDriver):
    inbox_url: str = ""

    def subscribe_inbox(self) -> None:
        """An SQS queue subscribed to the notification topic: what an operator would receive."""
        sqs = self.client("sqs")
        self.inbox_url = sqs.create_queue(QueueName="e2e-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.inbox_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": self.stack.topic_arn}},
        }
        policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        sqs.set_queue_attributes(QueueUrl=self.inbox_url, Attributes={"Policy": policy})
        self.client("sns").subscribe(TopicArn=self.stack.topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def notifications(self) -> list[dict[str, Any]]:
        """Every notification received since the last call (the SNS envelope's Subject and Message)."""
        sqs = self.client("sqs")
        received: list[dict[str, Any]] = []
        while True:
            answer = sqs.receive_message(QueueUrl=self.inbox_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = answer.get("Messages", [])
            if not messages:
                return received
            for message in messages:
                envelope = json.loads(message["Body"])
                received.append(
                    {"subject": envelope.get("Subject"), "message": json.loads(envelope["Message"])}
                )
                sqs.delete_message(QueueUrl=self.inbox_url, ReceiptHandle=message["ReceiptHandle"])

    def record_of(self, execution_arn: str) -> dict[str, Any]:
        group_id = json.loads(
            self.client("stepfunctions").describe_execution(executionArn=execution_arn)["input"]
        )["cluster"]
        (record,) = [r for r in self.decision_records(group_id) if r["executionArn"] == execution_arn]
        return record

    def replicas(self, group_id: str) -> int:
        return min(len(g["NodeGroupMembers"]) - 1 for g in self.group(group_id)["NodeGroups"])

    def shards(self, group_id: str) -> int:
        return len(self.group(group_id)["NodeGroups"])

    def lock_item(self, group_id: str) -> dict[str, Any] | None:
        item = self.client("dynamodb").get_item(
            TableName=self.stack.state_table, Key={"id": {"S": f"lock#{group_id}"}}, ConsistentRead=True
        )
        found: dict[str, Any] | None = item.get("Item")
        return found


@pytest.fixture(scope="session")
def built() -> Path:
    """`sam build` of the real template, once per session: the artifacts the emulator deploys."""
    local_stack.build()
    return local_stack.REPO_ROOT / ".aws-sam" / "build"


@contextmanager
def deployed_stack() -> Iterator[Deployed]:
    """An emulator with the built template deployed on it; the emulator and every Lambda worker it started
    stop on exit. Waits and retry intervals run at 5 % of their length: a 20 s check interval takes 1 s."""
    env = {"EMULATOR_ELASTICACHE_CHANGE_SECONDS": "1", "SFN_WAIT_SCALE": "0.05"}
    with Emulator.start(env=env) as emulator:
        stack = local_stack.deploy(emulator)
        deployed = Deployed(emulator=emulator, stack=stack)
        deployed.subscribe_inbox()
        yield deployed


@pytest.fixture(scope="session")
def deployed(built: Path) -> Iterator[Deployed]:
    """The stack most e2e modules share. A module whose group keeps the stack busy after its test (reconcile
    owning thousands of alarms) deploys a stack of its own with ``deployed_stack``."""
    with deployed_stack() as stack:
        yield stack


@pytest.fixture
def group_id(deployed: Deployed) -> str:
    """A fresh managed replication group (1 shard, 1 replica) in act mode with fast checks."""
    group = f"g{uuid.uuid4().hex[:10]}"
    deployed.create_group(group)
    deployed.set_policy(group, {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 60})
    deployed.emulator.reset()
    return group
