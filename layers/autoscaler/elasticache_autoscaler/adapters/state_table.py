"""The state table (DynamoDB): per-cluster locks with a lease, and the operator guards.

Items: ``lock#<cluster>`` {owner, expiration} (taken, renewed and released by ``workflow.lock_step`` and
``workflow.act_step`` for the running execution, settled by ``workflow.execution_end`` for one that ended,
force-released only by an operator once the group is quiescent) and ``guards#<cluster>`` {paused,
consecutiveFailures, circuitOpen}. ``expiration`` is the table's TTL attribute (epoch seconds) and the lock's
lease: an aborted or timed-out execution, which never reaches a Catch, cannot hold a lock past it.

For the forecast: ``timeline#<cluster>`` {timeline} (the ``CapacityTimeline`` as JSON, appended by the
record step when a change succeeds) and ``loadhistory#<cluster>`` {loadHistory} (``observe``'s hourly cache
of the measured load history, ``FetchedLoadHistory`` as JSON: ~60 KB for 8 days, whatever the group's
size, as it holds group-wide values). Neither expires: each is overwritten whole.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler import concurrent_reads
from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.capacity_timeline import CapacityChange, CapacityTimeline
from elasticache_autoscaler.models.load_history import FetchedLoadHistory
from elasticache_autoscaler.models.snapshot import Guards

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class StatePort(Protocol):
    def acquire_lock(self, cluster: str, owner: str, now: datetime, lease_seconds: int) -> str | None: ...
    def release_lock(self, cluster: str, owner: str) -> bool: ...
    def force_release_lock(self, cluster: str) -> str | None: ...
    def lock_holder(self, cluster: str, now: datetime) -> str | None: ...
    def guards(self, cluster: str, now: datetime, *, lock: bool = True) -> Guards: ...
    def count_failure(self, cluster: str, breaker_at: int) -> Guards: ...
    def count_success(self, cluster: str) -> None: ...
    def set_switches(
        self, cluster: str, *, paused: bool | None = None, reset_circuit: bool = False
    ) -> None: ...
    def capacity_timeline(self, cluster: str) -> CapacityTimeline: ...
    def record_capacity_change(self, cluster: str, change: CapacityChange, keep_since: datetime) -> None: ...
    def fetched_load_history(self, cluster: str) -> FetchedLoadHistory | None: ...
    def keep_load_history(self, cluster: str, fetched: FetchedLoadHistory) -> None: ...


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

    def force_release_lock(self, cluster: str) -> str | None:
        """The operator's release (``guards --release-lock``): delete the lock whoever holds it; the holder
        it had, or None when there was none."""
        answer = self._client.delete_item(
            TableName=self._table, Key={"id": {"S": f"lock#{cluster}"}}, ReturnValues="ALL_OLD"
        )
        old = answer.get("Attributes")
        return old["owner"]["S"] if old else None

    def lock_holder(self, cluster: str, now: datetime) -> str | None:
        item = self._client.get_item(
            TableName=self._table, Key={"id": {"S": f"lock#{cluster}"}}, ConsistentRead=True
        ).get("Item")
        if not item or int(item["expiration"]["N"]) < int(now.timestamp()):
            return None
        return item["owner"]["S"]

    def count_failure(self, cluster: str, breaker_at: int) -> Guards:
        """One more consecutive failed action; the breaker opens at ``breaker_at`` and stays open until an
        operator resets it (a success does not close an open breaker)."""
        answer = self._client.update_item(
            TableName=self._table,
            Key={"id": {"S": f"guards#{cluster}"}},
            UpdateExpression="ADD consecutiveFailures :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        failures = int(answer["Attributes"]["consecutiveFailures"]["N"])
        if failures >= breaker_at:
            self._client.update_item(
                TableName=self._table,
                Key={"id": {"S": f"guards#{cluster}"}},
                UpdateExpression="SET circuitOpen = :open",
                ExpressionAttributeValues={":open": {"BOOL": True}},
            )
        return Guards(consecutive_failures=failures, circuit_open=failures >= breaker_at)

    def count_success(self, cluster: str) -> None:
        self._client.update_item(
            TableName=self._table,
            Key={"id": {"S": f"guards#{cluster}"}},
            UpdateExpression="SET consecutiveFailures = :zero",
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )

    def set_switches(self, cluster: str, *, paused: bool | None = None, reset_circuit: bool = False) -> None:
        """The operator's switches: pause / resume a cluster, close its circuit breaker."""
        updates: list[str] = []
        values: dict[str, AttributeValueTypeDef] = {}
        if paused is not None:
            updates.append("paused = :paused")
            values[":paused"] = {"BOOL": paused}
        if reset_circuit:
            updates += ["circuitOpen = :closed", "consecutiveFailures = :zero"]
            values.update({":closed": {"BOOL": False}, ":zero": {"N": "0"}})
        if updates:
            self._client.update_item(
                TableName=self._table,
                Key={"id": {"S": f"guards#{cluster}"}},
                UpdateExpression="SET " + ", ".join(updates),
                ExpressionAttributeValues=values,
            )

    def guards(self, cluster: str, now: datetime, *, lock: bool = True) -> Guards:
        """The switches and the breaker; with ``lock``, the lock's holder too, read at the same time (two
        reads in one round: ``concurrent_reads``). Act passes ``lock=False``: it renews its own lock."""
        if lock:
            item, holder = concurrent_reads.both(
                lambda: self._guards_item(cluster), lambda: self.lock_holder(cluster, now)
            )
        else:
            item, holder = self._guards_item(cluster), None
        return Guards(
            paused=item.get("paused", {}).get("BOOL", False),
            circuit_open=item.get("circuitOpen", {}).get("BOOL", False),
            consecutive_failures=int(item.get("consecutiveFailures", {}).get("N", "0")),
            lock_held_by=holder,
        )

    def _guards_item(self, cluster: str) -> "dict[str, AttributeValueTypeDef]":
        item = self._client.get_item(
            TableName=self._table, Key={"id": {"S": f"guards#{cluster}"}}, ConsistentRead=True
        ).get("Item", {})
        return dict(item)

    def capacity_timeline(self, cluster: str) -> CapacityTimeline:
        item = self._client.get_item(
            TableName=self._table, Key={"id": {"S": f"timeline#{cluster}"}}, ConsistentRead=True
        ).get("Item")
        return CapacityTimeline.model_validate_json(item["timeline"]["S"]) if item else CapacityTimeline()

    def record_capacity_change(self, cluster: str, change: CapacityChange, keep_since: datetime) -> None:
        """Append ``change`` and drop what is older than ``keep_since``. Read, then written whole: only the
        execution holding the group's lock records a change, so no two appends race."""
        timeline = self.capacity_timeline(cluster).appended(change, keep_since)
        self._client.put_item(
            TableName=self._table,
            Item={
                "id": {"S": f"timeline#{cluster}"},
                "timeline": {"S": timeline.model_dump_json(by_alias=True)},
            },
        )

    def fetched_load_history(self, cluster: str) -> FetchedLoadHistory | None:
        item = self._client.get_item(TableName=self._table, Key={"id": {"S": f"loadhistory#{cluster}"}}).get(
            "Item"
        )
        return FetchedLoadHistory.model_validate_json(item["loadHistory"]["S"]) if item else None

    def keep_load_history(self, cluster: str, fetched: FetchedLoadHistory) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "id": {"S": f"loadhistory#{cluster}"},
                "loadHistory": {"S": fetched.model_dump_json(by_alias=True)},
            },
        )
