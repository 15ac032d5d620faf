"""Errors of the rotation workflow. The class name is the Step Functions error name: keep them stable.

The credential adapters' own errors (``CredentialBusyError``, ``CredentialCallError``) live in
``elasticache_autoscaler.errors``: the rotation package imports the adapters, never the other way.
Messages name the cluster, the user or the secret ARN, never a token or a password.
"""

from elasticache_autoscaler.errors import AutoscalerError


class RotationRefusedError(AutoscalerError):
    """A precondition does not hold (no token in use, no transit encryption, busy, ...): nothing changed."""


class CredentialRejectedError(AutoscalerError):
    """The new credential did not log in although the cache was reachable: not promoted."""
