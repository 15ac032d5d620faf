"""The rotation function's settings (validated once, a missing variable fails loudly) and real adapters."""

import os
from functools import cache
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from elasticache_autoscaler.adapters.elasticache_credentials import ElastiCacheCredentials
from elasticache_autoscaler.adapters.policy_store import PolicyStore
from elasticache_autoscaler.adapters.redis_login import RedisLogin
from elasticache_autoscaler.adapters.secrets import SecretsManager
from elasticache_autoscaler.rotation.steps import RotationDeps


class RotationSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    policy_prefix: str = Field(alias="POLICY_PREFIX")
    stack_name: str = Field(alias="STACK_NAME")
    kms_key_id: str = Field(alias="SECRETS_KMS_KEY_ID")
    verify_tls: Literal["auto", "off"] = Field(alias="VERIFY_TLS")

    @classmethod
    def from_environment(cls) -> Self:
        return cls.model_validate(dict(os.environ))


@cache
def rotation_deps() -> RotationDeps:
    settings = RotationSettings.from_environment()
    return RotationDeps(
        credentials=ElastiCacheCredentials(),
        secrets=SecretsManager(),
        policies=PolicyStore(settings.policy_prefix),
        login=RedisLogin(),
        stack_name=settings.stack_name,
        kms_key_id=settings.kms_key_id,
        verify_tls=settings.verify_tls,
    )
