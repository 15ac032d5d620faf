"""Every policy on every shipped replication-group scenario, in one table with ratios against Application
Auto Scaling and the constrained oracle, and the goal checked line by line (with the Memcached and Serverless
checks of ``kind_bench`` when given its rows)."""

import math
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler_cli.console.output import text_table
from elasticache_autoscaler_cli.simulator.baselines import POLICIES, controller
from elasticache_autoscaler_cli.simulator.control_plane import control_plane_usd
from elasticache_autoscaler_cli.simulator.inputs import ClusterSpec, Trace, parse_cluster
from elasticache_autoscaler_cli.simulator.kind_bench import KindBenchRow, kind_checks
from elasticache_autoscaler_cli.simulator.oracle import oracle
from elasticache_autoscaler_cli.simulator.result import SimulationResult
from elasticache_autoscaler_cli.simulator.scenario_files import scenario_folders, trace_in
from elasticache_autoscaler_cli.simulator.timing import ActionTimings
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag, simulate


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    trace: Trace
    spec: ClusterSpec


def scenarios() -> Iterator[Scenario]:
    """The shipped replication-group scenarios, by name (a cluster file with a ``kind`` is another twin's)."""
    for folder, cluster in scenario_folders(None):
        trace = trace_in(folder)
        if trace is not None:
            yield Scenario(folder.name, trace, parse_cluster(cluster, f"{folder.name}/cluster.json"))


AAS = "app-autoscaling"
ORACLE = "oracle"


@dataclass(frozen=True, slots=True)
class BenchRow:
    scenario: str
    cluster_mode_enabled: bool
    results: dict[str, SimulationResult]
    oracle_usd: float
    """The constrained oracle's figure (``oracle``): no zero-breach schedule costs less (``inf``: none)."""

    def ratio(self, policy: str, reference: str, field: str) -> float | None:
        mine = getattr(self.results[policy], field)
        theirs = getattr(self.results[reference], field)
        if theirs == 0:
            return None if mine else 1.0
        return float(mine) / float(theirs)

    def to_oracle(self, policy: str) -> float | None:
        if not math.isfinite(self.oracle_usd):
            return None
        return self.results[policy].total_usd / self.oracle_usd


def run_policy(
    scenario: Scenario,
    name: str,
    policy: Policy | None = None,
    timings: ActionTimings | None = None,
    cloudwatch: CloudWatchLag | None = None,
) -> SimulationResult:
    """One policy on one scenario, charged its own AWS bill (``control_plane``)."""
    runner = controller(name, policy if name == "autoscaler" else None)
    result = simulate(scenario.trace, scenario.spec, runner, timings=timings, cloudwatch=cloudwatch)
    result.control_plane_usd = control_plane_usd(runner, result, scenario.spec)
    return result


def oracle_usd(scenario: Scenario, policy: Policy | None, timings: ActionTimings | None) -> float:
    return oracle(scenario.trace, scenario.spec, policy, timings=timings).cost_usd


# CPU per trace minute of each task, relative to the twin alone (measured): ours runs the engine every few
# minutes, the oracle its dynamic programming.
_WEIGHT = {"autoscaler": 6.0, ORACLE: 3.0}


