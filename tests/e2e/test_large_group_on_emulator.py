"""Finding 8 (issue 11): a 90-shard x 5-replica group (540 nodes) runs through the deployed workflow, and no
state's input or output comes near Step Functions' 256 KiB cap.

ministack does not enforce that cap (before the fix, this group's 391 KiB state ran to SUCCEEDED there),
so the test measures every state's input and output itself, from the execution's history
(GetExecutionHistory), as AWS would.

The group runs on a stack of its own (``alone``): after each execution that succeeded, reconcile makes the
group's ~3,000 owned alarms (6 per node), which kept the emulator busy for minutes after the test. On the
shared stack that load slowed every later module (executions waiting 90 s on CI); this emulator, its Lambda
workers and that reconcile stop with the module.
"""

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Deployed, deployed_stack
from tools.stack_driver import largest_state_payload

pytestmark = pytest.mark.emulator
log = logging.getLogger(__name__)  # the figures: pytest --log-cli-level=INFO

KIB = 1024
STATE_LIMIT = 256 * KIB
SHARDS, REPLICAS = 90, 5


@pytest.fixture(scope="module")
def alone(built: Path) -> Iterator[Deployed]:
    with deployed_stack() as stack:
        yield stack


def test_finding8_90_shards_5_replicas_end_to_end(alone: Deployed) -> None:
    deployed = alone
    # Given a managed 90 x 5 group whose 540 nodes all report metrics, in act mode
    group_id = f"big{uuid.uuid4().hex[:8]}"
    deployed.create_group(group_id, shards=SHARDS, replicas=REPLICAS)
    group = deployed.group(group_id)
    assert len(group["NodeGroups"]) == SHARDS
    assert {len(g["NodeGroupMembers"]) for g in group["NodeGroups"]} == {REPLICAS + 1}
    assert deployed.put_group_load(group_id) == SHARDS * (REPLICAS + 1) * 30 * 5
    deployed.set_policy(
        group_id,
        {"mode": "act", "checkIntervalSeconds": 1, "actionTimeoutSeconds": 120, "maxShards": 500},
    )
    deployed.emulator.reset()

    # When an evaluation runs
    evaluate = deployed.start({"cluster": group_id, "action": "evaluate"})
    described = deployed.wait(evaluate, timeout=600)
    # Then it succeeds, with the raw series in the observation store and a small state throughout
    assert described["status"] == "SUCCEEDED", [
        e for e in deployed.history(evaluate) if "Failed" in e["type"] or "Timed" in e["type"]
    ]
    record = deployed.record_of(evaluate)
    assert record["current"] == {
        "nodeType": "cache.r7g.large",
        "shards": SHARDS,
        "replicasPerShard": REPLICAS,
    }
    history = deployed.history(evaluate)
    largest, where = largest_state_payload(history)
    log.info(f"90 x 5 evaluate: largest state payload {largest} bytes ({where})")
    assert largest < 32 * KIB, f"largest state payload {largest} bytes ({where})"
    (exited,) = [
        e["stateExitedEventDetails"]
        for e in history
        if e.get("stateExitedEventDetails", {}).get("name") == "Observe"
    ]
    observed = json.loads(exited["output"])["observed"]
    assert observed["summary"]["nodes"] == SHARDS * (REPLICAS + 1)
    stored = deployed.client("s3").get_object(
        Bucket=observed["stored"]["bucket"], Key=observed["stored"]["key"]
    )
    body = stored["Body"].read()
    assert len(body) == observed["stored"]["sizeBytes"]
    log.info(f"90 x 5 stored observation: {len(body)} bytes")
    assert len(body) > STATE_LIMIT, "the full observation is over the cap: it had to leave the state"
    series = json.loads(body)["snapshot"]["metrics"]["series"]
    assert len([s for s in series if s["values"]]) == SHARDS * 2 * 4  # 4 metrics reported, per shard and role

    # And a live change of the whole group (one replica fewer in each of the 90 shards) runs to its end
    remove = deployed.start(
        {"cluster": group_id, "action": "remove_replicas", "target": REPLICAS - 1, "dryRun": False}
    )
    described = deployed.wait(remove, timeout=600)
    assert described["status"] == "SUCCEEDED", described
    assert deployed.record_of(remove)["status"] == "succeeded"
    assert deployed.replicas(group_id) == REPLICAS - 1
    largest, where = largest_state_payload(deployed.history(remove))
    log.info(f"90 x 5 remove_replicas (act): largest state payload {largest} bytes ({where})")
    assert largest < 32 * KIB, f"largest state payload {largest} bytes ({where})"
