"""Plain Python values <-> DynamoDB attribute values (floats as Decimal, as DynamoDB requires)."""

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    clean = json.loads(json.dumps(values), parse_float=Decimal)
    return {k: _serializer.serialize(v) for k, v in clean.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(
        json.dumps({k: _deserializer.deserialize(v) for k, v in item.items()}, default=_number)
    )
    return plain


def _number(value: object) -> float | int:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)