def run_bench(
    policy: Policy | None = None,
    timings: ActionTimings | None = None,
    *,
    cloudwatch: CloudWatchLag | None = None,
    workers: int | None = None,
) -> list[BenchRow]:
    """``policy`` is our autoscaler's policy; the baselines keep the default targets and bounds;
    ``cloudwatch``: every policy sees the metrics late and with gaps. Each (scenario, policy) and each
    scenario's oracle is one task, run in ``workers`` processes (default: one per CPU), heaviest first."""
    shipped = list(scenarios())
    tasks = [(s, name) for s in shipped for name in (*POLICIES, ORACLE)]
    tasks.sort(key=lambda task: -len(task[0].trace) * _WEIGHT.get(task[1], 1.0))
    with ProcessPoolExecutor(max_workers=min(workers or os.cpu_count() or 1, len(tasks))) as pool:
        runs: dict[tuple[str, str], Future[SimulationResult]] = {}
        bounds: dict[str, Future[float]] = {}
        for s, name in tasks:
            if name == ORACLE:
                bounds[s.name] = pool.submit(oracle_usd, s, policy, timings)
            else:
                runs[(s.name, name)] = pool.submit(run_policy, s, name, policy, timings, cloudwatch)
        return [
            BenchRow(
                s.name,
                s.spec.cluster_mode_enabled,
                {name: runs[(s.name, name)].result() for name in POLICIES},
                bounds[s.name].result(),
            )
            for s in shipped
        ]


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_table(rows: list[BenchRow]) -> str:
    headers = ["scenario", "policy", "cost $", "own AWS $", "breach min", "actions", "revers.", "node-h"]
    headers += ["cost/AAS", "breach/AAS", "cost/oracle"]
    lines: list[list[str]] = []
    for row in rows:
        scenario = row.scenario + ("" if row.cluster_mode_enabled else " (CMD)")
        for name, r in row.results.items():
            lines.append(
                [
                    *(scenario, name, f"{r.total_usd:.2f}", f"{r.control_plane_usd:.2f}"),
                    *(str(r.breach_minutes), str(len(r.actions)), str(r.reversals), f"{r.node_hours:.1f}"),
                    _ratio(row.ratio(name, AAS, "total_usd")),
                    _ratio(row.ratio(name, AAS, "breach_minutes")),
                    _ratio(row.to_oracle(name)),
                ]
            )
        bound = f"{row.oracle_usd:.2f}" if math.isfinite(row.oracle_usd) else "none"
        lines.append(["", "(oracle)", bound, "-", "0", "-", "-", "-", "-", "-", "1.00"])
    return text_table(headers, lines)


ORACLE_GEOMEAN_GOAL = 1.15


def _checks(row: BenchRow) -> list[tuple[bool, str]]:
    """Issue 12's goal on one scenario: (holds, what was compared)."""
    ours, aas, as_is = row.results["autoscaler"], row.results[AAS], row.results["as-is"]
    allowed = 1 if aas.breach_minutes == 0 else 0.5 * aas.breach_minutes
    checks = [
        (ours.reversals == 0, f"no reversal within 30 min: {ours.reversals}"),
        (
            ours.breach_minutes <= allowed,
            f"breach <= 0.5 x AAS (<= 1 where AAS has 0): {ours.breach_minutes} vs {allowed:g} allowed"
            f" (AAS {aas.breach_minutes})",
        ),
    ]
    if row.cluster_mode_enabled:
        checks.append(
            (
                ours.total_usd <= aas.total_usd,
                f"cost <= AAS: {ours.total_usd:.2f} vs {aas.total_usd:.2f} (oracle {row.oracle_usd:.2f})",
            )
        )
    if as_is.breach_minutes <= ours.breach_minutes:
        checks.append(
            (
                ours.total_usd <= as_is.total_usd,
                f"cost <= as-is (which breaches {as_is.breach_minutes} min, no more): "
                f"{ours.total_usd:.2f} vs {as_is.total_usd:.2f}",
            )
        )
    return checks


def geometric_mean_to_oracle(rows: list[BenchRow], policy: str = "autoscaler") -> float:
    """exp(mean(log(cost / oracle))) over the scenarios where a zero-breach schedule exists."""
    ratios = [r for r in (row.to_oracle(policy) for row in rows) if r is not None]
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else math.nan


def goal_check(rows: list[BenchRow], kind_rows: Sequence[KindBenchRow] = ()) -> list[str]:
    """The goal, check by check, each with its figures: the replication groups' (issue 12's), then the
    Memcached clusters' and Serverless caches' (``kind_bench.kind_checks``)."""
    findings = []
    passed = total = 0
    for scenario, checks in [
        *((row.scenario, _checks(row)) for row in rows),
        *((row.scenario, kind_checks(row)) for row in kind_rows),
    ]:
        for ok, text in checks:
            total += 1
            passed += ok
            findings.append(f"{'PASS' if ok else 'FAIL'}  {scenario}: {text}")
    mean = geometric_mean_to_oracle(rows)
    ok = mean <= ORACLE_GEOMEAN_GOAL
    total += 1
    passed += ok
    findings.append(
        f"{'PASS' if ok else 'FAIL'}  all scenarios: geometric-mean cost / oracle <= {ORACLE_GEOMEAN_GOAL}: "
        f"{mean:.3f}"
    )
    findings.append(f"{passed} of {total} goal checks pass")
    return findings
