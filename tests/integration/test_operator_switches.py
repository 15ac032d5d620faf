"""`elasticache-autoscaler guards`: pause, resume and reset the breaker of a cluster (moto DynamoDB)."""

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from elasticache_autoscaler_cli.main import main
from tests.template_tables import create_table_args


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_args("StateTable", "state"))
        yield "state"


def test_pause_resume_and_reset(table: str, capsys: pytest.CaptureFixture[str]) -> None:
    from elasticache_autoscaler.adapters.state_table import StateTable

    state = StateTable(table, boto3.client("dynamodb"))
    for _ in range(3):
        state.count_failure("orders", breaker_at=3)
    assert main(["guards", "--table", table, "--cluster", "orders", "--pause"]) == 0
    assert '"paused": true' in capsys.readouterr().out
    assert main(["guards", "--table", table, "--cluster", "orders", "--resume", "--reset-circuit"]) == 0
    shown = capsys.readouterr().out
    assert '"paused": false' in shown
    assert '"circuitOpen": false' in shown
    assert '"consecutiveFailures": 0' in shown


def test_contradictory_switches_are_refused(table: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guards", "--table", table, "--cluster", "orders", "--pause", "--resume"]) == 2
    assert "contradict" in capsys.readouterr().err
