"""System benchmark on the local stack: alarm -> first ElastiCache call, handler import times, own AWS cost.

    .venv/bin/python -m tools.system_bench [--runs 5] [--json]

1. Latency: SetAlarmState -> EventBridge -> on_alarm -> StartExecution -> Observe -> Decide -> lock -> Act
   -> the first mutating ElastiCache call, on the emulator with waits off (SFN_WAIT_SCALE=0), one cold run
   (first after deploy) and `--runs` warm ones, each on a fresh group. Baseline: a warm no-op Lambda invoke
   on the same emulator.
2. Import time of each built handler (`import app` in `python3.13 -I -S` with only the function and its
   layer on sys.path, as on Lambda) against a bare `import boto3` in the same interpreter.
3. The autoscaler's own AWS cost per managed cluster per month, from the calls one evaluation makes
   (counted by a recording proxy the Lambdas' SDK clients are pointed at) priced by
   `tools.system_bench_cost`.
4. The largest state payload (input or output of any state, from the execution history) of those runs and
   of an evaluation of a 90-shard x 5-replica group: Step Functions caps it at 256 KiB.
5. A schedule tick over a fleet (`--fleet 500` managed groups and 20 unmanaged, made by the emulator's
   fleet patch; the executions it starts are held, not run): requests the tick sent (its own count,
   retries included) and the emulator received, its duration, and a second tick in the same bucket
   (all duplicates). `--fleet-only` measures this section alone.

See docs/system-bench.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from elasticache_autoscaler_cli.console.output import text_table
from tools import local_stack
from tools import system_bench_cost as cost
from tools.emulator.control import Emulator, free_port
from tools.fleet_tick import run_fleet_tick
from tools.stack_driver import (
    StackDriver,
    create_lambda_role,
    create_python_function,
    largest_state_payload,
    states_entered,
)

FUNCTIONS = [
    "OnAlarmFunction",
    "OnScheduleFunction",
    "ObserveFunction",
    "DecideFunction",
    "LockFunction",
    "ActFunction",
    "CheckFunction",
    "RecordFunction",
    "ApprovalFunction",
    "RotateFunction",
]
LAMBDA_MEMORY_MB = 256  # template.yaml Globals.Function.MemorySize
# The local config, but LogLevel=INFO (as `prod`): DEBUG logging would inflate the Lambda durations.
DEPLOY_PARAMETERS = (
    'Architecture=x86_64 DefaultMode=observe ScheduleRate="rate(1 day)" '
    "ScheduleBucketMinutes=1440 LogLevel=INFO"
)
# The services whose calls the Lambdas make through the recording proxy (botocore's per-service
# endpoint variables; ElastiCache is counted by the emulator itself).
PROXIED = {"dynamodb": "DYNAMODB", "cloudwatch": "CLOUDWATCH", "ssm": "SSM", "sns": "SNS", "sfn": "SFN"}


# ---- a recording reverse proxy in front of the emulator ---------------------------------------------------
@dataclass
class Call:
    service: str
    operation: str
    at: float
    request: bytes
    response: bytes
    status: int


@dataclass
class Recorder:
    upstream_port: int
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> list[Call]:
        with self.lock:
            taken, self.calls = self.calls, []
        return taken


_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/aws4_request")


def _operation(headers: Any, path: str, body: bytes) -> str:
    target = headers.get("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if "/operation/" in path:  # smithy-rpc-v2-cbor (CloudWatch)
        return path.rsplit("/operation/", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
    return match.group(1).decode() if match else "?"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A Lambda worker closing its kept-alive connection, or a late call after the emulator stopped, is
        not an error of the proxy."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start_proxy(recorder: Recorder) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The answer leaves in one write, without Nagle: written as headers then body, the body waited for
        # the client's delayed ACK of the headers (~40 ms on Linux), which added ~45 ms to every proxied
        # call (each DynamoDB, CloudWatch, SSM, SNS and Step Functions call the Lambdas make).
        disable_nagle_algorithm = True
        wbufsize = -1  # buffered: BaseHTTPRequestHandler flushes it once the answer is complete

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            scope = _SCOPE.search(self.headers.get("Authorization") or "")
            service = scope.group(1) if scope else "?"
            upstream = http.client.HTTPConnection("127.0.0.1", recorder.upstream_port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            upstream.close()
            with recorder.lock:
                recorder.calls.append(
                    Call(
                        service,
                        _operation(self.headers, self.path, body),
                        time.time(),
                        body,
                        payload,
                        answer.status,
                    )
                )
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "content-length", "connection", "date", "server"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_GET = do_PUT = do_DELETE = _forward

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---- the stack --------------------------------------------------------------------------------------------
@dataclass
class Bench(StackDriver):
    recorder: Recorder

    def create_hot_group(self, group: str, mode: str) -> None:
        """A managed group in ``mode`` whose replica runs at 88 % engine CPU (the engine adds a replica)."""
        self.create_group(group)
        self.set_policy(group, {"mode": mode, "checkIntervalSeconds": 1, "scaleOutCooldownSeconds": 0})
        self.put_load(group, replica_cpu=88.0)

    def arm_alarm(self, group: str) -> str:
        """An `ecas-` alarm on a replica that its own evaluation leaves OK: only SetAlarmState moves it."""
        return self.put_replica_cpu_alarm(group, threshold=1_000)


def start_bench(change_seconds: float, build_dir: Path) -> Bench:
    port = free_port()
    recorder = Recorder(upstream_port=port)
    proxy = start_proxy(recorder)
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = {"EMULATOR_ELASTICACHE_CHANGE_SECONDS": str(change_seconds), "SFN_WAIT_SCALE": "0"}
    env |= {f"AWS_ENDPOINT_URL_{suffix}": proxy_url for suffix in PROXIED.values()}
    emulator = Emulator.start(port=port, env=env)
    try:
        stack = local_stack.deploy(emulator, overrides=DEPLOY_PARAMETERS, build_dir=build_dir)
    except BaseException:
        emulator.stop()
        raise
    return Bench(emulator, stack, recorder)


# ---- 1. alarm -> first mutating ElastiCache call ----------------------------------------------------------
@dataclass
class PathRun:
    group: str
    total_ms: float  # SetAlarmState sent -> first mutating ElastiCache call received
    to_start_execution_ms: float  # SetAlarmState sent -> on_alarm's StartExecution received
    operation: str
    execution_arn: str


def _alarm_execution(bench: Bench, group: str, started: set[str]) -> str:
    """The execution the alarm started for ``group`` (a scheduled evaluation may have started meanwhile)."""
    sfn = bench.client("stepfunctions")
    for arn in sorted(started):
        request = json.loads(sfn.describe_execution(executionArn=arn)["input"])
        if request.get("cluster") == group and request.get("trigger") == "alarm":
            return arn
    raise LookupError(f"no alarm-started execution for {group} among {sorted(started)}")


def alarm_to_first_call(bench: Bench, group: str, alarm: str) -> tuple[PathRun, list[Call], dict[str, int]]:
    known = bench.execution_arns()
    bench.emulator.reset()
    bench.recorder.take()
    t0 = time.time()
    bench.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="ALARM", StateReason="system bench"
    )
    deadline = time.monotonic() + 180  # a guard, not a speed check: a loaded machine's cold path took 30 s+
    first: dict[str, Any] | None = None
    while first is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no mutating ElastiCache call for {group}:\n{bench.emulator.log_tail()}")
        first = next(
            (c for c in bench.emulator.mutating_calls() if c["params"].get("ReplicationGroupId") == group),
            None,
        )
        time.sleep(0.01)
    arn = _alarm_execution(bench, group, bench.execution_arns() - known)
    bench.wait(arn)
    calls = bench.recorder.take()
    counters = bench.emulator.counters()
    started = next(c.at for c in calls if c.service == "states" and c.operation == "StartExecution")
    run = PathRun(
        group=group,
        total_ms=(float(first["time"]) - t0) * 1000,
        to_start_execution_ms=(started - t0) * 1000,
        operation=str(first["operation"]),
        execution_arn=arn,
    )
    return run, calls, counters


def noop_lambda_baseline(bench: Bench, runs: int) -> tuple[float, float]:
    """(cold, warm median) ms of a synchronous Invoke of a no-op python3.13 function on the same emulator."""
    create_python_function(
        bench.emulator,
        "system-bench-noop",
        "def lambda_handler(event, context):\n    return {}\n",
        "app.lambda_handler",
        role_arn=create_lambda_role(bench.emulator, "system-bench-noop"),
        memory_mb=LAMBDA_MEMORY_MB,
    )
    lam = bench.client("lambda")
    times: list[float] = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        answer = lam.invoke(FunctionName="system-bench-noop", Payload=b"{}")
        answer["Payload"].read()
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], statistics.median(times[1:])


# ---- 3. usage of one evaluation ---------------------------------------------------------------------------
@dataclass
class Measured:
    usage: cost.Usage
    calls: dict[str, int]  # service:operation -> count
    states: list[str]
    lambda_ms: dict[str, float]  # Lambda state -> duration
    largest_state_bytes: int = 0  # the largest input or output of any state (Step Functions caps: 256 KiB)
    largest_state_where: str = ""


def _ts(event: dict[str, Any]) -> float:
    stamp = event["timestamp"]
    return float(stamp.timestamp()) if isinstance(stamp, datetime) else float(stamp)


def measure_usage(
    bench: Bench, arn: str, calls: list[Call], counters: dict[str, int], extra_lambda_ms: list[float]
) -> Measured:
    """Transitions and Lambda durations from the execution history; DynamoDB units, metrics requested and
    publishes from the proxied calls that name the execution's cluster (another execution running meanwhile,
    such as a schedule tick's, is not this one's cost); ElastiCache calls from the emulator's counters."""
    events = bench.history(arn)
    described = bench.client("stepfunctions").describe_execution(executionArn=arn)
    cluster = json.loads(described["input"])["cluster"]
    calls = [c for c in calls if c.service == "ssm" or cluster.encode() in c.request]
    states = states_entered(events)
    durations: list[float] = list(extra_lambda_ms)
    lambda_ms: dict[str, float] = {}
    current, started = "", 0.0
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            current = event["stateEnteredEventDetails"]["name"]
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled"):  # the emulator has no *Started
            started = _ts(event)
        elif kind in ("TaskSucceeded", "TaskFailed", "LambdaFunctionSucceeded", "LambdaFunctionFailed"):
            ms = max(1.0, (_ts(event) - started) * 1000)
            durations.append(ms)
            lambda_ms[current] = lambda_ms.get(current, 0.0) + ms
    wru, rru = _dynamodb_units(bench, calls)
    counted = Counter(f"{c.service}:{c.operation}" for c in calls)
    for operation, n in counters.items():
        if not operation.startswith("__"):
            counted[f"elasticache:{operation}"] += n
    free = {k: v for k, v in counted.items() if k.startswith(("ssm:", "elasticache:"))}
    usage = cost.Usage(
        transitions=len(states),
        lambda_durations_ms=tuple(durations),
        lambda_memory_mb=LAMBDA_MEMORY_MB,
        dynamodb_wru=wru,
        dynamodb_rru=rru,
        metrics_requested=sum(_metrics_requested(c) for c in calls if c.operation == "GetMetricData"),
        sns_publishes=sum(1 for c in calls if c.service == "sns" and c.operation == "Publish"),
        free_calls=free,
    )
    return Measured(usage, dict(counted), states, lambda_ms, *largest_state_payload(events))


