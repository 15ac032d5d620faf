"""The bench's Memcached and Serverless part: every policy of the kind on every shipped scenario of the
kind, one table per kind, and the kind's goal checks.

Memcached: ours (the runtime's Memcached Decide), Application Auto Scaling of the node count, static peak.
Serverless: ours (the runtime's Serverless Decide) and the limits as set. Each with its default policy of
the kind (``--policy-file`` is a replication group's policy and does not apply). Costs are the cache's bill
only: our own AWS bill is charged on replication groups (``control_plane``), not here.
"""

import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from elasticache_autoscaler_cli.console.output import text_table
from elasticache_autoscaler_cli.simulator.baselines.memcached_app_autoscaling import MemcachedAppAutoScaling
from elasticache_autoscaler_cli.simulator.baselines.memcached_autoscaler import MemcachedAutoscaler
from elasticache_autoscaler_cli.simulator.baselines.memcached_static_peak import MemcachedStaticPeak
from elasticache_autoscaler_cli.simulator.baselines.serverless import LimitsAsSet, ServerlessAutoscaler
from elasticache_autoscaler_cli.simulator.inputs import Trace
from elasticache_autoscaler_cli.simulator.kind_inputs import MemcachedSpec, ServerlessSpec, parse_kind_cluster
from elasticache_autoscaler_cli.simulator.kind_result import AnyKindResult
from elasticache_autoscaler_cli.simulator.memcached_twin import MemcachedController, simulate_memcached
from elasticache_autoscaler_cli.simulator.scenario_files import scenario_folders, trace_in
from elasticache_autoscaler_cli.simulator.serverless_twin import ServerlessController, simulate_serverless
from elasticache_autoscaler_cli.simulator.twin import CloudWatchLag

MEMCACHED, SERVERLESS = "memcached", "serverless"
OURS, AAS, STATIC_PEAK, AS_SET = "autoscaler", "app-autoscaling", "static-peak", "limits-as-set"
KIND_POLICIES = {MEMCACHED: (OURS, AAS, STATIC_PEAK), SERVERLESS: (OURS, AS_SET)}


@dataclass(frozen=True, slots=True)
class KindScenario:
    name: str
    trace: Trace
    spec: MemcachedSpec | ServerlessSpec

    @property
    def kind(self) -> str:
        return self.spec.kind


def kind_scenarios() -> Iterator[KindScenario]:
    """The shipped Memcached and Serverless scenarios, Memcached first, each by name."""
    for kind in (MEMCACHED, SERVERLESS):
        for folder, cluster in scenario_folders(kind):
            trace = trace_in(folder)
            if trace is not None:
                spec = parse_kind_cluster(cluster, f"{folder.name}/cluster.json")
                yield KindScenario(folder.name, trace, spec)


def memcached_controller(name: str) -> MemcachedController:
    match name:
        case "autoscaler":
            return MemcachedAutoscaler()
        case "app-autoscaling":
            return MemcachedAppAutoScaling()
        case "static-peak":
            return MemcachedStaticPeak()
    raise ValueError(f"unknown Memcached policy {name!r}: one of {', '.join(KIND_POLICIES[MEMCACHED])}")


def serverless_controller(name: str) -> ServerlessController:
    match name:
        case "autoscaler":
            return ServerlessAutoscaler()
        case "limits-as-set":
            return LimitsAsSet()
    raise ValueError(f"unknown Serverless policy {name!r}: one of {', '.join(KIND_POLICIES[SERVERLESS])}")


def run_kind(scenario: KindScenario, name: str, cloudwatch: CloudWatchLag | None = None) -> AnyKindResult:
    spec = scenario.spec
    if isinstance(spec, MemcachedSpec):
        return simulate_memcached(scenario.trace, spec, memcached_controller(name), cloudwatch=cloudwatch)
    return simulate_serverless(scenario.trace, spec, serverless_controller(name), cloudwatch=cloudwatch)


@dataclass(frozen=True, slots=True)
class KindBenchRow:
    scenario: str
    kind: str
    results: dict[str, AnyKindResult]


def run_kind_bench(
    *, cloudwatch: CloudWatchLag | None = None, workers: int | None = None
) -> list[KindBenchRow]:
    """Every policy of each kind on every shipped scenario of the kind, ``workers`` processes (default: one
    per CPU); ``cloudwatch``: every policy sees the metrics late and with gaps."""
    shipped = list(kind_scenarios())
    tasks = [(s, name) for s in shipped for name in KIND_POLICIES[s.kind]]
    tasks.sort(key=lambda task: -len(task[0].trace) * (4.0 if task[1] == OURS else 1.0))
    with ProcessPoolExecutor(max_workers=min(workers or os.cpu_count() or 1, len(tasks))) as pool:
        runs: dict[tuple[str, str], Future[AnyKindResult]] = {
            (s.name, name): pool.submit(run_kind, s, name, cloudwatch) for s, name in tasks
        }
        return [
            KindBenchRow(
                s.name, s.kind, {name: runs[(s.name, name)].result() for name in KIND_POLICIES[s.kind]}
            )
            for s in shipped
        ]


