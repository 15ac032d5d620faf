"""The state machine is code: its graph, its substitutions and the paths it reads must agree with the
template and the steps' output models (cfn-lint does not check any of this)."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from elasticache_autoscaler.models.workflow import (
    ActResult,
    CheckResult,
    Decided,
    LockResult,
    Observation,
)

ROOT = Path(__file__).resolve().parents[2]
ASL = json.loads((ROOT / "statemachine" / "scaling.asl.json").read_text())
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


class _Loader(yaml.SafeLoader):
    pass


def _any_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _any_tag)
TEMPLATE = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)


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


def _model_has(model: type[BaseModel], parts: list[str]) -> bool:
    current: Any = model
    for part in parts:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return False
        by_alias = {(f.alias or name): f for name, f in current.model_fields.items()}
        if part not in by_alias:
            return False
        annotation = by_alias[part].annotation
        args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
        current = args[0] if args else annotation
    return True


def test_every_transition_targets_an_existing_state() -> None:
    assert ASL["StartAt"] in STATES
    for name, state in STATES.items():
        for target in _targets(state):
            assert target in STATES, f"{name} -> {target} does not exist"


def test_every_state_is_reachable_from_the_start() -> None:
    seen, todo = set(), [ASL["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _targets(STATES[name])
    assert seen == set(STATES), f"unreachable: {set(STATES) - seen}"


def test_every_non_terminal_state_has_a_way_out() -> None:
    for name, state in STATES.items():
        if state["Type"] not in {"Succeed", "Fail"}:
            assert _targets(state) or state.get("End"), name


@pytest.mark.parametrize("name", [n for n, s in STATES.items() if s["Type"] == "Task"])
def test_every_task_has_a_timeout_a_retry_and_a_catch(name: str) -> None:
    state = STATES[name]
    assert state.get("TimeoutSeconds", 0) > 0 or state.get("TimeoutSecondsPath", "").startswith("$.")
    assert state.get("Retry"), "no Retry"
    assert any("States.ALL" in c["ErrorEquals"] for c in state.get("Catch", [])), "no Catch of States.ALL"


def test_substitutions_match_the_template_both_ways() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", json.dumps(ASL)))
    machine = TEMPLATE["Resources"]["ScalingStateMachine"]["Properties"]
    assert used == set(machine["DefinitionSubstitutions"])


def test_every_path_read_is_produced_by_an_earlier_step() -> None:
    for name, state in STATES.items():
        # A ResultSelector reads the task's result, not the state's input.
        for path in _paths({k: v for k, v in state.items() if k != "ResultSelector"}):
            parts = path.split(".")[1:]
            root = f"$.{parts[0]}"
            assert root in PRODUCED, f"{name} reads {path}: nothing writes {root}"
            model = PRODUCED[root]
            if model is not None and len(parts) > 1:
                assert _model_has(model, parts[1:]), (
                    f"{name} reads {path}: {model.__name__} has no such field"
                )


def test_every_result_path_is_known() -> None:
    for name, state in STATES.items():
        if "ResultPath" in state and state["ResultPath"] is not None:
            assert state["ResultPath"] in PRODUCED, name
        for catch in state.get("Catch", []):
            assert catch["ResultPath"] in PRODUCED, name


def test_execution_data_is_not_logged() -> None:
    logging = TEMPLATE["Resources"]["ScalingStateMachine"]["Properties"]["Logging"]
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
        if not str(target).endswith(".Arn") or "Function" not in str(target):
            continue
        function = resources[str(target).removesuffix(".Arn")]["Properties"]
        assert state["TimeoutSeconds"] > function.get("Timeout", default), name
        checked += 1
    assert checked >= 10