def _metrics_requested(call: Call) -> int:
    """MetricStat queries in one GetMetricData request (CBOR: the key is a 10-byte text string)."""
    if call.request.lstrip().startswith(b"{"):
        return len(json.loads(call.request).get("MetricDataQueries", []))
    cbor = call.request.count(b"\x6aMetricStat")
    return cbor or len(re.findall(rb"MetricDataQueries\.member\.\d+\.Id=", call.request))


def _dynamodb_units(bench: Bench, calls: list[Call]) -> tuple[float, float]:
    """WRU of every write (sized by the final item, fetched afterwards), RRU of every read (by its answer)."""
    dynamodb = bench.client("dynamodb")
    wru, rru = 0.0, 0.0
    for call in calls:
        if call.service != "dynamodb" or call.status != 200:
            continue
        request = json.loads(call.request)
        answer = json.loads(call.response or b"{}")
        if call.operation == "PutItem":
            wru += cost.write_units(cost.item_size(request["Item"]))
        elif call.operation in ("UpdateItem", "DeleteItem"):
            now = dynamodb.get_item(TableName=request["TableName"], Key=request["Key"], ConsistentRead=True)
            wru += cost.write_units(cost.item_size(now.get("Item", {})))
        elif call.operation == "GetItem":
            rru += cost.read_units(
                cost.item_size(answer.get("Item", {})), bool(request.get("ConsistentRead"))
            )
        elif call.operation == "Query":
            size = sum(cost.item_size(item) for item in answer.get("Items", []))
            rru += cost.read_units(size, bool(request.get("ConsistentRead")))
    return wru, rru


