"""The state table (DynamoDB): per-cluster locks with a lease, and the operator guards.

Items: ``lock#<cluster>`` {owner, expiration} and ``guards#<cluster>`` {paused, consecutiveFailures,
circuitOpen}. ``expiration`` is the table's TTL attribute (epoch seconds) and the lock's lease: an aborted or
timed-out execution, which never reaches a Catch, cannot hold a lock past it.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.snapshot import Guards

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class StatePort(Protocol):
    def acquire_lock(self, cluster: str, owner: str, now: datetime, lease_seconds: int) -> str | None: ...
    def release_lock(self, cluster: str, owner: str) -> bool: ...
    def lock_holder(self, cluster: str, now: datetime) -> str | None: ...
    def guards(self, cluster: str, now: datetime) -> Guards: ...


class StateTable:
    def __init__(self, table: str, client: "DynamoDBClient | None" = None) -> None:
        self._table = table
        self._client = client or aws.dynamodb()

    def acquire_lock(self, cluster: str, owner: str, now: datetime, lease_seconds: int) -> str | None:
        """Take the lock (or renew our own). Returns None on success, else the current holder."""
        epoch = int(now.timestamp())
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "id": {"S": f"lock#{cluster}"},
                    "owner": {"S": owner},
                    "expiration": {"N": str(epoch + lease_seconds)},
                },
                ConditionExpression="attribute_not_exists(id) OR expiration < :now OR #o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": {"N": str(epoch)}, ":owner": {"S": owner}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.lock_holder(cluster, now) or "another execution"
        return None

    def release_lock(self, cluster: str, owner: str) -> bool:
        """Release only our own lock; False when it was not ours (expired and taken, or never held)."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key={"id": {"S": f"lock#{cluster}"}},
                ConditionExpression="#o = :owner",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def lock_holder(self, cluster: str, now: datetime) -> str | None:
        item = self._client.get_item(
            TableName=self._table, Key={"id": {"S": f"lock#{cluster}"}}, ConsistentRead=True
        ).get("Item")
        if not item or int(item["expiration"]["N"]) < int(now.timestamp()):
            return None
        return item["owner"]["S"]

    def guards(self, cluster: str, now: datetime) -> Guards:
        item = self._client.get_item(
            TableName=self._table, Key={"id": {"S": f"guards#{cluster}"}}, ConsistentRead=True
        ).get("Item", {})
        return Guards(
            paused=item.get("paused", {}).get("BOOL", False),
            circuit_open=item.get("circuitOpen", {}).get("BOOL", False),
            consecutive_failures=int(item.get("consecutiveFailures", {}).get("N", "0")),
            lock_held_by=self.lock_holder(cluster, now),
        )
