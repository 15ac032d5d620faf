"""Notifications (SNS): one message per action outcome and per failure, for people and their tools.

Each message carries the ``cluster``, ``action`` and ``status`` of its details as SNS message attributes,
so a subscriber filters with a subscription filter policy (``{"status": ["failed"]}``) instead of
reading every message."""

import json
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

MAX_SUBJECT = 100
ATTRIBUTES = ("cluster", "action", "status")


def message_attributes(details: dict[str, object]) -> dict[str, "MessageAttributeValueTypeDef"]:
    """The filterable attributes of a message: each of ``ATTRIBUTES`` its details hold as a non-empty text."""
    return {
        name: {"DataType": "String", "StringValue": value}
        for name in ATTRIBUTES
        if isinstance(value := details.get(name), str) and value
    }


class NotifierPort(Protocol):
    def notify(self, subject: str, details: dict[str, object]) -> None: ...


class Notifier:
    def __init__(self, topic_arn: str, client: "SNSClient | None" = None) -> None:
        self._topic_arn = topic_arn
        self._client = client or aws.sns()

    def notify(self, subject: str, details: dict[str, object]) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=subject[:MAX_SUBJECT],
            Message=json.dumps(details, indent=1, default=str),
            MessageAttributes=message_attributes(details),
        )
