"""The state machine is code: its graph, its substitutions and the paths it reads must agree with the
template and the steps' output models (cfn-lint does not check any of this)."""

import json
import re
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel
from samcli.yamlhelper import yaml_parse

from elasticache_autoscaler.models.act import ActResult
from elasticache_autoscaler.models.check import CheckResult
from elasticache_autoscaler.models.lock import LockResult
from elasticache_autoscaler.models.rotation import (
    ApplyResult,
    FinalizeResult,
    PromoteResult,
    RotationCheckResult,
    RotationPlan,
    StageResult,
    VerifyResult,
)
from elasticache_autoscaler.models.workflow import Decided, Observation

ROOT = Path(__file__).resolve().parents[2]
# The template's intrinsic tags (!GetAtt, !Ref, ...) read the way `sam` reads them.
TEMPLATE: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
# Each state machine definition, by the template resource that deploys it.
MACHINES: dict[str, dict[str, Any]] = {
    "ScalingStateMachine": json.loads((ROOT / "statemachine" / "scaling.asl.json").read_text()),
    "RotationStateMachine": json.loads((ROOT / "statemachine" / "rotation.asl.json").read_text()),
}
ASL = MACHINES["ScalingStateMachine"]
STATES: dict[str, dict[str, Any]] = ASL["States"]

# What each ResultPath holds: the output model of the step that writes it.
PRODUCED: dict[str, type[BaseModel] | None] = {
    "$.observed": Observation,
    "$.decided": Decided,
    "$.lock": LockResult,
    "$.acted": ActResult,
    "$.checked": CheckResult,
    "$.rotated": None,  # the rotation workflow's output, shaped by the Rotate state's ResultSelector
    "$.recorded": None,
    "$.released": None,
    "$.error": None,
    "$.recordError": None,
    "$.renewError": None,
    "$.releaseError": None,
    "$.approval": None,
}
ROTATION_PRODUCED: dict[str, type[BaseModel] | None] = {
    "$.plan": RotationPlan,
    "$.staged": StageResult,
    "$.applied": ApplyResult,
    "$.checked": RotationCheckResult,
    "$.verified": VerifyResult,
    "$.promoted": PromoteResult,
    "$.finalized": FinalizeResult,
    "$.error": None,
}
PRODUCED_BY = {"ScalingStateMachine": PRODUCED, "RotationStateMachine": ROTATION_PRODUCED}

# The Retry entry every Lambda-backed Task carries for the Lambda service's own transient errors.
LAMBDA_SERVICE_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
LAMBDA_RETRY = {
    "ErrorEquals": LAMBDA_SERVICE_ERRORS,
    "IntervalSeconds": 2,
    "MaxAttempts": 3,
    "BackoffRate": 2,
    "JitterStrategy": "FULL",
}
# The deliberate differences, (machine, state) -> errors the Lambda entry retries besides the service's.
# Check and CheckQuiescent only read, and the lock steps are idempotent: a Lambda that timed out (the
# Task's States.Timeout, the sandbox's
# Sandbox.Timedout) is retried like a service error. Act's timeouts have an entry of their own (a longer
# backoff, the retried Act re-reads before it calls), so its Lambda entry stays the common one.
LAMBDA_RETRY_EXTRA: dict[tuple[str, str], list[str]] = {
    ("ScalingStateMachine", "Check"): ["States.Timeout", "Sandbox.Timedout"],
    ("ScalingStateMachine", "CheckQuiescent"): ["States.Timeout", "Sandbox.Timedout"],
    # The lock steps are idempotent (acquire or renew our own lease, release only our own): a slow start of
    # the function (seen on the emulator under load) is retried rather than failing the execution.
    **{
        ("ScalingStateMachine", lock): ["States.Timeout", "Sandbox.Timedout"]
        for lock in (
            "AcquireLock",
            "RenewLock",
            "RenewLockWhileBusy",
            "ReleaseLock",
            "ReleaseLockAfterFailure",
        )
    },
}
# Tasks that are not a Lambda invocation, and their whole Retry: Rotate starts the rotation workflow and
# waits for it (.sync); only Step Functions' execution limit is transient there.
NOT_LAMBDA_RETRY: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("ScalingStateMachine", "Rotate"): [
        {
            "ErrorEquals": ["StepFunctions.ExecutionLimitExceeded"],
            "IntervalSeconds": 5,
            "MaxAttempts": 3,
            "BackoffRate": 2,
            "JitterStrategy": "FULL",
        }
    ],
}
# ARNs a state may name literally: the Step Functions service integrations (not resources of ours).
SERVICE_INTEGRATIONS = {
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::states:startExecution.sync:2",
}


