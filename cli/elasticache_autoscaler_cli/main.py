"""``elasticache-autoscaler``: operate a deployed stack, and replay load through the decision engine.

elasticache-autoscaler simulate --trace T.csv --cluster C.json --policy autoscaler [--json] [--plot out.png]
elasticache-autoscaler bench [--policy-file P.json] [--no-cloudwatch-lag] [--json]
elasticache-autoscaler backtest --cluster <replication-group-id> --days 14 [--json]
elasticache-autoscaler guards --table <StateTableName> --cluster <id> [--pause|--resume] [--reset-circuit]
elasticache-autoscaler decisions|clusters|preview|policy --stack <name> ... (the operator console, see
    elasticache_autoscaler_cli/console/commands.py and docs/operations.md)
"""

import argparse
import json
import math
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli import operator_switches
from elasticache_autoscaler_cli.console.commands import add_parsers as add_console_parsers
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.simulator.baselines import POLICIES, controller
from elasticache_autoscaler_cli.simulator.baselines.as_is import AsIsController
from elasticache_autoscaler_cli.simulator.baselines.static_peak import StaticPeakController
from elasticache_autoscaler_cli.simulator.inputs import (
    ClusterSpec,
    InputError,
    Trace,
    load_cluster,
    load_trace,
)
from elasticache_autoscaler_cli.simulator.result import SimulationResult
from elasticache_autoscaler_cli.simulator.timing import ActionTimings, load_timings
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag, simulate


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def load_policy(path: Path | None) -> Policy | None:
    if path is None:
        return None
    try:
        return Policy.model_validate_json(path.read_text())
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InputError(f"{path}: {problems}") from None


def _timings(args: argparse.Namespace) -> ActionTimings:
    return load_timings(args.timings) if args.timings else ActionTimings()


def summary(result: SimulationResult) -> str:
    causes = ", ".join(f"{k} {v}" for k, v in result.breach_minutes_by_cause.items())
    lines = [
        f"policy:          {result.policy}",
        f"minutes:         {result.minutes}",
        f"start -> end:    {result.initial.describe()} -> {result.final.describe()}",
        f"cost:            ${result.cost_usd:.2f} ({result.node_hours:.1f} node-hours)",
        f"breach minutes:  {result.breach_minutes} ({causes})",
        f"actions:         {len(result.actions)} ({result.reversals} reversals within 30 min)",
    ]
    lines += [
        f"  minute {a.started_minute:>5} -> {a.finished_minute:>5}  {a.action.value:<16} "
        f"{a.target.describe()}"
        for a in result.actions
    ]
    return "\n".join(lines)


def _lag(args: argparse.Namespace) -> CloudWatchLag | None:
    return CloudWatchLag() if getattr(args, "cloudwatch_lag", False) else None


def cmd_simulate(args: argparse.Namespace) -> int:
    trace = load_trace(args.trace)
    spec = load_cluster(args.cluster)
    policy = load_policy(args.policy_file)
    result = simulate(
        trace, spec, controller(args.policy, policy), timings=_timings(args), cloudwatch=_lag(args)
    )
    if args.plot:
        from elasticache_autoscaler_cli.simulator.plot import plot  # noqa: PLC0415 - matplotlib only when asked

        plot(result, args.plot, title=args.trace.parent.name)
    _out(json.dumps(result.to_json(), indent=2) if args.json else summary(result))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from elasticache_autoscaler_cli.simulator.bench import format_table, goal_check, run_bench  # noqa: PLC0415
    from elasticache_autoscaler_cli.simulator.kind_bench import (  # noqa: PLC0415
        format_kind_tables,
        run_kind_bench,
    )

    rows = run_bench(load_policy(args.policy_file), _timings(args), cloudwatch=_lag(args))
    kind_rows = run_kind_bench(cloudwatch=_lag(args))
    if args.json:
        _out(
            json.dumps(
                [
                    *(
                        {
                            "scenario": r.scenario,
                            "results": {k: v.to_json() for k, v in r.results.items()},
                            "oracleCostUsd": round(r.oracle_usd, 4) if math.isfinite(r.oracle_usd) else None,
                        }
                        for r in rows
                    ),
                    *(
                        {
                            "scenario": r.scenario,
                            "kind": r.kind,
                            "results": {k: v.to_json() for k, v in r.results.items()},
                        }
                        for r in kind_rows
                    ),
                ],
                indent=2,
            )
        )
        return 0
    _out(format_table(rows))
    _out("\n" + format_kind_tables(kind_rows) + "\n")
    _out("\n".join(goal_check(rows, kind_rows)))
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    import boto3  # noqa: PLC0415 - only the backtest talks to AWS

    from elasticache_autoscaler_cli.simulator.backtest import read_history  # noqa: PLC0415

    session = boto3.Session(region_name=args.region) if args.region else boto3.Session()
    trace, spec = read_history(
        args.cluster,
        args.days,
        datetime.now(UTC),
        session.client("elasticache"),
        session.client("cloudwatch"),
    )
    if args.save_trace:
        args.save_trace.mkdir(parents=True, exist_ok=True)
        (args.save_trace / "trace.csv").write_text(trace.to_csv())
        (args.save_trace / "cluster.json").write_text(
            spec.model_dump_json(indent=2, exclude_none=True) + "\n"
        )
    report = backtest_report(trace, spec, load_policy(args.policy_file), _timings(args))
    _out(json.dumps(report, indent=2) if args.json else _backtest_text(report))
    return 0


