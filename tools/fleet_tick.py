"""A schedule tick over a fleet of managed groups on the emulator: what it started, what it cost in calls.

Shared by the e2e test (tests/e2e/test_a_fleet_on_emulator.py) and the system benchmark (section 5). The
groups are made in-process by the emulator's fleet patch, and the executions the tick starts are held
(started, never walked), so that the figures are the tick's own and the machine is not flooded.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from tools.stack_driver import MANAGED_TAG, StackDriver

SCHEDULE_INPUT = {"source": "elasticache-autoscaler.schedule"}
PAGE_SIZE = 100  # the adapter's ResourcesPerPage


@dataclass
class TickRun:
    answer: dict[str, Any]
    wall_ms: float
    server_calls: dict[str, int]
    """What the emulator received during the tick (ElastiCache operations, GetResources, StartExecution)."""

    @property
    def new(self) -> set[str]:
        return {s["cluster"] for s in self.answer["started"] if s["started"]}

    @property
    def names(self) -> dict[str, str]:
        return {s["cluster"]: s["executionName"] for s in self.answer["started"]}


@dataclass
class FleetTick:
    groups: list[str]
    unmanaged: list[str]
    first: TickRun
    again: TickRun
    held: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "managed_groups_in_fleet": len(self.groups),
            "unmanaged_groups": len(self.unmanaged),
            "groups_found": self.first.answer["groups"],
            "first_tick": _figures(self.first),
            "second_tick_same_bucket": _figures(self.again),
            "expected_get_resources_pages": expected_pages(self.first.answer["groups"]),
        }


def expected_pages(groups: int) -> int:
    """GetResources pages of one discovery pass over ``groups`` 1-node groups: each group and its member
    cluster (a group's tags are on its members too, and the pass reads the cluster type for Memcached
    clusters), ``PAGE_SIZE`` a page."""
    return math.ceil(2 * groups / PAGE_SIZE)


def _figures(run: TickRun) -> dict[str, Any]:
    return {
        "started": len(run.new),
        "duplicates": sum(1 for s in run.answer["started"] if not s["started"]),
        "failed": len(run.answer["failed"]),
        "api_calls": run.answer["apiCalls"],
        "duration_ms": run.answer["durationMs"],
        "invoke_wall_ms": round(run.wall_ms),
        "server_calls": run.server_calls,
    }


def function_name(driver: StackDriver, logical_id: str) -> str:
    detail = driver.client("cloudformation").describe_stack_resource(
        StackName=driver.stack.name, LogicalResourceId=logical_id
    )["StackResourceDetail"]
    return str(detail["PhysicalResourceId"])


def _lambda(driver: StackDriver) -> Any:
    """A Lambda client that waits for a long tick and never re-sends it (a retry would double it)."""
    return boto3.client(
        "lambda",
        endpoint_url=driver.emulator.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(read_timeout=300, retries={"total_max_attempts": 1}),
    )


def tick(driver: StackDriver) -> TickRun:
    """One synchronous invocation of the deployed schedule function; its answer and the server's count."""
    driver.emulator.reset()
    began = time.monotonic()
    answer = _lambda(driver).invoke(
        FunctionName=function_name(driver, "OnScheduleFunction"), Payload=json.dumps(SCHEDULE_INPUT).encode()
    )
    wall_ms = (time.monotonic() - began) * 1000
    payload = json.loads(answer["Payload"].read() or b"null")
    if answer.get("FunctionError"):
        raise RuntimeError(f"the schedule tick failed: {payload}")
    counters = {k: v for k, v in driver.emulator.counters().items() if k != "__mutating__"}
    return TickRun(answer=payload, wall_ms=wall_ms, server_calls=counters)


def run_fleet_tick(driver: StackDriver, count: int = 500, unmanaged: int = 20) -> FleetTick:
    """``count`` managed and ``unmanaged`` other groups, two ticks in the same bucket, then cleaned up.

    Waits for the workflow to be idle first, so that the server's count is the tick's alone. A tick that
    crosses a bucket boundary between the two runs is measured again (once)."""
    prefix = f"fleet{uuid.uuid4().hex[:6]}"
    emulator = driver.emulator
    wait_until_idle(driver)
    emulator.create_fleet(prefix, count, {MANAGED_TAG["Key"]: MANAGED_TAG["Value"]})
    emulator.create_fleet(f"{prefix}x", unmanaged, {})
    emulator.hold_executions("schedule-")
    try:
        for _ in range(2):
            first = tick(driver)
            again = tick(driver)
            if first.names == again.names:
                break
        return FleetTick(
            groups=[f"{prefix}-{i:03d}" for i in range(count)],
            unmanaged=[f"{prefix}x-{i:03d}" for i in range(unmanaged)],
            first=first,
            again=again,
            held=emulator.held_executions(),
        )
    finally:
        emulator.release_held_executions()
        emulator.delete_fleet(prefix)
        emulator.delete_fleet(f"{prefix}x")


def wait_until_idle(driver: StackDriver, timeout: float = 120) -> None:
    sfn = driver.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while running := sfn.list_executions(
        stateMachineArn=driver.stack.state_machine_arn, statusFilter="RUNNING"
    )["executions"]:
        if time.monotonic() > deadline:
            names = ", ".join(e["name"] for e in running)
            raise TimeoutError(f"the workflow still runs after {timeout}s: {names}")
        time.sleep(0.5)