# ---- 4. the largest state payload ----------------------------------------------------------------------
STATE_LIMIT_BYTES = 256 * 1024
LARGE_GROUP = (90, 5)  # shards x replicas per shard: 540 nodes


def _large_group_state(bench: Bench) -> dict[str, list[Any]]:
    """An observe-mode evaluation of a 90 x 5 group whose 540 nodes report 30 minutes of 4 metrics: its
    largest state payload, and the size of the full observation it stored instead (the Observe output)."""
    shards, replicas = LARGE_GROUP
    group = f"bench-large-{uuid.uuid4().hex[:6]}"
    bench.create_group(group, shards=shards, replicas=replicas)
    bench.set_policy(group, {"mode": "observe", "maxShards": 500})
    bench.put_group_load(group)
    arn = bench.start({"cluster": group, "action": "evaluate"})
    described = bench.wait(arn, timeout=300)
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(f"the {shards} x {replicas} evaluation ended {described['status']}")
    events = bench.history(arn)
    observed = next(
        json.loads(e["stateExitedEventDetails"]["output"])["observed"]
        for e in events
        if e.get("stateExitedEventDetails", {}).get("name") == "Observe"
    )
    return {
        f"evaluate (observe), {shards} x {replicas}": list(largest_state_payload(events)),
        f"  its full observation, {shards} x {replicas}": [
            observed["stored"]["sizeBytes"],
            "in the observation bucket, not in the state",
        ],
    }


