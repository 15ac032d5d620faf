"""Issue 13, part 5: the operator console against the deployed stack, found by its name.

Each command runs in-process (``cli.main``) with the emulator's endpoint and credentials in the
environment, as an operator's shell would have them, and reads the stack's outputs itself (``--stack``).
"""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from elasticache_autoscaler_cli import main as cli
from tests.e2e.conftest import Deployed

pytestmark = pytest.mark.emulator


@pytest.fixture(autouse=True)
def _operator_shell(deployed: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in deployed.emulator.aws_env().items():
        monkeypatch.setenv(key, value)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def _evaluated(deployed: Deployed, group: str) -> None:
    deployed.wait(deployed.start({"cluster": group, "action": "evaluate", "reason": "console e2e"}))


def _parameter(deployed: Deployed, group: str) -> str | None:
    ssm = deployed.client("ssm")
    try:
        value = ssm.get_parameter(Name=f"{deployed.stack.policy_prefix}/clusters/{group}")["Parameter"][
            "Value"
        ]
    except ssm.exceptions.ParameterNotFound:
        return None
    return str(value)


# ---------- decisions ----------


def test_decisions_filters_by_cluster_time_status_and_action(
    deployed: Deployed, group_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _evaluated(deployed, group_id)
    stack = deployed.stack.name

    (record,) = _json(capsys, "decisions", "--stack", stack, "--cluster", group_id)
    assert (record["cluster"], record["trigger"]) == (group_id, "console")
    status, action = record["status"], record["action"]
    assert _json(capsys, "decisions", "--stack", stack, "--cluster", group_id, "--since", "1h") == [record]
    until = "2000-01-01T00:00:00Z"
    assert _json(capsys, "decisions", "--stack", stack, "--cluster", group_id, "--until", until) == []
    assert _json(capsys, "decisions", "--stack", stack, "--cluster", group_id, "--status", status) == [record]
    other = "failed" if status != "failed" else "succeeded"
    assert _json(capsys, "decisions", "--stack", stack, "--cluster", group_id, "--status", other) == []
    assert _json(capsys, "decisions", "--stack", stack, "--cluster", group_id, "--action", action) == [record]
    everyone = _json(capsys, "decisions", "--stack", stack, "--since", "1h", "--limit", "1000")
    assert record in everyone
    assert everyone == sorted(everyone, key=lambda r: r["decidedAt"], reverse=True)

    code, table, _ = _run(capsys, "decisions", "--stack", stack, "--cluster", group_id)
    assert code == 0 and group_id in table and status in table


def test_decisions_for_an_unknown_cluster_is_a_clear_error(
    deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "decisions", "--stack", deployed.stack.name, "--cluster", "no-such-group")
    assert code == 2
    assert out == ""
    assert "no replication group, Memcached cluster or Serverless cache named 'no-such-group'" in err


def test_an_unknown_stack_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "clusters", "--stack", "no-such-stack")
    assert code == 2
    assert "no CloudFormation stack named 'no-such-stack'" in err


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [("--status", "done", "--status must be one of"), ("--since", "yesterday", "neither a duration")],
)
def test_decisions_bad_filters_name_the_filter(
    deployed: Deployed, capsys: pytest.CaptureFixture[str], flag: str, value: str, named: str
) -> None:
    code, _, err = _run(capsys, "decisions", "--stack", deployed.stack.name, flag, value)
    assert code == 2
    assert named in err


# ---------- clusters ----------


