"""The rotation function's real adapters, built once per process from its validated settings."""

from functools import cache

from elasticache_autoscaler.adapters.elasticache_credentials import ElastiCacheCredentials
from elasticache_autoscaler.adapters.policy_store import PolicyStore
from elasticache_autoscaler.adapters.redis_login import RedisLogin
from elasticache_autoscaler.adapters.secrets import SecretsManager
from elasticache_autoscaler.rotation.steps import RotationDeps
from elasticache_autoscaler.settings import RotateSettings, from_environment


@cache
def rotation_deps() -> RotationDeps:
    settings = from_environment(RotateSettings)
    return RotationDeps(
        credentials=ElastiCacheCredentials(),
        secrets=SecretsManager(),
        policies=PolicyStore(settings["POLICY_PREFIX"]),
        login=RedisLogin(),
        stack_name=settings["STACK_NAME"],
        kms_key_id=settings["SECRETS_KMS_KEY_ID"],
        verify_tls=settings["VERIFY_TLS"],
    )