# ---- 2. import times --------------------------------------------------------------------------------------
IMPORT_PROBE = """
import sys, time
sys.path[:0] = [p for p in sys.argv[2:] if p]
t0 = time.perf_counter()
__import__(sys.argv[1])
print((time.perf_counter() - t0) * 1000)
"""


def import_ms(module: str, paths: list[Path], runs: int) -> float:
    """Median ms of importing `module` in a fresh isolated interpreter (no site, no .pyc written)."""
    python = str(local_stack.PYTHON_313_BIN / "python3.13")
    samples = []
    for _ in range(runs):
        result = subprocess.run(
            [python, "-I", "-S", "-B", "-c", IMPORT_PROBE, module, *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        )
        samples.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def import_times(build_dir: Path, runs: int) -> dict[str, Any]:
    layer = build_dir / "AutoscalerLayer" / "python"
    baseline = import_ms("boto3", [layer], runs)
    handlers = {
        fn: import_ms("app", [build_dir / fn, layer], runs) for fn in FUNCTIONS if (build_dir / fn).is_dir()
    }
    return {"runs": runs, "boto3_ms": baseline, "handlers_ms": handlers}


# ---- the run ----------------------------------------------------------------------------------------------
def _pctl(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(runs: int, import_runs: int, change_seconds: float, fleet: int, fleet_only: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ecas-system-bench-") as scratch:
        build_dir = Path(scratch) / "build"
        local_stack.build(build_dir=build_dir)
        if fleet_only:
            bench = start_bench(change_seconds, build_dir)
            try:
                return {"fleet_tick": run_fleet_tick(bench, count=fleet).figures()}
            finally:
                bench.emulator.stop()
        result: dict[str, Any] = {"imports": import_times(build_dir, import_runs)}
        bench = start_bench(change_seconds, build_dir)
        return _measure(bench, result, runs, change_seconds, fleet)


def _measure(
    bench: Bench, result: dict[str, Any], runs: int, change_seconds: float, fleet: int
) -> dict[str, Any]:
    try:
        result["fleet_tick"] = run_fleet_tick(bench, count=fleet).figures()
        groups = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(runs + 1)]
        alarms = {}
        for group in groups:
            bench.create_hot_group(group, mode="act")
            alarms[group] = bench.arm_alarm(group)
        paths: list[PathRun] = []
        scale_out: Measured | None = None
        for group in groups:
            path, calls, counters = alarm_to_first_call(bench, group, alarms[group])
            paths.append(path)
            if len(paths) == 2:  # the first warm run's usage: on_alarm (estimated) + the execution
                scale_out = measure_usage(
                    bench, path.execution_arn, calls, counters, [path.to_start_execution_ms]
                )
        noop_cold, noop_warm = noop_lambda_baseline(bench, runs=10)

        observe_group = f"bench-{uuid.uuid4().hex[:8]}"
        bench.create_hot_group(observe_group, mode="observe")
        evaluate: Measured | None = None
        for _ in range(2):  # the second one: warm, as the warm scale-out
            bench.emulator.reset()
            bench.recorder.take()
            arn = bench.start({"cluster": observe_group, "action": "evaluate"})
            bench.wait(arn)
            evaluate = measure_usage(bench, arn, bench.recorder.take(), bench.emulator.counters(), [])
        large = _large_group_state(bench)
    finally:
        bench.emulator.stop()
    assert scale_out is not None and evaluate is not None
    result["state_payload"] = {
        "limit_bytes": STATE_LIMIT_BYTES,
        "runs": {
            "evaluate (observe), 1 x 1": [evaluate.largest_state_bytes, evaluate.largest_state_where],
            "alarm scale-out (act), 1 x 1": [scale_out.largest_state_bytes, scale_out.largest_state_where],
            **large,
        },
    }
    warm = [p.total_ms for p in paths[1:]]
    result["latency"] = {
        "cold_ms": paths[0].total_ms,
        "warm_median_ms": statistics.median(warm),
        "warm_p90_ms": _pctl(warm, 0.9),
        "warm_runs_ms": warm,
        "warm_median_to_start_execution_ms": statistics.median(p.to_start_execution_ms for p in paths[1:]),
        "first_operation": paths[1].operation,
        "baseline_noop_invoke_cold_ms": noop_cold,
        "baseline_noop_invoke_warm_ms": noop_warm,
        "ratio_warm_median_to_noop_invoke": statistics.median(warm) / noop_warm,
        "lambda_hops_on_path": 5,
        "change_seconds": change_seconds,
    }
    # The schedule tick: one on_schedule invocation, assumed as long as on_alarm's measured path share.
    tick = cost.Usage(
        lambda_durations_ms=(scale_out.usage.lambda_durations_ms[0],), lambda_memory_mb=LAMBDA_MEMORY_MB
    )
    measured_loops = scale_out.states.count("Check")
    check_ms = scale_out.lambda_ms.get("Check", 0.0) / max(1, measured_loops)
    loops = cost.check_loops_on_aws()
    scale_out_aws = cost.with_check_loops(scale_out.usage, measured_loops, loops, check_ms)
    rows = cost.monthly_rows(evaluate.usage, scale_out_aws, tick)
    result["cost"] = {
        "per_evaluation": {
            name: {
                "states": m.states,
                "transitions": m.usage.transitions,
                "lambda_invocations": m.usage.lambda_requests,
                "lambda_ms": m.lambda_ms,
                "lambda_gb_seconds": m.usage.lambda_gb_seconds,
                "dynamodb_wru": m.usage.dynamodb_wru,
                "dynamodb_rru": m.usage.dynamodb_rru,
                "metrics_requested": m.usage.metrics_requested,
                "sns_publishes": m.usage.sns_publishes,
                "free_calls": dict(m.usage.free_calls),
                "calls": m.calls,
                "usd": cost.usage_cost(m.usage),
            }
            for name, m in (("evaluate (observe)", evaluate), ("alarm scale-out (act)", scale_out))
        },
        "scale_out_on_aws": {
            "check_loops_measured": measured_loops,
            "check_loops_assumed": loops,
            "assumed_change_minutes": cost.ASSUMED_SCALE_OUT_MINUTES,
            "check_interval_seconds": cost.CHECK_INTERVAL_SECONDS,
            "transitions": scale_out_aws.transitions,
            "lambda_invocations": scale_out_aws.lambda_requests,
            "lambda_gb_seconds": scale_out_aws.lambda_gb_seconds,
            "usd": cost.usage_cost(scale_out_aws),
        },
        "monthly": [
            {"row": r.name, "per_month": r.per_month, "lines_usd": r.lines, "usd": r.total} for r in rows
        ],
        "monthly_usd": cost.monthly_total(rows),
    }
    return result


# ---- printing ---------------------------------------------------------------------------------------------
def _table(headers: list[str], rows: list[list[str]]) -> str:
    return text_table(headers, rows)


def render_fleet(fleet: dict[str, Any]) -> str:
    out = [
        f"== 5. schedule tick over {fleet['managed_groups_in_fleet']} managed groups "
        f"(+{fleet['unmanaged_groups']} unmanaged; {fleet['groups_found']} found)"
    ]
    rows = []
    for name, key in (("first tick", "first_tick"), ("same bucket again", "second_tick_same_bucket")):
        t = fleet[key]
        calls = ", ".join(f"{op} {n}" for op, n in t["api_calls"].items())
        rows.append(
            [
                name,
                str(t["started"]),
                str(t["duplicates"]),
                str(t["failed"]),
                str(t["duration_ms"]),
                str(t["invoke_wall_ms"]),
                calls,
            ]
        )
    headers = ["tick", "started", "duplicates", "failed", "tick ms", "invoke ms", "requests sent"]
    out.append(_table(headers, rows))
    server = ", ".join(f"{op} {n}" for op, n in fleet["first_tick"]["server_calls"].items())
    out.append(f"the emulator received (first tick): {server}")
    return "\n".join(out)


def render(result: dict[str, Any]) -> str:
    if set(result) == {"fleet_tick"}:
        return render_fleet(result["fleet_tick"])
    lat, imp, cst = result["latency"], result["imports"], result["cost"]
    out = ["== 1. alarm state change -> first mutating ElastiCache call (waits off)"]
    out.append(
        _table(
            ["measure", "ms", "x no-op invoke"],
            [
                [
                    "cold (first after deploy)",
                    f"{lat['cold_ms']:.0f}",
                    f"{lat['cold_ms'] / lat['baseline_noop_invoke_warm_ms']:.1f}",
                ],
                [
                    f"warm median ({len(lat['warm_runs_ms'])} runs)",
                    f"{lat['warm_median_ms']:.0f}",
                    f"{lat['ratio_warm_median_to_noop_invoke']:.1f}",
                ],
                [
                    "warm p90",
                    f"{lat['warm_p90_ms']:.0f}",
                    f"{lat['warm_p90_ms'] / lat['baseline_noop_invoke_warm_ms']:.1f}",
                ],
                ["  of which alarm -> StartExecution", f"{lat['warm_median_to_start_execution_ms']:.0f}", ""],
                [
                    "baseline: no-op Lambda invoke, warm median",
                    f"{lat['baseline_noop_invoke_warm_ms']:.1f}",
                    "1.0",
                ],
                ["baseline: no-op Lambda invoke, cold", f"{lat['baseline_noop_invoke_cold_ms']:.0f}", ""],
            ],
        )
    )
    out.append(f"first call: {lat['first_operation']}; {lat['lambda_hops_on_path']} Lambda hops on the path")
    out.append(
        f"\n== 2. handler import time (python3.13 -I -S, function + layer only, median of {imp['runs']})"
    )
    base = imp["boto3_ms"]
    rows = [[fn, f"{ms:.0f}", f"{ms / base:.2f}"] for fn, ms in imp["handlers_ms"].items()]
    rows.append(["baseline: import boto3", f"{base:.0f}", "1.00"])
    out.append(_table(["function", "ms", "x boto3"], rows))
    out.append("\n== 3. own AWS cost per managed cluster (us-east-1 list prices, no free tier)")
    rows = []
    for name, ev in cst["per_evaluation"].items():
        rows.append(
            [
                name,
                str(ev["transitions"]),
                str(ev["lambda_invocations"]),
                f"{ev['lambda_gb_seconds']:.3f}",
                f"{ev['dynamodb_wru']:g}/{ev['dynamodb_rru']:g}",
                str(ev["metrics_requested"]),
                str(ev["sns_publishes"]),
                str(sum(ev["free_calls"].values())),
                f"{ev['usd'] * 1e6:.1f}",
            ]
        )
    out.append(
        _table(
            [
                "per evaluation",
                "transitions",
                "invokes",
                "GB-s",
                "WRU/RRU",
                "metrics",
                "SNS",
                "free calls",
                "micro-USD",
            ],
            rows,
        )
    )
    aws = cst["scale_out_on_aws"]
    out.append(
        f"scale-out on AWS: {aws['check_loops_assumed']} check rounds "
        f"(a {aws['assumed_change_minutes']}-minute change, checked every {aws['check_interval_seconds']} s; "
        f"the emulator took {aws['check_loops_measured']}): {aws['transitions']} transitions, "
        f"{aws['lambda_invocations']} invokes, "
        f"{aws['lambda_gb_seconds']:.3f} GB-s, {aws['usd'] * 1e6:.1f} micro-USD"
    )
    services = list(cst["monthly"][0]["lines_usd"])
    rows = [
        [m["row"], f"{m['per_month']:g}", *(f"{m['lines_usd'][s]:.4f}" for s in services), f"{m['usd']:.4f}"]
        for m in cst["monthly"]
    ]
    totals = [sum(m["lines_usd"][s] for m in cst["monthly"]) for s in services]
    rows.append(["total per month", "", *(f"{t:.4f}" for t in totals), f"{cst['monthly_usd']:.4f}"])
    out.append("")
    out.append(_table(["month (USD)", "count", *services, "total"], rows))
    payload = result["state_payload"]
    out.append(
        f"\n== 4. largest state payload (input or output of any state; Step Functions caps it at "
        f"{payload['limit_bytes'] // 1024} KiB)"
    )
    rows = [
        [name, f"{size / 1024:.1f}", f"{100 * size / payload['limit_bytes']:.1f}", where]
        for name, (size, where) in payload["runs"].items()
    ]
    out.append(_table(["run", "KiB", "% of cap", "where"], rows))
    out.append("\n" + render_fleet(result["fleet_tick"]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.system_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm alarm runs after the cold one (default 5)")
    parser.add_argument("--import-runs", type=int, default=3, help="interpreters per import measurement")
    parser.add_argument(
        "--change-seconds", type=float, default=0.2, help="EMULATOR_ELASTICACHE_CHANGE_SECONDS"
    )
    parser.add_argument("--fleet", type=int, default=500, help="fleet tick: managed groups")
    parser.add_argument("--fleet-only", action="store_true", help="measure the fleet tick (section 5) alone")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.runs, args.import_runs, args.change_seconds, args.fleet, args.fleet_only)
    print(json.dumps(result, indent=2, default=str) if args.json else render(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
