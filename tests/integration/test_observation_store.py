"""The S3 observation store against moto: one object per execution, read back only if it is that one."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from elasticache_autoscaler.adapters.observation_store import (
    ObservationMismatchError,
    S3ObservationStore,
    object_key,
)
from elasticache_autoscaler.models.snapshot import Metrics, Snapshot
from elasticache_autoscaler.models.workflow import ObservationDetail
from tests.fakes.adapters import topology

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:ScalingStateMachine-abc:console-orders-1"
BUCKET = "observations"


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def _detail(arn: str = ARN) -> ObservationDetail:
    snapshot = Snapshot(
        taken_at=NOW, topology=topology("orders", shards=3, replicas=2), metrics=Metrics(window_end=NOW)
    )
    return ObservationDetail(cluster="orders", execution_arn=arn, snapshot=snapshot)


def test_an_observation_round_trips_under_its_executions_key(s3: Any) -> None:
    store = S3ObservationStore(BUCKET, s3)
    stored = store.put(_detail())
    assert stored.key == "observations/ScalingStateMachine-abc/console-orders-1.json"
    assert store.get(stored) == _detail()
    # a retried Observe writes the same object again
    assert store.put(_detail()) == stored


def test_an_arn_of_another_shape_is_keyed_by_its_digest() -> None:
    assert object_key("not an arn/../x").startswith("observations/by-hash/")


def test_a_changed_object_is_refused(s3: Any) -> None:
    store = S3ObservationStore(BUCKET, s3)
    stored = store.put(_detail())
    other = _detail("arn:aws:states:us-east-1:123456789012:execution:ScalingStateMachine-abc:other")
    s3.put_object(Bucket=BUCKET, Key=stored.key, Body=other.model_dump_json(by_alias=True).encode())
    with pytest.raises(ObservationMismatchError, match="is not the observation"):
        store.get(stored)


def test_a_reference_outside_the_store_is_refused(s3: Any) -> None:
    store = S3ObservationStore(BUCKET, s3)
    stored = store.put(_detail())
    with pytest.raises(ObservationMismatchError, match="not in this stack's store"):
        store.get(stored.model_copy(update={"bucket": "someone-elses"}))
    with pytest.raises(ObservationMismatchError, match="not in this stack's store"):
        store.get(stored.model_copy(update={"key": "elsewhere/x.json"}))
