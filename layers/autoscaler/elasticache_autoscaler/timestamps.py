"""ISO 8601 UTC timestamps, written one way everywhere: 2026-11-26T13:45:12.123456Z."""

import hashlib
from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def decision_time(execution_start: datetime, execution_arn: str) -> str:
    """The decision's sort key: the execution's start (milliseconds, as Step Functions gives it) with the
    microseconds drawn from the execution ARN, so that the key is the same on every retry of one execution
    and differs between executions that start in the same millisecond."""
    micro = int(hashlib.sha256(execution_arn.encode()).hexdigest(), 16) % 1000
    moment = execution_start.replace(microsecond=(execution_start.microsecond // 1000) * 1000)
    return iso(moment + timedelta(microseconds=micro))
