"""Each function's settings: the environment variables that function reads - never another function's -
validated once, on first use (wiring.settings). Every string is set and non-empty; a missing, empty or
invalid variable fails with a SettingsError naming it (never echoing a value).

A variable two or more functions read is a concern below, declared once; a function's settings compose its
concerns, plus the variables only it reads. They are TypedDicts keyed by the variables' own names, validated
by pydantic: declaring one builds nothing, and a function builds the validator of its own settings only, on
first use (a pydantic model class per concern and per function cost every cold start about 5 % of a bare
boto3 import's instructions; these TypedDicts, about 1 %).
"""

import os
from typing import Annotated, Literal, TypedDict

from pydantic import Field, TypeAdapter, ValidationError

from elasticache_autoscaler.validation import name_the_fields

Text = Annotated[str, Field(min_length=1)]
"""A string variable: set, and not empty."""


class SettingsError(RuntimeError):
    """The function's environment lacks a variable, or holds an empty or invalid one (named, never echoed)."""


def from_environment[S](settings: type[S]) -> S:
    """``settings`` (one of the TypedDicts below) read from the environment and validated; other variables
    are ignored."""
    try:
        return TypeAdapter(settings).validate_python(dict(os.environ))
    except ValidationError as error:
        raise SettingsError(f"{settings.__name__}: {name_the_fields(error)}") from None


# ---- concerns: variables more than one function reads ------------------------------------------------------
class DecisionTableName(TypedDict):
    DECISION_TABLE: Text


class StateTableName(TypedDict):
    STATE_TABLE: Text


class PolicyPrefix(TypedDict):
    POLICY_PREFIX: Text


class ManagedTagKey(TypedDict):
    MANAGED_TAG_KEY: Text


class PausedTagKey(TypedDict):
    PAUSED_TAG_KEY: Text


class AlarmPrefix(TypedDict):
    ALARM_PREFIX: Text


class DecisionRetention(TypedDict):
    DECISION_RETENTION_DAYS: Annotated[int, Field(ge=1)]


class LockLease(TypedDict):
    LOCK_LEASE_SECONDS: Annotated[int, Field(ge=60)]


class NotificationTopic(TypedDict):
    NOTIFICATION_TOPIC_ARN: Text


class StateMachine(TypedDict):
    """The triggers start the workflow (its own steps must not know its ARN: a cycle in the template)."""

    STATE_MACHINE_ARN: Text


class ObservationBucket(TypedDict):
    """Observe stores the full observation, Decide reads it back (it is kept out of the workflow state)."""

    OBSERVATION_BUCKET: Text


# ---- one per function --------------------------------------------------------------------------------------
class OnAlarmSettings(StateMachine, AlarmPrefix, ManagedTagKey):
    pass


class OnScheduleSettings(StateMachine, ManagedTagKey):
    SCHEDULE_BUCKET_MINUTES: Annotated[int, Field(ge=1)]


class ReconcileSettings(StateMachine, AlarmPrefix, ManagedTagKey, PolicyPrefix):
    """Reconcile also names the stack that owns its alarms (their ``elasticache-autoscaler:owner`` tag)."""

    ALARM_OWNER: Text


class ObserveSettings(
    DecisionTableName, StateTableName, PolicyPrefix, ManagedTagKey, PausedTagKey, ObservationBucket
):
    pass


class DecideSettings(DecisionTableName, DecisionRetention, ObservationBucket):
    pass


class LockSettings(StateTableName, LockLease):
    pass


class ActSettings(DecisionTableName, StateTableName, ManagedTagKey, PausedTagKey, LockLease):
    pass


class RecordSettings(DecisionTableName, StateTableName, DecisionRetention, NotificationTopic):
    pass


class ApprovalSettings(NotificationTopic):
    pass


class ExecutionEndSettings(DecisionTableName, StateTableName):
    pass


class RotateSettings(PolicyPrefix):
    STACK_NAME: Text
    SECRETS_KMS_KEY_ID: Text
    VERIFY_TLS: Literal["auto", "off"]
