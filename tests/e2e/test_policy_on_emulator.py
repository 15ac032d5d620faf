"""The decide step uses the policy from SSM on the deployed stack; a bad policy is a failed decision that
names the bad field, and changes nothing."""

import pytest

from tests.e2e.conftest import Deployed

pytestmark = pytest.mark.emulator


def test_an_invalid_policy_is_a_failed_decision_naming_the_field(deployed: Deployed, group_id: str) -> None:
    deployed.set_policy(group_id, {"mode": "act", "maxShards": 0, "colour": "red"})
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "dryRun": False})
    )
    assert described["status"] == "SUCCEEDED"  # recorded, not crash-looping
    record = deployed.record_of(described["executionArn"])
    assert (record["status"], record["action"]) == ("failed", "none")
    why = " ".join(record["reasons"])
    assert "maxShards" in why
    assert "colour" in why
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_the_policy_from_ssm_bounds_an_operator_request(deployed: Deployed, group_id: str) -> None:
    deployed.set_policy(group_id, {"mode": "act", "maxReplicasPerShard": 2, "checkIntervalSeconds": 1})
    described = deployed.wait(
        deployed.start({"cluster": group_id, "action": "add_replicas", "target": 4, "dryRun": False})
    )
    record = deployed.record_of(described["executionArn"])
    assert record["status"] == "skipped"
    assert record["blockedBy"].split(":")[0] in {"at_bounds", "out_of_policy"}
    assert deployed.replicas(group_id) == 1
    assert deployed.emulator.counters().get("__mutating__", 0) == 0
