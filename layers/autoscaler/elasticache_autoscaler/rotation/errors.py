"""Errors of the rotation workflow. The class name is the Step Functions error name: keep them stable.

Messages name the cluster, the user or the secret ARN, never a token or a password.
"""

from elasticache_autoscaler.errors import AutoscalerError


class RotationRefusedError(AutoscalerError):
    """A precondition does not hold (no token in use, no transit encryption, busy, ...): nothing changed."""


class CredentialBusyError(AutoscalerError):
    """The group or the user is changing (InvalidReplicationGroupState / InvalidUserState): retry later."""


class CredentialRejectedError(AutoscalerError):
    """The new credential did not log in although the cache was reachable: not promoted."""


class CredentialCallError(AutoscalerError):
    """An AWS call that carries a credential failed; the message holds the error code only."""
