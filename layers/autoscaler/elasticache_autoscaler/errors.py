"""Errors the workflow catches by name. The class name is the Step Functions error name: keep them stable."""


class AutoscalerError(Exception):
    """Base of every error the workflow names in a Catch or Retry."""


class InvalidInputError(AutoscalerError):
    """The workflow input (console JSON) is malformed; the message names the field. Nothing was changed."""


class ClusterNotFoundError(AutoscalerError):
    """No replication group has this id."""


class ClusterNotManagedError(AutoscalerError):
    """The replication group exists but does not carry the managing tag."""


class GroupBusyError(AutoscalerError):
    """The group, a shard or a member is not available, or a change is pending: wait and re-read."""


class ActionFailedError(AutoscalerError):
    """ElastiCache refused or abandoned the change."""


class TickIncompleteError(AutoscalerError):
    """A schedule tick could not start some groups' evaluations for a reason other than the group being
    gone or unmanaged (those are ignored). Every other group was still started; raised last so that Lambda
    retries the tick (names are deterministic: what already started is a duplicate) and then
    dead-letters it."""


class FieldNotAllowedError(ActionFailedError):
    """A mutating ElastiCache request carries a field (or a value) the product never sends: refused before
    the call. IAM denies what AWS documents a condition key for; this covers the rest (docs/iam.md)."""


class ThrottledError(AutoscalerError):
    """ElastiCache throttled a mutating call: it was not applied. The workflow retries the Act step (which
    re-reads the group first); exhausted, the decision is recorded ``skipped``, never ``failed``."""


class CallOutcomeUnknownError(AutoscalerError):
    """A mutating call was sent but no answer came (timeout, connection lost, 5xx): it may have been applied.
    Never re-sent as it is: the workflow retries the Act step, which re-reads the group and finds it
    modifying or already at the target before any new call."""


class CredentialBusyError(AutoscalerError):
    """The group or the user is changing (InvalidReplicationGroupState / InvalidUserState): retry later."""


class CredentialCallError(AutoscalerError):
    """An AWS call that carries a credential failed; the message holds the error code only."""
