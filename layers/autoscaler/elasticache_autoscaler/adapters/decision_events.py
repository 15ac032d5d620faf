"""EventBridge: one "Decision Recorded" event per decision on the default bus, for integrations (chat,
tickets) that match on ``detail.cluster``, ``detail.action``, ``detail.status`` with their own rules."""

import json
from typing import TYPE_CHECKING, Protocol

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.decision_record import DecisionRecord

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

SOURCE = "elasticache-autoscaler"
DETAIL_TYPE = "Decision Recorded"


class DecisionEventsPort(Protocol):
    def decision_recorded(self, record: DecisionRecord) -> None: ...


class DecisionEventError(RuntimeError):
    """EventBridge refused the event (FailedEntryCount > 0)."""


def decision_entry(record: DecisionRecord) -> "PutEventsRequestEntryTypeDef":
    """The PutEvents entry for a decision: the record as the decision log holds it (it holds no secret)."""
    return {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(record.to_wire(), default=str),
        "EventBusName": "default",
        "Resources": [record.execution_arn],
    }


class DecisionEvents:
    def __init__(self, client: "EventBridgeClient | None" = None) -> None:
        self._client = client or aws.events()

    def decision_recorded(self, record: DecisionRecord) -> None:
        answer = self._client.put_events(Entries=[decision_entry(record)])
        if answer.get("FailedEntryCount"):
            entries = answer.get("Entries", [])
            code = entries[0].get("ErrorCode") if entries else None
            raise DecisionEventError(f"PutEvents refused the decision event: {code}")
