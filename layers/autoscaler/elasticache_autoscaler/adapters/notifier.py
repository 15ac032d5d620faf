"""Notifications (SNS): one message per action outcome and per failure, for people and their tools."""

import json
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

MAX_SUBJECT = 100


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
        )
