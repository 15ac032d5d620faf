"""Issue 15: each function validates the environment variables it reads, and only those. A missing or empty
variable fails naming it (never echoing a value); the template sets every variable each function validates."""

from typing import Any, get_type_hints

import pytest
from samcli.yamlhelper import yaml_parse

from elasticache_autoscaler import wiring
from elasticache_autoscaler.settings import (
    ActSettings,
    ApprovalSettings,
    DecideSettings,
    ExecutionEndSettings,
    LockSettings,
    ObserveSettings,
    OnAlarmSettings,
    OnScheduleSettings,
    ReconcileSettings,
    RecordSettings,
    RotateSettings,
    SettingsError,
    from_environment,
)
from tools.local_stack import REPO_ROOT

# What each function of the template reads from its environment (CheckFunction: nothing).
READS: dict[str, tuple[type[Any] | None, set[str]]] = {
    "OnAlarmFunction": (OnAlarmSettings, {"STATE_MACHINE_ARN", "ALARM_PREFIX", "MANAGED_TAG_KEY"}),
    "OnScheduleFunction": (
        OnScheduleSettings,
        {"STATE_MACHINE_ARN", "MANAGED_TAG_KEY", "SCHEDULE_BUCKET_MINUTES"},
    ),
    "ReconcileFunction": (
        ReconcileSettings,
        {"STATE_MACHINE_ARN", "ALARM_PREFIX", "MANAGED_TAG_KEY", "POLICY_PREFIX", "ALARM_OWNER"},
    ),
    "ObserveFunction": (
        ObserveSettings,
        {
            "DECISION_TABLE",
            "STATE_TABLE",
            "POLICY_PREFIX",
            "MANAGED_TAG_KEY",
            "PAUSED_TAG_KEY",
            "OBSERVATION_BUCKET",
        },
    ),
    "DecideFunction": (DecideSettings, {"DECISION_TABLE", "DECISION_RETENTION_DAYS", "OBSERVATION_BUCKET"}),
    "LockFunction": (LockSettings, {"STATE_TABLE", "LOCK_LEASE_SECONDS"}),
    "ActFunction": (
        ActSettings,
        {"DECISION_TABLE", "STATE_TABLE", "MANAGED_TAG_KEY", "PAUSED_TAG_KEY", "LOCK_LEASE_SECONDS"},
    ),
    "CheckFunction": (None, set()),
    "RecordFunction": (
        RecordSettings,
        {"DECISION_TABLE", "STATE_TABLE", "DECISION_RETENTION_DAYS", "NOTIFICATION_TOPIC_ARN"},
    ),
    "OnExecutionEndFunction": (ExecutionEndSettings, {"DECISION_TABLE", "STATE_TABLE"}),
    "ApprovalFunction": (ApprovalSettings, {"NOTIFICATION_TOPIC_ARN"}),
    "RotateFunction": (
        RotateSettings,
        {"POLICY_PREFIX", "STACK_NAME", "SECRETS_KMS_KEY_ID", "VERIFY_TLS"},
    ),
}
MODELS = [model for model, _ in READS.values() if model is not None]
VALID = {
    "DECISION_TABLE": "decisions",
    "STATE_TABLE": "state",
    "POLICY_PREFIX": "/elasticache-autoscaler/test",
    "MANAGED_TAG_KEY": "elasticache-autoscaler:managed",
    "PAUSED_TAG_KEY": "elasticache-autoscaler:paused",
    "ALARM_PREFIX": "ecas-",
    "ALARM_OWNER": "stack",
    "SCHEDULE_BUCKET_MINUTES": "5",
    "DECISION_RETENTION_DAYS": "90",
    "LOCK_LEASE_SECONDS": "7200",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:notes",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:scaling",
    "OBSERVATION_BUCKET": "observations",
    "STACK_NAME": "stack",
    "SECRETS_KMS_KEY_ID": "arn:aws:kms:us-east-1:123456789012:key/k",
    "VERIFY_TLS": "auto",
}


def _variables(model: type[Any]) -> set[str]:
    required: frozenset[str] = model.__required_keys__
    assert required == set(get_type_hints(model)), f"{model.__name__}: every variable is required"
    return set(required)


