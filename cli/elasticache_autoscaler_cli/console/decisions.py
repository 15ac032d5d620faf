"""``decisions``: the decision log, newest first, filtered by cluster, time, status and action.

With ``--cluster`` one DynamoDB Query on the cluster's partition (time bounds in the key condition);
without, a Scan of the table. Status and action are filters on the items read.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, get_args

from pydantic import TypeAdapter

from elasticache_autoscaler.adapters.dynamo_items import from_item
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.any_kind import AnyCapacity
from elasticache_autoscaler.models.record import Status
from elasticache_autoscaler.timestamps import iso, parse
from elasticache_autoscaler_cli.console.errors import ConsoleError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, ScanInputTypeDef

STATUSES: tuple[str, ...] = get_args(Status)
ACTIONS: tuple[str, ...] = tuple(a.value for a in Action)
COLUMNS = ("cluster", "decidedAt", "action", "status", "mode", "trigger", "target", "reasons")
_RELATIVE = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def moment(text: str, now: datetime) -> datetime:
    """``30m``, ``6h``, ``7d`` (that long before ``now``) or an ISO 8601 time (UTC when it names no zone)."""
    relative = _RELATIVE.match(text)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        return parse(text if ("+" in text[10:] or text.endswith("Z")) else text + "Z")
    except ValueError:
        raise ConsoleError(f"{text!r} is neither a duration (30m, 6h, 7d) nor an ISO 8601 time") from None


@dataclass(frozen=True)
class DecisionFilter:
    cluster: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    status: str | None = None
    action: str | None = None

    def _filters(self) -> tuple[list[str], dict[str, str], dict[str, Any]]:
        conditions, names, values = [], {}, {}
        if self.status:
            conditions.append("#s = :status")
            names["#s"] = "status"
            values[":status"] = {"S": self.status}
        if self.action:
            conditions.append("#a = :action")
            names["#a"] = "action"
            values[":action"] = {"S": self.action}
        return conditions, names, values

    def _bounds(self) -> tuple[str, str]:
        low = iso(self.since) if self.since else "0000"
        high = iso(self.until) if self.until else "9999"
        return low, high


def query_request(table: str, wanted: DecisionFilter) -> "QueryInputTypeDef":
    """One cluster's decisions between the bounds, newest first."""
    conditions, names, values = wanted._filters()
    low, high = wanted._bounds()
    request: QueryInputTypeDef = {
        "TableName": table,
        "KeyConditionExpression": "#c = :c AND decidedAt BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#c": "cluster", **names},
        "ExpressionAttributeValues": {
            ":c": {"S": wanted.cluster or ""},
            ":low": {"S": low},
            ":high": {"S": high},
            **values,
        },
        "ScanIndexForward": False,
    }
    if conditions:
        request["FilterExpression"] = " AND ".join(conditions)
    return request


def scan_request(table: str, wanted: DecisionFilter) -> "ScanInputTypeDef":
    """Every cluster's decisions between the bounds (a Scan: the table's key is per cluster)."""
    conditions, names, values = wanted._filters()
    low, high = wanted._bounds()
    return {
        "TableName": table,
        "FilterExpression": " AND ".join(["#d BETWEEN :low AND :high", *conditions]),
        "ExpressionAttributeNames": {"#d": "decidedAt", **names},
        "ExpressionAttributeValues": {":low": {"S": low}, ":high": {"S": high}, **values},
    }


def _pages(client: "DynamoDBClient", table: str, wanted: DecisionFilter) -> Iterator[dict[str, Any]]:
    if wanted.cluster:
        query = query_request(table, wanted)
        while True:
            page = client.query(**query)
            yield from (from_item(dict(i)) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    scan = scan_request(table, wanted)
    while True:
        answer = client.scan(**scan)
        yield from (from_item(dict(i)) for i in answer.get("Items", []))
        if "LastEvaluatedKey" not in answer:
            return
        scan["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def find_decisions(
    client: "DynamoDBClient", table: str, wanted: DecisionFilter, limit: int
) -> list[dict[str, Any]]:
    """At most ``limit`` decisions matching ``wanted``, newest first."""
    if wanted.status and wanted.status not in STATUSES:
        raise ConsoleError(f"--status must be one of {', '.join(STATUSES)}")
    if wanted.action and wanted.action not in ACTIONS:
        raise ConsoleError(f"--action must be one of {', '.join(ACTIONS)}")
    found: list[dict[str, Any]] = []
    for record in _pages(client, table, wanted):
        found.append(record)
        if wanted.cluster and len(found) >= limit:
            break  # a Query reads newest first: the first ``limit`` are the newest
    return sorted(found, key=lambda r: str(r.get("decidedAt")), reverse=True)[:limit]


_CAPACITY: TypeAdapter[AnyCapacity] = TypeAdapter(AnyCapacity)


def _capacity(capacity: dict[str, Any]) -> str:
    if "kind" in capacity:  # a Memcached cluster's or a Serverless cache's: in the kind's own words
        return _CAPACITY.validate_python(capacity).describe()
    return f"{capacity.get('nodeType')} {capacity.get('shards')}x{capacity.get('replicasPerShard')}"


def row(record: dict[str, Any]) -> dict[str, object]:
    target = record.get("target") or {}
    return {
        "cluster": record.get("cluster"),
        "decidedAt": record.get("decidedAt"),
        "action": record.get("action"),
        "status": record.get("status"),
        "mode": record.get("mode"),
        "trigger": record.get("trigger"),
        "target": _capacity(target) if target else None,
        "reasons": record.get("reasons"),
    }
