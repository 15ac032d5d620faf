"""``--stack NAME``: the deployed stack's outputs and tag keys, from CloudFormation ``DescribeStacks``."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from elasticache_autoscaler_cli.console.errors import ConsoleError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

# The template's parameter defaults, for a stack that does not report its parameters.
DEFAULT_MANAGED_TAG_KEY = "elasticache-autoscaler:managed"
DEFAULT_PAUSED_TAG_KEY = "elasticache-autoscaler:paused"


@dataclass(frozen=True)
class StackOutputs:
    name: str
    state_machine_arn: str
    decision_table: str
    state_table: str
    policy_prefix: str
    managed_tag_key: str
    paused_tag_key: str


OUTPUTS = {
    "state_machine_arn": "StateMachineArn",
    "decision_table": "DecisionTableName",
    "state_table": "StateTableName",
    "policy_prefix": "PolicyParameterPrefix",
}


def resolve_stack(name: str, cloudformation: "CloudFormationClient") -> StackOutputs:
    try:
        (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":
            raise ConsoleError(f"no CloudFormation stack named {name!r} in this account and region") from None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", []) if "OutputValue" in o}
    missing = sorted(key for key in OUTPUTS.values() if key not in outputs)
    if missing:
        raise ConsoleError(f"stack {name!r} is not an ElastiCache Autoscaler stack (no {', '.join(missing)})")
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    return StackOutputs(
        name=name,
        **{field: outputs[key] for field, key in OUTPUTS.items()},
        managed_tag_key=parameters.get("ManagedTagKey") or DEFAULT_MANAGED_TAG_KEY,
        paused_tag_key=parameters.get("PausedTagKey") or DEFAULT_PAUSED_TAG_KEY,
    )
