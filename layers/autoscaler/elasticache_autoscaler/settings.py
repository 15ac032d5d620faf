"""One typed settings model, validated once from the environment; a missing variable fails loudly."""

import os
from typing import Self

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Every setting the functions read, by environment variable name. Each function asks for its subset."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    decision_table: str = Field(alias="DECISION_TABLE")
    state_table: str = Field(alias="STATE_TABLE")
    policy_prefix: str = Field(alias="POLICY_PREFIX")
    managed_tag_key: str = Field(alias="MANAGED_TAG_KEY")
    paused_tag_key: str = Field(alias="PAUSED_TAG_KEY")
    alarm_prefix: str = Field(alias="ALARM_PREFIX")
    schedule_bucket_minutes: int = Field(alias="SCHEDULE_BUCKET_MINUTES", ge=1)
    decision_retention_days: int = Field(alias="DECISION_RETENTION_DAYS", ge=1)
    lock_lease_seconds: int = Field(alias="LOCK_LEASE_SECONDS", ge=60)
    notification_topic_arn: str = Field(alias="NOTIFICATION_TOPIC_ARN")

    @classmethod
    def from_environment(cls) -> Self:
        return cls.model_validate(dict(os.environ))


class TriggerSettings(Settings):
    """The triggers also start the workflow (the workflow's own steps must not know its ARN: a cycle)."""

    state_machine_arn: str = Field(alias="STATE_MACHINE_ARN")


class ObservationSettings(Settings):
    """Observe and Decide also share the observation store (the full observation, kept out of the state)."""

    observation_bucket: str = Field(alias="OBSERVATION_BUCKET")


class ReconcileSettings(TriggerSettings):
    """Reconcile also names the stack that owns its alarms (their ``elasticache-autoscaler:owner`` tag)."""

    alarm_owner: str = Field(alias="ALARM_OWNER", min_length=1)
