"""Issue 15, cold starts: what importing a handler loads, in a fresh interpreter (tools/system_bench.py
measures the time on the built artifacts). Wiring builds adapters on demand, so a function loads only its
own; tracing that is off loads no X-Ray SDK; rarely used or heavy packages wait for their first use."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "autoscaler"
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
PROBE = """
import importlib.util, json, sys
sys.path[:0] = [sys.argv[1]]
for target in sys.argv[2:]:
    if target.endswith(".py"):  # a handler, under a name of its own (each is a module named app)
        spec = importlib.util.spec_from_file_location("handler_" + target.split("/")[-2], target)
        sys.modules[spec.name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        __import__(target)
from elasticache_autoscaler import observability
print(json.dumps({"modules": sorted(sys.modules), "tracers": observability._tracer.cache_info().currsize}))
"""
# What every cold start may skip: the X-Ray SDK (tracing off), Powertools' parser package, redis-py (one
# rotation step logs in), and the simulator/plotting stack.
NEVER_WHEN_TRACING_IS_OFF = ("aws_xray_sdk", "aws_lambda_powertools.utilities.parser", "redis", "matplotlib")


def _imports(*targets: str, **environment: str) -> dict[str, object]:
    """What importing ``targets`` (modules, or handlers' app.py) loads in a fresh interpreter."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "us-east-1", **environment}
    result = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(LAYER), *targets],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def _modules(*targets: str, **environment: str) -> list[str]:
    modules = _imports(*targets, **environment)["modules"]
    assert isinstance(modules, list)
    return modules


def _app(function: str) -> str:
    return str(ROOT / "functions" / function / "app.py")


def test_no_cold_start_with_tracing_off_loads_x_ray_the_parser_or_redis() -> None:
    """Every handler, imported in one interpreter: none of them loads any of these."""
    modules = _modules(*map(_app, FUNCTIONS))
    assert {f"handler_{function}" for function in FUNCTIONS} <= set(modules)
    assert [m for m in modules if m.startswith(NEVER_WHEN_TRACING_IS_OFF)] == []


def test_wiring_alone_loads_no_adapter_and_no_workflow_step() -> None:
    modules = _modules("elasticache_autoscaler.wiring")
    eager = [
        m
        for m in modules
        if m.startswith(("elasticache_autoscaler.adapters", "elasticache_autoscaler.workflow"))
    ]
    assert eager == []
    assert "boto3" not in modules


def test_the_lock_loads_only_the_state_table_adapter() -> None:
    modules = _modules(_app("lock"))
    adapters = {m for m in modules if m.startswith("elasticache_autoscaler.adapters.")}
    assert adapters == {"elasticache_autoscaler.adapters.aws", "elasticache_autoscaler.adapters.state_table"}
    assert [m for m in modules if m.startswith("elasticache_autoscaler.engine")] == []


def test_tracing_on_in_lambda_traces_the_handler_with_powertools() -> None:
    traced = _imports(_app("lock"), LAMBDA_TASK_ROOT=str(ROOT / "functions" / "lock"))
    assert traced["tracers"] == 1
    assert "aws_xray_sdk.core" in _as_list(traced["modules"])


def test_powertools_trace_disabled_turns_it_off_in_lambda() -> None:
    off = _imports(
        _app("lock"), LAMBDA_TASK_ROOT=str(ROOT / "functions" / "lock"), POWERTOOLS_TRACE_DISABLED="true"
    )
    assert off["tracers"] == 0
    assert [m for m in _as_list(off["modules"]) if m.startswith("aws_xray_sdk")] == []


def _as_list(value: object) -> list[str]:
    assert isinstance(value, list)
    return value


# The kinds' policy and snapshot models, the workflow state that carries them and the decision engine:
# the lock, record and approval steps never validate a policy or a snapshot, nor decide.
POLICY_SNAPSHOT_OR_ENGINE = (
    "elasticache_autoscaler.models.any_kind",
    "elasticache_autoscaler.models.workflow",
    "elasticache_autoscaler.models.policy",
    "elasticache_autoscaler.models.kind_policy",
    "elasticache_autoscaler.models.kind_snapshot",
    "elasticache_autoscaler.engine",
)


def test_the_lock_record_and_approval_build_no_policy_or_snapshot_model_and_no_engine() -> None:
    for function in ("lock", "record", "approval"):
        modules = _modules(_app(function))
        assert [m for m in modules if m.startswith(POLICY_SNAPSHOT_OR_ENGINE)] == [], function


def test_the_lock_builds_no_decision_record_and_no_other_kind_model() -> None:
    """A lock request carries a record's key, never the record (its capacities of every kind)."""
    modules = set(_modules(_app("lock")))
    assert "elasticache_autoscaler.models.record" in modules
    assert not modules & {
        "elasticache_autoscaler.models.decision_record",
        "elasticache_autoscaler.models.any_decision",
        "elasticache_autoscaler.models.kind_decision",
        "elasticache_autoscaler.models.memcached",
        "elasticache_autoscaler.models.serverless",
    }


def test_deciding_for_a_replication_group_loads_no_other_step_and_no_other_kind() -> None:
    """Decide's first call asks the kinds registry for a replication group's rules: that loads neither the
    Observe, Act, Check or trigger steps (and their adapters) nor the Memcached and Serverless kinds, nor
    the other steps' request models."""
    probe = (
        "import json, sys\n"
        "sys.path[:0] = [sys.argv[1]]\n"
        "import elasticache_autoscaler.workflow.decide_step\n"
        "from elasticache_autoscaler.kinds.registry import rules_for\n"
        "from elasticache_autoscaler.models.cache_kind import CacheKind\n"
        "assert rules_for(CacheKind.REPLICATION_GROUP).kind == CacheKind.REPLICATION_GROUP\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(LAYER)], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    modules = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "elasticache_autoscaler.kinds.replication_group" in modules
    steps = {
        f"elasticache_autoscaler.workflow.{step}"
        for step in ("observe", "act_step", "check_step", "triggers")
    }
    kinds = {f"elasticache_autoscaler.kinds.{kind}" for kind in ("memcached", "serverless", "acting")}
    models = {
        f"elasticache_autoscaler.models.{m}" for m in ("act", "check", "lock", "approval", "record_request")
    }
    assert not modules & (steps | kinds | models)
