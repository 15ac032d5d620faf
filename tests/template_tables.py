"""The DynamoDB tables of template.yaml, as ``CreateTable`` arguments for moto: tests read the key schema from
the template, never a copy of it."""

from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]


def create_table_args(logical_id: str, table_name: str) -> dict[str, Any]:
    """``dynamodb.create_table`` keyword arguments for the template's ``logical_id`` table, named
    ``table_name`` (on demand, as deployed; TTL, encryption and recovery settings do not change the API)."""
    template: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
    properties = template["Resources"][logical_id]["Properties"]
    args: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
    }
    if "GlobalSecondaryIndexes" in properties:
        args["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    return args
