"""The decision log (DynamoDB): one item per decision, written once, then moved forward only."""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.dynamo_items import from_item, to_item
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.history import History, PastDecision
from elasticache_autoscaler.models.record import NEXT_STATUS, Outcome, RecordKey
from elasticache_autoscaler.timestamps import iso

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class StaleStatusError(Exception):
    """The record is already past the status we wanted to leave: a retry or a late writer. Not an error."""


class DecisionLogPort(Protocol):
    def put(self, record: DecisionRecord) -> None: ...
    def advance(self, key: RecordKey, outcome: Outcome) -> None: ...
    def get(self, key: RecordKey) -> dict[str, Any] | None: ...
    def recent(self, cluster: str, since: datetime) -> History: ...


class DecisionLog:
    def __init__(self, table: str, client: "DynamoDBClient | None" = None) -> None:
        self._table = table
        self._client = client or aws.dynamodb()

    def put(self, record: DecisionRecord) -> None:
        """Write once; a retry of the same execution finds its own record and leaves it alone."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(record.to_wire()),
                ConditionExpression="attribute_not_exists(decidedAt) OR executionArn = :arn",
                ExpressionAttributeValues={":arn": {"S": record.execution_arn}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise RuntimeError(
                f"decision {record.cluster}/{record.decided_at} belongs to another execution"
            ) from None

    def advance(self, key: RecordKey, outcome: Outcome) -> None:
        """Move the status forward; raises StaleStatusError when the record is already past it."""
        allowed_from = sorted(s for s, nexts in NEXT_STATUS.items() if outcome.status in nexts)
        fields = {k: v for k, v in outcome.to_wire().items() if v is not None}
        names = {f"#{k}": k for k in fields}
        values = to_item({f":{k}": v for k, v in fields.items()})
        values.update({f":from{i}": {"S": s} for i, s in enumerate(allowed_from)})
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"cluster": {"S": key.cluster}, "decidedAt": {"S": key.decided_at}},
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ConditionExpression="attribute_exists(decidedAt) AND #status IN ("
                + ", ".join(f":from{i}" for i in range(len(allowed_from)))
                + ")",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleStatusError(
                    f"{key.cluster}/{key.decided_at} cannot move to {outcome.status}"
                ) from None
            raise

    def get(self, key: RecordKey) -> dict[str, Any] | None:
        item = self._client.get_item(
            TableName=self._table,
            Key={"cluster": {"S": key.cluster}, "decidedAt": {"S": key.decided_at}},
            ConsistentRead=True,
        ).get("Item")
        return from_item(dict(item)) if item else None

    def recent(self, cluster: str, since: datetime) -> History:
        answer = self._client.query(
            TableName=self._table,
            KeyConditionExpression="#c = :c AND decidedAt >= :since",
            ExpressionAttributeNames={"#c": "cluster"},
            ExpressionAttributeValues={":c": {"S": cluster}, ":since": {"S": iso(since)}},
            ScanIndexForward=False,
            Limit=100,
        )
        history = []
        for raw in answer.get("Items", []):
            item = from_item(dict(raw))
            history.append(
                PastDecision(
                    action=Action(item["action"]),
                    decided_at=item["decidedAt"],
                    status=item["status"],
                    finished_at=item.get("finishedAt"),
                    forecast=item.get("forecast"),
                )
            )
        return tuple(history)
