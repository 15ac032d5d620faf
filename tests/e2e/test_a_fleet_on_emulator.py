"""Issue 13, part 4: a schedule tick over 500 managed groups on the deployed stack.

Given 500 managed groups and 20 unmanaged ones, When the deployed schedule function ticks twice in one
bucket, Then every managed group is started exactly once (deterministic names: the second tick starts
nothing new), no unmanaged group is, discovery is a handful of paginated GetResources calls (no per-group
ElastiCache call at all) and every StartExecution is sent once: no retries, no throttling storm.

The file's name makes it the first e2e module pytest collects: the counts must be the tick's alone, and the
later modules leave managed groups behind whose owned alarms and scheduled evaluations keep starting
executions on the shared deployed stack (the test waits for the workflow to be idle first).
"""

import json

import pytest

from tests.e2e.conftest import Deployed
from tools.fleet_tick import expected_pages, run_fleet_tick

pytestmark = pytest.mark.emulator

FLEET = 500
GET_RESOURCES = "resource-groups-tagging-api.GetResources"
START_EXECUTION = "sfn.StartExecution"


def test_a_500_group_tick_evaluates_every_group_once_per_bucket(deployed: Deployed) -> None:
    fleet = run_fleet_tick(deployed, count=FLEET, unmanaged=20)
    print(json.dumps(fleet.figures(), indent=2))  # the figures, for the record  # noqa: T201

    first, again = fleet.first, fleet.again
    found = first.answer["groups"]  # the fleet, and any managed group other tests left behind
    assert set(fleet.groups) <= first.new
    assert not set(fleet.unmanaged) & set(first.names)
    assert first.answer["failed"] == [] and first.answer["ignored"] == []
    bucket_names = {first.names[g] for g in fleet.groups}
    assert len(bucket_names) == FLEET and set(fleet.held) >= bucket_names

    pages = expected_pages(found)
    assert first.answer["apiCalls"] == {GET_RESOURCES: pages, "sfn.StartExecution": found}
    assert first.server_calls == {"tagging.GetResources": pages, START_EXECUTION: found}  # no ElastiCache

    assert again.new == set()
    assert again.names == first.names
    assert again.answer["apiCalls"] == {GET_RESOURCES: pages, "sfn.StartExecution": found}
    assert first.answer["durationMs"] < 60_000
