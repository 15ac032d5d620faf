"""Given the console's DynamoDB and CloudFormation reads (botocore Stubber, exact requests), When an
operator filters decisions or names a stack, Then the requests are the ones meant and the answers read
right; bad input is a ConsoleError naming it."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.stub import Stubber

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler_cli.console.decisions import DecisionFilter, find_decisions, moment
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.console.stack import resolve_stack

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _client(service: str) -> object:
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name="us-east-1",
        config=aws.RETRIES,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # a dummy: the client never leaves the process
    )


@pytest.fixture
def dynamodb() -> "DynamoDBClient":
    return _client("dynamodb")  # type: ignore[return-value]


@pytest.fixture
def stub(dynamodb: "DynamoDBClient") -> Iterator[Stubber]:
    with Stubber(dynamodb) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def _item(cluster: str, at: str, status: str = "skipped") -> dict[str, object]:
    return {
        "cluster": {"S": cluster},
        "decidedAt": {"S": at},
        "action": {"S": "none"},
        "status": {"S": status},
    }


def test_one_cluster_is_one_query_per_page_newest_first_with_the_filters(
    dynamodb: "DynamoDBClient", stub: Stubber
) -> None:
    wanted = DecisionFilter(cluster="orders", since=NOW - timedelta(hours=6), status="skipped")
    request = {
        "TableName": "decisions",
        "KeyConditionExpression": "#c = :c AND decidedAt BETWEEN :low AND :high",
        "ExpressionAttributeNames": {"#c": "cluster", "#s": "status"},
        "ExpressionAttributeValues": {
            ":c": {"S": "orders"},
            ":low": {"S": "2026-12-04T06:00:00.000000Z"},
            ":high": {"S": "9999"},
            ":status": {"S": "skipped"},
        },
        "ScanIndexForward": False,
        "FilterExpression": "#s = :status",
    }
    last = {"cluster": {"S": "orders"}, "decidedAt": {"S": "2026-12-04T11:00:00.000000Z"}}
    stub.add_response(
        "query",
        {"Items": [_item("orders", "2026-12-04T11:00:00.000000Z")], "LastEvaluatedKey": last},
        request,
    )
    stub.add_response(
        "query",
        {"Items": [_item("orders", "2026-12-04T10:00:00.000000Z")]},
        {**request, "ExclusiveStartKey": last},
    )

    found = find_decisions(dynamodb, "decisions", wanted, limit=10)

    assert [r["decidedAt"] for r in found] == ["2026-12-04T11:00:00.000000Z", "2026-12-04T10:00:00.000000Z"]


def test_every_cluster_is_a_scan_sorted_newest_first_and_cut_at_the_limit(
    dynamodb: "DynamoDBClient", stub: Stubber
) -> None:
    wanted = DecisionFilter(action="none")
    request = {
        "TableName": "decisions",
        "FilterExpression": "#d BETWEEN :low AND :high AND #a = :action",
        "ExpressionAttributeNames": {"#d": "decidedAt", "#a": "action"},
        "ExpressionAttributeValues": {
            ":low": {"S": "0000"},
            ":high": {"S": "9999"},
            ":action": {"S": "none"},
        },
    }
    items = [
        _item("a", "2026-12-04T09:00:00Z"),
        _item("b", "2026-12-04T11:00:00Z"),
        _item("c", "2026-12-04T10:00:00Z"),
    ]
    stub.add_response("scan", {"Items": items}, request)

    found = find_decisions(dynamodb, "decisions", wanted, limit=2)

    assert [r["cluster"] for r in found] == ["b", "c"]


@pytest.mark.parametrize(
    ("wanted", "named"),
    [(DecisionFilter(status="done"), "--status must be one of"), (DecisionFilter(action="grow"), "--action")],
)
def test_an_unknown_status_or_action_is_refused_before_any_read(
    dynamodb: "DynamoDBClient", stub: Stubber, wanted: DecisionFilter, named: str
) -> None:
    with pytest.raises(ConsoleError, match=named):
        find_decisions(dynamodb, "decisions", wanted, limit=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("6h", NOW - timedelta(hours=6)),
        ("7d", NOW - timedelta(days=7)),
        ("2026-12-01T08:00:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T08:00:00Z", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T09:00:00+01:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
    ],
)
def test_moments(text: str, expected: datetime) -> None:
    assert moment(text, NOW) == expected


def test_a_moment_that_is_neither_is_named() -> None:
    with pytest.raises(ConsoleError, match="'yesterday' is neither a duration"):
        moment("yesterday", NOW)


@pytest.fixture
def cloudformation() -> "CloudFormationClient":
    return _client("cloudformation")  # type: ignore[return-value]


OUTPUTS = [
    {"OutputKey": "StateMachineArn", "OutputValue": "arn:aws:states:us-east-1:1:stateMachine:s"},
    {"OutputKey": "DecisionTableName", "OutputValue": "decisions"},
    {"OutputKey": "StateTableName", "OutputValue": "state"},
    {"OutputKey": "PolicyParameterPrefix", "OutputValue": "/elasticache-autoscaler/prod"},
]


def _stack(outputs: list[dict[str, str]], parameters: list[dict[str, str]]) -> dict[str, object]:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    stack = {"StackName": "prod", "CreationTime": created, "StackStatus": "CREATE_COMPLETE"}
    return {"Stacks": [{**stack, "Outputs": outputs, "Parameters": parameters}]}


def test_a_stack_is_found_by_name_with_its_tag_keys(cloudformation: "CloudFormationClient") -> None:
    with Stubber(cloudformation) as stub:
        parameters = [{"ParameterKey": "ManagedTagKey", "ParameterValue": "team:autoscale"}]
        stub.add_response("describe_stacks", _stack(OUTPUTS, parameters), {"StackName": "prod"})
        stack = resolve_stack("prod", cloudformation)
    assert (stack.decision_table, stack.state_table, stack.policy_prefix) == (
        "decisions",
        "state",
        "/elasticache-autoscaler/prod",
    )
    assert (stack.managed_tag_key, stack.paused_tag_key) == (
        "team:autoscale",
        "elasticache-autoscaler:paused",
    )


def test_an_unknown_stack_or_another_kind_of_stack_is_named(cloudformation: "CloudFormationClient") -> None:
    with Stubber(cloudformation) as stub:
        stub.add_client_error(
            "describe_stacks",
            "ValidationError",
            "Stack with id nope does not exist",
            400,
            {"StackName": "nope"},
        )
        stub.add_response("describe_stacks", _stack(OUTPUTS[:1], []), {"StackName": "web"})
        with pytest.raises(ConsoleError, match="no CloudFormation stack named 'nope'"):
            resolve_stack("nope", cloudformation)
        with pytest.raises(ConsoleError, match=r"not an ElastiCache Autoscaler stack \(no DecisionTableName"):
            resolve_stack("web", cloudformation)