def _ratio(mine: float, theirs: float) -> str:
    if theirs == 0:
        return "-" if mine else "1.00"
    return f"{mine / theirs:.2f}"


def _causes(result: AnyKindResult) -> str:
    return ", ".join(f"{k} {v}" for k, v in result.breach_minutes_by_cause.items() if v) or "-"


def format_kind_tables(rows: list[KindBenchRow]) -> str:
    """One table per kind: the kind's own figure beside cost, breaches, actions and reversals."""
    memcached: list[list[str]] = []
    serverless: list[list[str]] = []
    for row in rows:
        for name, r in row.results.items():
            common = [row.scenario, name, f"{r.cost_usd:.2f}", str(r.breach_minutes), _causes(r)]
            common += [str(len(r.actions)), str(r.reversals)]
            if row.kind == MEMCACHED:
                peak, aas = row.results[STATIC_PEAK], row.results[AAS]
                memcached.append(
                    [
                        *common,
                        f"{r.node_hours:.1f}",
                        f"{r.cold_misses / 1e6:.2f}",
                        _ratio(r.cost_usd, peak.cost_usd),
                        _ratio(r.breach_minutes, aas.breach_minutes),
                    ]
                )
            else:
                as_set = row.results[AS_SET]
                ceiling = "unbounded" if r.peak_ceiling_per_hour is None else f"{r.peak_ceiling_per_hour:.2f}"
                serverless.append(
                    [
                        *common,
                        f"{r.throttled_cmds / 1e6:.2f}",
                        ceiling,
                        _ratio(r.breach_minutes, as_set.breach_minutes),
                    ]
                )
    head = ["scenario", "policy", "cost $", "breach min", "by cause", "actions", "revers."]
    tables = []
    if memcached:
        columns = [*head, "node-h", "cold misses M", "cost/static", "breach/AAS"]
        tables.append("Memcached clusters\n" + text_table(columns, memcached))
    if serverless:
        columns = [*head, "throttled M", "max ceiling $/h", "breach/as-set"]
        tables.append("Serverless caches\n" + text_table(columns, serverless))
    return "\n\n".join(tables)


def _within_half(ours: int, theirs: int) -> tuple[bool, float]:
    allowed = 1 if theirs == 0 else 0.5 * theirs
    return ours <= allowed, allowed


def kind_checks(row: KindBenchRow) -> list[tuple[bool, str]]:
    """The kind's goal on one scenario: (holds, what was compared).

    Memcached: no reversal within 30 min; breach minutes <= half of Application Auto Scaling's (<= 1 where
    it has none); cost <= static peak; cold misses <= Application Auto Scaling's. Serverless: no reversal
    within 30 min; breach minutes (throttled or data over the maximum) <= half of the limits as set's
    (<= 1 where they have none). No Serverless cost check: the bill is per use and the maximums only cap
    use, so costing more than the limits as set only says that more of the demand was served."""
    ours = row.results[OURS]
    checks = [(ours.reversals == 0, f"no reversal within 30 min: {ours.reversals}")]
    if row.kind == MEMCACHED:
        aas, peak = row.results[AAS], row.results[STATIC_PEAK]
        holds, allowed = _within_half(ours.breach_minutes, aas.breach_minutes)
        checks += [
            (
                holds,
                f"breach <= 0.5 x AAS (<= 1 where AAS has 0): {ours.breach_minutes} vs {allowed:g} allowed"
                f" (AAS {aas.breach_minutes})",
            ),
            (
                ours.cost_usd <= peak.cost_usd,
                f"cost <= static peak: {ours.cost_usd:.2f} vs {peak.cost_usd:.2f}",
            ),
            (
                ours.cold_misses <= aas.cold_misses,
                f"cold misses <= AAS: {ours.cold_misses / 1e6:.2f} M vs {aas.cold_misses / 1e6:.2f} M",
            ),
        ]
    else:
        as_set = row.results[AS_SET]
        holds, allowed = _within_half(ours.breach_minutes, as_set.breach_minutes)
        checks.append(
            (
                holds,
                f"breach <= 0.5 x limits as set (<= 1 where they have 0): {ours.breach_minutes} vs "
                f"{allowed:g} allowed (limits as set {as_set.breach_minutes})",
            )
        )
    return checks
