"""Given boto3 clients watched by a CallCounter, When they send requests (retries included), Then the
counter reports each HTTP attempt by ``service.Operation``, and nothing once the block is left."""

import json
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.adapters.call_count import CallCounter


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Any:
        yield self._body


def _answers(*answers: tuple[int, dict[str, Any]]) -> Any:
    """A before-send handler that answers each request in turn without a socket."""
    pending = list(answers)

    def answer(request: Any, **_kwargs: Any) -> AWSResponse:
        status, body = pending.pop(0)
        return AWSResponse(request.url, status, HTTPHeaders(), _Raw(json.dumps(body).encode()))

    return answer


def test_every_attempt_is_counted_throttled_retries_included() -> None:
    sfn = boto3.client(
        "stepfunctions",
        region_name="us-east-1",
        config=aws.RETRIES,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    counter = CallCounter()
    with counter.watching(sfn):
        sfn.meta.events.register(  # after the counter: the first handler to answer ends the chain
            "before-send",
            _answers(
                (400, {"__type": "ThrottlingException", "message": "slow down"}),
                (200, {"executionArn": "arn:x", "startDate": 1}),
                (200, {"executions": []}),
            ),
            unique_id="answers",
        )
        sfn.start_execution(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:s", name="n")
        sfn.list_executions(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:s")
    assert counter.counts() == {"sfn.ListExecutions": 1, "sfn.StartExecution": 2}
    sfn.meta.events.unregister("before-send", unique_id="answers")
    sfn.meta.events.register("before-send", _answers((200, {"executions": []})), unique_id="answers")
    sfn.list_executions(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:s")
    assert counter.counts() == {"sfn.ListExecutions": 1, "sfn.StartExecution": 2}
