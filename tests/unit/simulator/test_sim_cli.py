"""The CLI contract: any trace in the documented format runs, --json keys, errors name line and column."""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from elasticache_autoscaler_cli.main import main

HEADER = "minute,reads_per_s,writes_per_s,dataset_gib,connections,avg_item_bytes\n"
CLUSTER = {
    "engine": "redis",
    "cluster_mode": "enabled",
    "node_type": "cache.m7g.large",
    "shards": 2,
    "replicas_per_shard": 1,
    "multi_az": False,
}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rows = "".join(f"{m},{20_000 + 500 * m},{2_000},{3.5},{900},{300}\n" for m in range(90))
    trace = tmp_path / "trace.csv"
    trace.write_text(HEADER + rows)
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps(CLUSTER))
    return trace, cluster


@pytest.mark.parametrize("policy", ["autoscaler", "app-autoscaling", "static-peak", "hpa"])
def test_simulate_prints_one_json_object_with_the_contract_keys(
    files: tuple[Path, Path], policy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files

    code = main(["simulate", "--trace", str(trace), "--cluster", str(cluster), "--policy", policy, "--json"])

    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {
        "policy",
        "cost_usd",
        "breach_minutes",
        "breach_minutes_by_cause",
        "actions",
        "reversals",
        "node_hours",
    } <= set(out)
    assert out["policy"] == policy
    assert set(out["breach_minutes_by_cause"]) == {"memory", "cpu", "network"}
    assert out["cost_usd"] > 0


def test_simulate_without_json_prints_a_summary(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files

    assert main(["simulate", "--trace", str(trace), "--cluster", str(cluster), "--policy", "hpa"]) == 0
    assert "breach minutes:" in capsys.readouterr().out


def test_a_malformed_trace_is_refused_naming_line_and_column(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files
    lines = trace.read_text().splitlines()
    lines[5] = "4,100,2000,3.5,many,300"
    trace.write_text("\n".join(lines) + "\n")

    code = main(["simulate", "--trace", str(trace), "--cluster", str(cluster), "--policy", "autoscaler"])

    assert code == 2
    assert "line 6, column 5 (connections)" in capsys.readouterr().err


def test_a_bad_policy_file_is_refused_naming_the_field(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files
    policy = tmp_path / "policy.json"
    policy.write_text('{"maxShards": 0}')

    code = main(
        [
            "simulate",
            "--trace",
            str(trace),
            "--cluster",
            str(cluster),
            "--policy",
            "autoscaler",
            "--policy-file",
            str(policy),
        ]
    )

    assert code == 2
    assert "maxShards" in capsys.readouterr().err


def test_plot_writes_a_png(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files
    out = tmp_path / "plot.png"

    assert (
        main(
            [
                "simulate",
                "--trace",
                str(trace),
                "--cluster",
                str(cluster),
                "--policy",
                "hpa",
                "--plot",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_cli_does_not_import_matplotlib_unless_asked() -> None:
    code = (
        "import sys, elasticache_autoscaler_cli.main, elasticache_autoscaler_cli.simulator.bench;"
        "print('matplotlib' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{root / 'layers/autoscaler'}{os.pathsep}{root / 'cli'}"},
    )
    assert done.stdout.strip() == "False"


def test_bench_prints_every_policy_on_every_scenario_and_the_goal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench"]) == 0

    out = capsys.readouterr().out
    for name in (
        "autoscaler",
        "app-autoscaling",
        "app-autoscaling@75",
        "static-peak",
        "hpa",
        "as-is",
        "(oracle)",
        "flash_sale",
        "quiet_weekend",
        "(CMD)",
    ):
        assert name in out
    assert "cost/AAS" in out
    assert "cost/oracle" in out
    assert "no reversal within 30 min" in out
    assert "geometric-mean cost / oracle <= 1.15" in out
    assert re.search(r"\n\d+ of \d+ goal checks pass", out)


def test_simulate_with_cloudwatch_lag_sees_the_rise_later(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, cluster = files
    # reads 60k -> 200k/s at minute 40: nothing to remove before (2 -> 1 shards would put the replicas at
    # ~60 %), the replicas cross 66 % at once after
    trace = tmp_path / "step.csv"
    rows = "".join(f"{m},{60_000 if m < 40 else 200_000},2000,3.5,900,300\n" for m in range(90))
    trace.write_text(HEADER + rows)
    args = ["simulate", "--trace", str(trace), "--cluster", str(cluster), "--policy", "autoscaler", "--json"]

    assert main(args) == 0
    prompt = json.loads(capsys.readouterr().out)
    assert main([*args, "--cloudwatch-lag"]) == 0
    late = json.loads(capsys.readouterr().out)

    # the same step: the scale-out is decided at once without lag, 1-3 minutes later with it
    first, later = prompt["actions"][0], late["actions"][0]
    assert first["action"] == later["action"] == "add_replicas"
    assert first["startedMinute"] == 42  # the alarm's 2 of 3: minutes 40 and 41, decided after 41
    assert 43 <= later["startedMinute"] <= 45  # minute 41's datapoint arrives 1-3 minutes later


def test_a_gzipped_trace_reads_like_the_plain_one(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    trace, cluster = files
    packed = trace.with_suffix(".csv.gz")
    packed.write_bytes(gzip.compress(trace.read_bytes()))
    args = ["--cluster", str(cluster), "--policy", "hpa", "--json"]

    assert main(["simulate", "--trace", str(trace), *args]) == 0
    plain = capsys.readouterr().out
    assert main(["simulate", "--trace", str(packed), *args]) == 0

    assert capsys.readouterr().out == plain


def test_bench_sees_cloudwatch_lag_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])

    shown = " ".join(capsys.readouterr().out.split())
    assert "--cloudwatch-lag, --no-cloudwatch-lag" in shown
    assert "(default: on)" in shown


def test_simulate_sees_no_lag_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])

    assert "(default: off)" in " ".join(capsys.readouterr().out.split())
