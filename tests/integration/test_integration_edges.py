"""What subscribers and integrations receive (issue 13 part 3), checked with botocore's Stubber against the
real service models: SNS message attributes (cluster, action, status) to filter on, one EventBridge
"Decision Recorded" event per decision, and owned alarms put and deleted as CloudWatch expects them."""

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from elasticache_autoscaler.adapters.cloudwatch_alarms import CloudWatchAlarms
from elasticache_autoscaler.adapters.decision_events import DecisionEventError, DecisionEvents
from elasticache_autoscaler.adapters.notifier import Notifier
from elasticache_autoscaler.alarms import desired_alarms
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.policy import Policy
from tests.fakes.adapters import topology

TOPIC = "arn:aws:sns:us-east-1:123456789012:autoscaler"


def client(service: str) -> Any:
    # The service is a plain str here, not one of boto3-stubs' literal overloads.
    return boto3.client(  # type: ignore[call-overload]
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_a_notification_carries_cluster_action_and_status_as_message_attributes() -> None:
    sns = client("sns")
    with Stubber(sns) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "1"},
            {
                "TopicArn": TOPIC,
                "Subject": "add_replicas succeeded on orders",
                "Message": ANY,
                "MessageAttributes": {
                    "cluster": {"DataType": "String", "StringValue": "orders"},
                    "action": {"DataType": "String", "StringValue": "add_replicas"},
                    "status": {"DataType": "String", "StringValue": "succeeded"},
                },
            },
        )
        Notifier(TOPIC, sns).notify(
            "add_replicas succeeded on orders",
            {"cluster": "orders", "action": "add_replicas", "status": "succeeded", "durationSeconds": 12.5},
        )


def _record() -> DecisionRecord:
    return DecisionRecord(
        cluster="orders",
        decided_at="2026-12-04T19:00:00.000000Z#abc",
        action=Action.ADD_REPLICAS,
        current=None,
        target=None,
        reasons=("read CPU 88 % above 66 %",),
        mode="act",
        status="planned",
        trigger="alarm",
        execution_arn="arn:aws:states:us-east-1:123456789012:execution:sm:alarm-orders-1",
        expires_at=int(datetime(2027, 3, 1, tzinfo=UTC).timestamp()),
    )


def test_each_decision_is_one_event_on_the_default_bus() -> None:
    events = client("events")
    record = _record()
    with Stubber(events) as stub:
        stub.add_response(
            "put_events",
            {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]},
            {
                "Entries": [
                    {
                        "Source": "elasticache-autoscaler",
                        "DetailType": "Decision Recorded",
                        "Detail": json.dumps(record.to_wire(), default=str),
                        "EventBusName": "default",
                        "Resources": [record.execution_arn],
                    }
                ]
            },
        )
        DecisionEvents(events).decision_recorded(record)
    detail = json.loads(json.dumps(record.to_wire(), default=str))
    assert (detail["cluster"], detail["action"], detail["status"]) == ("orders", "add_replicas", "planned")


def test_a_refused_event_is_an_error() -> None:
    events = client("events")
    with Stubber(events) as stub:
        stub.add_response(
            "put_events",
            {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "AccessDenied", "ErrorMessage": "no"}]},
        )
        with pytest.raises(DecisionEventError, match="AccessDenied"):
            DecisionEvents(events).decision_recorded(_record())


def test_owned_alarms_are_put_with_the_owner_tag_and_deleted_by_name() -> None:
    cloudwatch = client("cloudwatch")
    alarm = desired_alarms(topology("orders", shards=1, replicas=0), Policy(), "ecas-")[0]
    request = alarm.put_request("my-stack")
    with Stubber(cloudwatch) as stub:
        stub.add_response("put_metric_alarm", {}, dict(request))
        stub.add_response("delete_alarms", {}, {"AlarmNames": [alarm.name]})
        store = CloudWatchAlarms(cloudwatch)
        store.put(request)
        store.delete([alarm.name])
    assert request["Tags"] == [{"Key": "elasticache-autoscaler:owner", "Value": "my-stack"}]
    assert request["AlarmName"] == "ecas-orders.orders-0001-001.memory"