def _strings(model: type[Any]) -> list[str]:
    hints = get_type_hints(model, include_extras=True)
    return sorted(name for name, hint in hints.items() if str in (hint, getattr(hint, "__origin__", None)))


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding none of the functions' variables: each test sets those it means to."""
    for variable in VALID:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def _set(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)


@pytest.mark.parametrize("function", sorted(READS))
def test_each_function_validates_the_variables_it_reads_and_no_other(function: str) -> None:
    model, reads = READS[function]
    assert (_variables(model) if model else set()) == reads


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_function_s_settings_do_not_need_another_function_s_variables(
    environment: pytest.MonkeyPatch, model: type[Any]
) -> None:
    _set(environment, {variable: VALID[variable] for variable in _variables(model)})
    environment.setenv("SOME_OTHER_VARIABLE", "ignored")
    assert from_environment(model).keys() == _variables(model)


def test_the_lock_needs_neither_the_decision_table_nor_the_state_machine(
    environment: pytest.MonkeyPatch,
) -> None:
    _set(environment, {"STATE_TABLE": "state", "LOCK_LEASE_SECONDS": "120"})
    assert from_environment(LockSettings) == {"STATE_TABLE": "state", "LOCK_LEASE_SECONDS": 120}
    with pytest.raises(SettingsError, match=r"OnAlarmSettings: .*STATE_MACHINE_ARN: Field required"):
        from_environment(OnAlarmSettings)


def test_an_empty_decision_table_is_refused_naming_it(environment: pytest.MonkeyPatch) -> None:
    _set(environment, {variable: VALID[variable] for variable in _variables(RecordSettings)})
    environment.setenv("DECISION_TABLE", "")
    refused = r"^RecordSettings: DECISION_TABLE: String should have at least 1 character$"
    with pytest.raises(SettingsError, match=refused):
        from_environment(RecordSettings)


@pytest.mark.parametrize(
    ("model", "variable"),
    [(model, variable) for model in MODELS for variable in _strings(model)],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_every_string_variable_must_be_non_empty(
    environment: pytest.MonkeyPatch, model: type[Any], variable: str
) -> None:
    _set(environment, {name: VALID[name] for name in _variables(model)})
    environment.setenv(variable, "")
    with pytest.raises(SettingsError, match=f"{variable}: String should have at least 1 character"):
        from_environment(model)


@pytest.mark.parametrize(
    ("model", "variable"),
    [(model, variable) for model in MODELS for variable in sorted(_variables(model))],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_a_missing_variable_is_named(
    environment: pytest.MonkeyPatch, model: type[Any], variable: str
) -> None:
    _set(environment, {name: VALID[name] for name in _variables(model) - {variable}})
    with pytest.raises(SettingsError, match=f"{variable}: Field required"):
        from_environment(model)


def test_an_invalid_value_is_named_never_echoed(environment: pytest.MonkeyPatch) -> None:
    _set(environment, {variable: VALID[variable] for variable in _variables(LockSettings)})
    environment.setenv("LOCK_LEASE_SECONDS", "soon-ish")
    with pytest.raises(SettingsError, match="LOCK_LEASE_SECONDS") as refused:
        from_environment(LockSettings)
    assert "soon-ish" not in str(refused.value)


def test_wiring_validates_a_function_s_settings_once(environment: pytest.MonkeyPatch) -> None:
    wiring.validated_settings.cache_clear()
    _set(environment, {"STATE_TABLE": "state", "LOCK_LEASE_SECONDS": "120"})
    first = wiring.settings(LockSettings)
    environment.setenv("LOCK_LEASE_SECONDS", "600")
    assert wiring.settings(LockSettings) is first
    wiring.validated_settings.cache_clear()


def test_the_template_sets_every_variable_each_function_validates() -> None:
    template = yaml_parse((REPO_ROOT / "template.yaml").read_text())
    shared = set(template["Globals"]["Function"]["Environment"]["Variables"])
    functions = {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert set(functions) == set(READS), "a function of the template without an entry in READS"
    for name, properties in functions.items():
        own = set(properties.get("Environment", {}).get("Variables", {}))
        assert READS[name][1] <= shared | own, f"{name} lacks {READS[name][1] - shared - own}"