def test_clusters_lists_managed_groups_with_mode_guards_lock_and_last_decision(
    deployed: Deployed, group_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = f"plain{uuid.uuid4().hex[:8]}"
    deployed.create_group(plain, managed=False)
    _evaluated(deployed, group_id)
    code, _, err = _run(capsys, "guards", "--stack", deployed.stack.name, "--cluster", group_id, "--pause")
    assert code == 0, err

    rows = {r["cluster"]: r for r in _json(capsys, "clusters", "--stack", deployed.stack.name)}

    assert plain not in rows
    mine = rows[group_id]
    (record,) = deployed.decision_records(group_id)
    assert mine == {
        "cluster": group_id,
        "mode": "act",
        "paused": True,
        "circuitOpen": False,
        "failures": 0,
        "lockHeldBy": None,
        "lastDecidedAt": record["decidedAt"],
        "lastAction": record["action"],
        "lastStatus": record["status"],
        "kind": "replication group",
        "status": "available",
        "capacity": "1 x cache.r7g.large shard(s), 1 replica(s) each",
    }
    code, table, _ = _run(capsys, "clusters", "--stack", deployed.stack.name)
    assert code == 0 and group_id in table


# ---------- preview ----------


def test_preview_observes_and_decides_now_and_changes_nothing(
    deployed: Deployed, group_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed.put_load(group_id, replica_cpu=88.0)
    executions = deployed.execution_arns()
    s3 = deployed.client("s3")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    objects = sum(s3.list_objects_v2(Bucket=b).get("KeyCount", 0) for b in buckets)
    group_before = deployed.group(group_id)

    shown = _json(capsys, "preview", "--stack", deployed.stack.name, group_id)

    assert shown["cluster"] == group_id
    assert shown["mode"] == "act"
    assert shown["decision"]["action"] == "add_replicas"  # the replica runs hot
    assert shown["wouldAct"] is True
    assert shown["observed"]["nodes"] == 2
    assert deployed.decision_records(group_id) == []
    assert deployed.executions_for(group_id, deployed.execution_arns() - executions) == []
    assert sum(s3.list_objects_v2(Bucket=b).get("KeyCount", 0) for b in buckets) == objects
    assert deployed.group(group_id) == group_before
    assert deployed.emulator.counters().get("__mutating__", 0) == 0


def test_preview_of_an_unknown_or_unmanaged_cluster_is_a_clear_error(
    deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "preview", "--stack", deployed.stack.name, "no-such-group")
    assert (code, out) == (2, "")
    assert "no replication group, Memcached cluster or Serverless cache named 'no-such-group'" in err
    plain = f"plain{uuid.uuid4().hex[:8]}"
    deployed.create_group(plain, managed=False)
    code, _, err = _run(capsys, "preview", "--stack", deployed.stack.name, plain)
    assert code == 2
    assert "not managed" in err


# ---------- policy ----------


def test_policy_show_validate_set(
    deployed: Deployed, group_id: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    stack = deployed.stack.name
    shown = _json(capsys, "policy", "show", "--stack", stack, "--cluster", group_id)
    assert shown["clusterParameter"] == f"{deployed.stack.policy_prefix}/clusters/{group_id}"
    assert shown["override"]["mode"] == "act"
    assert shown["effective"]["mode"] == "act"
    assert shown["effective"]["checkIntervalSeconds"] == 1

    observe = tmp_path / "observe.json"
    observe.write_text(json.dumps({"mode": "observe"}))
    checked = _json(capsys, "policy", "validate", "--stack", stack, "--cluster", group_id, str(observe))
    assert checked["effective"]["mode"] == "observe"
    assert json.loads(_parameter(deployed, group_id) or "{}")["mode"] == "act"  # validate writes nothing

    written = _json(capsys, "policy", "set", "--stack", stack, "--cluster", group_id, str(observe))
    assert written["effective"]["mode"] == "observe"
    assert json.loads(_parameter(deployed, group_id) or "{}") == {"mode": "observe"}
    assert _json(capsys, "policy", "show", "--stack", stack, "--cluster", group_id)["effective"]["mode"] == (
        "observe"
    )


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"mode": "sometimes"}, "mode"),
        ({"mode": "act", "checkIntervalSecond": 5}, "checkIntervalSecond: unknown field"),
        ("{not json", "is not JSON"),
    ],
)
@pytest.mark.parametrize("verb", ["validate", "set"])
def test_an_invalid_policy_names_the_field_and_nothing_is_written(  # noqa: PLR0917 - fixtures
    deployed: Deployed,
    group_id: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    document: object,
    named: str,
    verb: str,
) -> None:
    before = _parameter(deployed, group_id)
    bad = tmp_path / "bad.json"
    bad.write_text(document if isinstance(document, str) else json.dumps(document))

    code, out, err = _run(
        capsys, "policy", verb, "--stack", deployed.stack.name, "--cluster", group_id, str(bad)
    )

    assert (code, out) == (2, "")
    assert named in err
    assert _parameter(deployed, group_id) == before


def test_policy_for_an_unknown_cluster_is_refused_and_nothing_is_written(
    deployed: Deployed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"mode": "observe"}))
    for argv in (("show",), ("set", str(good))):
        verb, *rest = argv
        code, _, err = _run(
            capsys, "policy", verb, "--stack", deployed.stack.name, "--cluster", "no-such-group", *rest
        )
        assert code == 2
        assert "no replication group, Memcached cluster or Serverless cache named 'no-such-group'" in err
    assert _parameter(deployed, "no-such-group") is None
