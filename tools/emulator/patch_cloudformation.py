"""CloudFormation's AWS::DynamoDB::Table applies PITR, TTL and SSE, as ``sam deploy`` expects.

ministack's table provisioner drops ``PointInTimeRecoverySpecification``,
``TimeToLiveSpecification`` and ``SSESpecification``; the created table then reports PITR and TTL
disabled and no SSE. The wrapper applies them through ministack's own DynamoDB handlers.
"""

from __future__ import annotations

from typing import Any

from ministack.services import dynamodb
from ministack.services.cloudformation import provisioners


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _with_table_settings(create: Any) -> Any:
    def create_table(logical_id: str, props: dict[str, Any], stack_name: str) -> Any:
        name, attrs = create(logical_id, props, stack_name)
        pitr = props.get("PointInTimeRecoverySpecification") or {}
        if _true(pitr.get("PointInTimeRecoveryEnabled")):
            dynamodb._update_continuous_backups(
                {"TableName": name, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
            )
        ttl = props.get("TimeToLiveSpecification") or {}
        if _true(ttl.get("Enabled")) and ttl.get("AttributeName"):
            dynamodb._update_ttl(
                {
                    "TableName": name,
                    "TimeToLiveSpecification": {"AttributeName": ttl["AttributeName"], "Enabled": True},
                }
            )
        sse = props.get("SSESpecification") or {}
        if _true(sse.get("SSEEnabled")):
            spec = {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
            if sse.get("KMSMasterKeyId"):
                spec["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
            dynamodb._tables[name]["SSEDescription"] = dynamodb._sse_description_from_spec(spec)
        return name, attrs

    return create_table


def install() -> None:
    handler = provisioners._RESOURCE_HANDLERS["AWS::DynamoDB::Table"]
    handler["create"] = _with_table_settings(handler["create"])