def _tasks(machine: str) -> list[tuple[str, str]]:
    return [(machine, n) for n, s in MACHINES[machine]["States"].items() if s["Type"] == "Task"]


ALL_TASKS = [task for machine in MACHINES for task in _tasks(machine)]


def _targets(state: dict[str, Any]) -> list[str]:
    targets = [state[k] for k in ("Next", "Default") if k in state]
    targets += [c["Next"] for c in state.get("Choices", [])]
    targets += [c["Next"] for c in state.get("Catch", [])]
    return targets


def _paths(value: object) -> list[str]:
    """Every JSONPath a state reads from its input (not the context object $$)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith(".$") or key in {
                "Variable",
                "SecondsPath",
                "InputPath",
                "ErrorPath",
                "CausePath",
            }:
                found += re.findall(r"(?<!\$)\$\.[A-Za-z0-9_.]+", str(inner))
            else:
                found += _paths(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _paths(inner)
    return found


def _members(annotation: Any) -> list[Any]:
    """The models an annotation can hold: a union's members (None left out), a kind union's (``Annotated``
    members unwrapped), or the annotation itself."""
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in {Union, UnionType}:
        return [m for a in args for m in _members(a)]
    return _members(args[0]) if args else [annotation]


def _model_has(model: Any, parts: list[str]) -> bool:
    """Some model the path can reach has the field (the fields every kind must have are checked in
    ``tests/unit/kinds/test_registry.py``)."""
    if not parts:
        return True
    for current in _members(model):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        by_alias = {(f.alias or name): f for name, f in current.model_fields.items()}
        if parts[0] in by_alias and _model_has(by_alias[parts[0]].annotation, parts[1:]):
            return True
    return False


def _invokes_lambda(state: dict[str, Any]) -> bool:
    resource = str(state["Resource"])
    return resource.endswith("FunctionArn}") or resource.startswith("arn:aws:states:::lambda:invoke")


@pytest.mark.parametrize("machine", MACHINES)
def test_every_transition_targets_an_existing_state(machine: str) -> None:
    states = MACHINES[machine]["States"]
    assert MACHINES[machine]["StartAt"] in states
    for name, state in states.items():
        assert state["Type"] not in {"Parallel", "Map"}, f"{name}: nested states are not walked here"
        for target in _targets(state):
            assert target in states, f"{name} -> {target} does not exist"


@pytest.mark.parametrize("machine", MACHINES)
def test_every_state_is_reachable_from_the_start(machine: str) -> None:
    states = MACHINES[machine]["States"]
    seen: set[str] = set()
    todo = [MACHINES[machine]["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _targets(states[name])
    assert seen == set(states), f"unreachable: {set(states) - seen}"


@pytest.mark.parametrize("machine", MACHINES)
def test_every_non_terminal_state_has_a_way_out(machine: str) -> None:
    for name, state in MACHINES[machine]["States"].items():
        if state["Type"] not in {"Succeed", "Fail"}:
            assert _targets(state) or state.get("End"), name


@pytest.mark.parametrize(("machine", "name"), ALL_TASKS)
def test_every_task_has_a_timeout_a_retry_and_a_catch(machine: str, name: str) -> None:
    state = MACHINES[machine]["States"][name]
    assert state.get("TimeoutSeconds", 0) > 0 or state.get("TimeoutSecondsPath", "").startswith("$.")
    assert state.get("Retry"), "no Retry"
    assert any("States.ALL" in c["ErrorEquals"] for c in state.get("Catch", [])), "no Catch of States.ALL"


@pytest.mark.parametrize(("machine", "name"), ALL_TASKS)
def test_every_task_retries_lambda_service_errors_with_the_same_block(machine: str, name: str) -> None:
    """One Retry entry for the Lambda service's errors, identical everywhere but where LAMBDA_RETRY_EXTRA
    says why; a Task that is not a Lambda has the whole Retry NOT_LAMBDA_RETRY records for it."""
    state = MACHINES[machine]["States"][name]
    if not _invokes_lambda(state):
        assert state["Retry"] == NOT_LAMBDA_RETRY.get((machine, name)), f"{name}: undocumented Retry"
        return
    entries = [r for r in state["Retry"] if set(r["ErrorEquals"]) & set(LAMBDA_SERVICE_ERRORS)]
    assert len(entries) == 1, f"{name}: the Lambda service errors are split over {len(entries)} entries"
    expected = {
        **LAMBDA_RETRY,
        "ErrorEquals": LAMBDA_SERVICE_ERRORS + LAMBDA_RETRY_EXTRA.get((machine, name), []),
    }
    assert entries[0] == expected, f"{name}: not the common Lambda Retry block (or an undocumented change)"
    # Entries before it (domain errors with their own backoff) must not catch every error first.
    assert all("States.ALL" not in r["ErrorEquals"] for r in state["Retry"]), name


def test_the_documented_retry_differences_are_all_still_real() -> None:
    """A stale entry in LAMBDA_RETRY_EXTRA or NOT_LAMBDA_RETRY fails here: each names an existing Task."""
    for machine, name in [*LAMBDA_RETRY_EXTRA, *NOT_LAMBDA_RETRY]:
        assert (machine, name) in ALL_TASKS, f"{machine}.{name} is not a Task"
    for machine, name in NOT_LAMBDA_RETRY:
        assert not _invokes_lambda(MACHINES[machine]["States"][name]), name


def _arns(value: object) -> list[str]:
    """Every string in a state that is, or stands for, an ARN: Resource, *Arn and FunctionName values."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, str) and (key in {"Resource", "FunctionName"} or key.endswith("Arn")):
                found.append(inner)
            else:
                found += _arns(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _arns(inner)
    return found


@pytest.mark.parametrize("machine", MACHINES)
def test_every_arn_is_a_substitution_or_a_service_integration(machine: str) -> None:
    for name, state in MACHINES[machine]["States"].items():
        for arn in _arns(state):
            assert re.fullmatch(r"\$\{\w+\}", arn) or arn in SERVICE_INTEGRATIONS, f"{name}: {arn}"


@pytest.mark.parametrize("machine", MACHINES)
def test_substitutions_match_the_template_both_ways(machine: str) -> None:
    used = set(re.findall(r"\$\{(\w+)\}", json.dumps(MACHINES[machine])))
    properties = TEMPLATE["Resources"][machine]["Properties"]
    assert used == set(properties["DefinitionSubstitutions"])
    for key, value in properties["DefinitionSubstitutions"].items():
        # Each ARN is the template's own resource, never a literal pasted in.
        (function,) = value
        assert function in {"Fn::GetAtt", "Ref"}, key
        target = value[function][0] if function == "Fn::GetAtt" else value[function]
        assert target in TEMPLATE["Resources"], key


@pytest.mark.parametrize("machine", MACHINES)
def test_every_path_read_is_produced_by_an_earlier_step(machine: str) -> None:
    produced = PRODUCED_BY[machine]
    for name, state in MACHINES[machine]["States"].items():
        # A ResultSelector reads the task's result, not the state's input.
        for path in _paths({k: v for k, v in state.items() if k != "ResultSelector"}):
            parts = path.split(".")[1:]
            root = f"$.{parts[0]}"
            assert root in produced, f"{name} reads {path}: nothing writes {root}"
            model = produced[root]
            if model is not None and len(parts) > 1:
                assert _model_has(model, parts[1:]), (
                    f"{name} reads {path}: {model.__name__} has no such field"
                )


@pytest.mark.parametrize("machine", MACHINES)
def test_every_result_path_is_known(machine: str) -> None:
    produced = PRODUCED_BY[machine]
    for name, state in MACHINES[machine]["States"].items():
        if "ResultPath" in state and state["ResultPath"] is not None:
            assert state["ResultPath"] in produced, name
        for catch in state.get("Catch", []):
            assert catch["ResultPath"] in produced, name


@pytest.mark.parametrize("machine", MACHINES)
def test_execution_data_is_not_logged(machine: str) -> None:
    logging = TEMPLATE["Resources"][machine]["Properties"]["Logging"]
    assert logging["IncludeExecutionData"] is False


def _reachable(start: str, stop: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in stop:
            todo += _targets(STATES[name])
    return seen


def _lock_op(name: str) -> str | None:
    state = STATES[name]
    if state.get("Resource") != "${LockFunctionArn}":
        return None
    return str(state["Parameters"]["op"])


def test_finding4_the_lock_is_released_by_the_lock_step_only_after_the_outcome() -> None:
    """One owner: only the two Release states (op release of the lock function) give the lock back, each
    right after an outcome or a failure was recorded."""
    releases = {n for n in STATES if _lock_op(n) == "release"}
    assert releases == {"ReleaseLock", "ReleaseLockAfterFailure"}
    for name, state in STATES.items():
        if state.get("Next") in releases:
            assert state.get("Resource") == "${RecordFunctionArn}", f"{name} releases before recording"


def test_finding4_every_way_from_act_to_the_end_settles_the_lock() -> None:
    """From Act, no path reaches Done without releasing, except after a timed-out change whose group stays
    busy beyond a second timeout (the lock then stays with its lease: nothing may start over a change)."""
    ends = {"Done", "Failed", "ReleaseLock", "ReleaseLockAfterFailure"}
    seen, todo = set(), [("Act", False)]
    while todo:
        name, timed_out = todo.pop()
        if (name, timed_out) in seen:
            continue
        seen.add((name, timed_out))
        if name in {"ReleaseLock", "ReleaseLockAfterFailure"}:
            continue
        if name == "Done":
            assert timed_out, "Act reaches Done without releasing the lock"
            continue
        if name in ends:
            raise AssertionError(f"Act reaches {name} without releasing the lock")
        for target in _targets(STATES[name]):
            todo.append((target, timed_out or name == "ActionTimedOut"))


def test_finding4_the_lock_is_renewed_while_a_change_runs() -> None:
    loop = _reachable(
        "WaitForChange", {"RecordSuccess", "ActionTimedOut", "ActionAbandoned", "RecordFailure"}
    )
    assert "RenewLock" in loop
    assert _lock_op("RenewLock") == "renew"
    assert STATES["RenewLock"]["Parameters"]["leaseSeconds.$"] == "$.observed.policy.actionTimeoutSeconds"
    assert STATES["AcquireLock"]["Parameters"]["leaseSeconds.$"] == "$.observed.policy.actionTimeoutSeconds"
    wait = _reachable("WaitUntilQuiescent", {"ReleaseLock", "Done"})
    assert "RenewLockWhileBusy" in wait


def test_finding3_a_rotation_is_gated_by_the_guard_recheck() -> None:
    assert STATES["IsRotation"]["Choices"][0]["Next"] == "GuardRotation"
    assert STATES["GuardRotation"]["Parameters"]["checkOnly"] is True
    assert STATES["RotationAllowed"]["Default"] == "Rotate"


def test_finding3_a_skip_at_the_moment_of_acting_is_recorded_and_never_a_failure() -> None:
    assert STATES["Act"]["Next"] == "ActSkipped"
    choice = STATES["ActSkipped"]["Choices"][0]
    assert (choice["Variable"], choice["Next"]) == ("$.acted.skipped", "RecordActSkipped")
    assert STATES["RecordActSkipped"]["Parameters"]["outcome"] == "act_skipped"
    assert STATES["RecordActSkipped"]["Next"] == "ReleaseLock"


def test_finding5_act_retries_without_resending_and_check_survives_transient_reads() -> None:
    retried = {e for r in STATES["Act"]["Retry"] for e in r["ErrorEquals"]}
    # A Lambda that times out after its call was sent (Sandbox.Timedout, or the Task's own States.Timeout)
    # is retried like a lost answer: the retried Act re-reads and finds the change, it never calls again.
    assert {
        "GroupBusyError",
        "ThrottledError",
        "CallOutcomeUnknownError",
        "States.Timeout",
        "Sandbox.Timedout",
    } <= retried
    catches = {e: c["Next"] for c in STATES["Act"]["Catch"] for e in c["ErrorEquals"]}
    assert catches["ThrottledError"] == "RecordThrottled"
    for check in ("Check", "CheckQuiescent"):
        assert {"States.Timeout", "Sandbox.Timedout"} <= {
            e for r in STATES[check]["Retry"] for e in r["ErrorEquals"]
        }
    assert STATES["ActionTimedOut"]["Parameters"]["outcome"] == "timed_out"
    assert STATES["ActionTimedOut"]["Next"] == "WaitUntilQuiescent"


def test_outcomes_not_statuses_are_passed_to_the_record_step() -> None:
    """workflow.outcomes owns status and reason; the state machine names what happened."""
    from elasticache_autoscaler.workflow import outcomes

    for name, state in STATES.items():
        params = state.get("Parameters", {})
        if state.get("Resource") == "${RecordFunctionArn}" and params.get("op") == "outcome":
            assert "status" not in params and "reason" not in params, name
            outcomes.settle(params["outcome"], "detail")


def test_every_lambda_task_waits_longer_than_its_function_may_run() -> None:
    """A Task's TimeoutSeconds above its function's own Timeout: a slow function ends as the function's
    Sandbox.Timedout (retried where safe), never as the state's States.Timeout while the function still runs
    on (a second attempt could then overlap the first)."""
    resources = TEMPLATE["Resources"]
    default = TEMPLATE["Globals"]["Function"]["Timeout"]
    substitutions = resources["ScalingStateMachine"]["Properties"]["DefinitionSubstitutions"]
    checked = 0
    for name, state in STATES.items():
        resource = state.get("Resource", "")
        if state["Type"] != "Task" or not resource.startswith("${"):
            continue
        target = substitutions[resource[2:-1]]
        logical, _ = target.get("Fn::GetAtt", ("", "")) if isinstance(target, dict) else ("", "")
        if resources.get(logical, {}).get("Type") != "AWS::Serverless::Function":
            continue
        function = resources[logical]["Properties"]
        assert state["TimeoutSeconds"] > function.get("Timeout", default), name
        checked += 1
    assert checked >= 10
