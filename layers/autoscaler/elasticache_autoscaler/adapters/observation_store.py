"""The observation store: Observe's full observation (raw metric series, history) in S3, one object per
execution, so the workflow state carries only a reference (Step Functions caps a state at 256 KiB).

The bucket (template ``ObservationBucket``) is encrypted, blocks public access, refuses plain HTTP and
expires objects after a few days. Observe may only ``PutObject`` under ``observations/``, Decide only
``GetObject`` there. An object holds no secret (``ObservationDetail``: topology, metrics, guards, history).
"""

import hashlib
import re
from typing import TYPE_CHECKING, Protocol

import boto3

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler.models.workflow import ObservationDetail, StoredObservation

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PREFIX = "observations/"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class ObservationMismatchError(RuntimeError):
    """The stored object is not the one Observe wrote for this execution (changed, or another's)."""


class ObservationStorePort(Protocol):
    def put(self, detail: ObservationDetail) -> StoredObservation: ...

    def get(self, stored: StoredObservation) -> ObservationDetail: ...


def object_key(execution_arn: str) -> str:
    """``observations/<state machine>/<execution name>.json``: one object per execution, the same on a retry
    (a retried Observe overwrites its own object). An ARN of another shape is keyed by its SHA-256."""
    parts = execution_arn.split(":")
    if len(parts) == 8 and parts[5] == "execution" and _NAME.match(parts[6]) and _NAME.match(parts[7]):
        return f"{PREFIX}{parts[6]}/{parts[7]}.json"
    return f"{PREFIX}by-hash/{hashlib.sha256(execution_arn.encode()).hexdigest()}.json"


def encode(detail: ObservationDetail) -> bytes:
    return detail.model_dump_json(by_alias=True).encode()


def reference(bucket: str, detail: ObservationDetail, body: bytes) -> StoredObservation:
    return StoredObservation(
        bucket=bucket,
        key=object_key(detail.execution_arn),
        size_bytes=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
    )


def decode(stored: StoredObservation, body: bytes) -> ObservationDetail:
    """The detail in ``body``, once its size and digest are those Observe recorded."""
    if len(body) != stored.size_bytes or hashlib.sha256(body).hexdigest() != stored.sha256:
        raise ObservationMismatchError(
            f"s3://{stored.bucket}/{stored.key} is not the observation this execution stored "
            f"({len(body)} bytes, expected {stored.size_bytes} with SHA-256 {stored.sha256[:12]}...)"
        )
    return ObservationDetail.model_validate_json(body)


class S3ObservationStore:
    def __init__(self, bucket: str, client: "S3Client | None" = None) -> None:
        self._bucket = bucket
        self._client = client or boto3.client("s3", config=aws.RETRIES)

    def put(self, detail: ObservationDetail) -> StoredObservation:
        body = encode(detail)
        stored = reference(self._bucket, detail, body)
        self._client.put_object(
            Bucket=self._bucket,
            Key=stored.key,
            Body=body,
            ContentType="application/json",
        )
        return stored

    def get(self, stored: StoredObservation) -> ObservationDetail:
        if stored.bucket != self._bucket or not stored.key.startswith(PREFIX):
            raise ObservationMismatchError(f"s3://{stored.bucket}/{stored.key} is not in this stack's store")
        answer = self._client.get_object(Bucket=stored.bucket, Key=stored.key)
        return decode(stored, answer["Body"].read())