def backtest_report(
    trace: Trace, spec: ClusterSpec, policy: Policy | None, timings: ActionTimings
) -> dict[str, object]:
    ours = simulate(trace, spec, controller("autoscaler", policy), timings=timings)
    peak = simulate(trace, spec, StaticPeakController(), timings=timings)
    as_is = simulate(trace, spec, AsIsController(), timings=timings)
    return {
        "cluster": spec.model_dump(mode="json", exclude_none=True),
        "minutes": len(trace),
        "autoscaler": ours.to_json(),
        "as_is": {"cost_usd": round(as_is.cost_usd, 4), "breach_minutes": as_is.breach_minutes},
        "static_peak": {"cost_usd": round(peak.cost_usd, 4), "breach_minutes": peak.breach_minutes},
    }


def _backtest_text(report: dict[str, object]) -> str:
    ours = report["autoscaler"]
    as_is = report["as_is"]
    assert isinstance(ours, dict) and isinstance(as_is, dict)
    return (
        f"over {report['minutes']} minutes: the autoscaler would have cost ${ours['cost_usd']:.2f} with "
        f"{ours['breach_minutes']} breach minutes and {len(ours['actions'])} actions; "
        f"as it is, the group cost ${as_is['cost_usd']:.2f} with {as_is['breach_minutes']} breach minutes\n"
        + json.dumps(ours["actions"], indent=2)
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="elasticache-autoscaler", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--policy-file", type=Path, help="our autoscaler's policy (JSON, the SSM format)")
        p.add_argument(
            "--timings", type=Path, help="JSON overriding action durations (see docs/simulator.md)"
        )
        p.add_argument("--json", action="store_true", help="print one JSON document")

    def lag(p: argparse.ArgumentParser, default: bool) -> None:
        p.add_argument(
            "--cloudwatch-lag",
            action=argparse.BooleanOptionalAction,
            default=default,
            help="every policy sees the metrics 1-3 min late and 1 %% of datapoints missing "
            f"(default: {'on' if default else 'off'})",
        )

    sim = commands.add_parser("simulate", help="replay one trace through one policy")
    sim.add_argument("--trace", type=Path, required=True)
    sim.add_argument("--cluster", type=Path, required=True)
    sim.add_argument("--policy", choices=POLICIES, required=True)
    sim.add_argument("--plot", type=Path, help="write demand vs capacity (PNG) here")
    common(sim)
    lag(sim, default=False)
    sim.set_defaults(run=cmd_simulate)

    bench = commands.add_parser("bench", help="every policy on every shipped scenario")
    common(bench)
    lag(bench, default=True)
    bench.set_defaults(run=cmd_bench)

    back = commands.add_parser("backtest", help="replay a real group's CloudWatch history")
    back.add_argument("--cluster", required=True, help="replication group id")
    back.add_argument("--days", type=int, default=14, choices=range(1, 16), metavar="1-15")
    back.add_argument("--region")
    back.add_argument("--save-trace", type=Path, help="also write trace.csv and cluster.json to this folder")
    common(back)
    back.set_defaults(run=cmd_backtest)

    operator_switches.add_parser(commands)
    add_console_parsers(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (InputError, ConsoleError, OSError) as error:
        sys.stderr.write(f"elasticache-autoscaler: error: {error}\n")
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
