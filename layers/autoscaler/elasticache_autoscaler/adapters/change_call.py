"""One mutating ElastiCache call and the mapping of its outcome to the workflow's errors, for every adapter.

ElastiCache's change APIs have no idempotency token (DESIGN §9): a call is made once, its fields checked
first (``check_request``); an answer that may hide an applied change is CallOutcomeUnknownError (re-read
before anything else), never a retry here.
"""

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from elasticache_autoscaler.adapters.error_codes import NO_OPERATION, THROTTLED
from elasticache_autoscaler.adapters.request_fields import check_request
from elasticache_autoscaler.errors import (
    ActionFailedError,
    CallOutcomeUnknownError,
    ClusterNotFoundError,
    GroupBusyError,
    ThrottledError,
)

ALREADY_THERE_RESULT = "already there"
"""What a setter returns when the cache already has the target: no call was made, or ElastiCache said so."""


def make_change(
    operation: str,
    params: Mapping[str, Any],
    send: Callable[[], object],
    *,
    busy: frozenset[str],
    not_found: frozenset[str],
) -> str:
    """Check ``params``, call ``send`` once and return ``operation``, or map the failure.

    ``NoOperationFault`` or a "Nothing to do" answer: "already there" (success). A code in ``busy``:
    GroupBusyError (wait and re-read). A code in ``not_found``: ClusterNotFoundError. Throttled:
    ThrottledError (not applied). No answer or a 5xx: CallOutcomeUnknownError. Anything else:
    ActionFailedError. Throttling reaches here only once the client's standard retry mode gave up.
    """
    check_request(operation, params)  # only the fields the product sends (docs/iam.md)
    try:
        send()
    except (ReadTimeoutError, ConnectTimeoutError, EndpointConnectionError, ConnectionClosedError) as error:
        raise unknown_outcome(operation, error) from None
    except ClientError as error:
        code = error.response["Error"]["Code"]
        message = error.response["Error"].get("Message", "")
        if code in THROTTLED:
            raise ThrottledError(f"{operation}: {code}: {message} (not applied)") from None
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            raise unknown_outcome(operation, error) from None
        if code in NO_OPERATION or "Nothing to do" in message:
            return ALREADY_THERE_RESULT
        if code in busy:
            raise GroupBusyError(f"{operation}: {code}: {message}") from None
        if code in not_found:
            raise ClusterNotFoundError(f"{operation}: {code}: {message}") from None
        raise ActionFailedError(f"{operation}: {code}: {message}") from None
    return operation


def change_once[P: Mapping[str, Any]](
    request: tuple[str, P] | None,
    send: Callable[[P], object],
    *,
    busy: frozenset[str],
    not_found: frozenset[str],
) -> str:
    """``make_change`` of a built ``(operation, params)`` request, sent as ``send(params)``; "already there"
    without a call when the builder found nothing to change (None)."""
    if request is None:
        return ALREADY_THERE_RESULT
    operation, params = request
    return make_change(operation, params, lambda: send(params), busy=busy, not_found=not_found)


def unknown_outcome(operation: str, error: Exception) -> CallOutcomeUnknownError:
    return CallOutcomeUnknownError(
        f"{operation}: no answer ({type(error).__name__}: {error}); it may have been applied: re-read first"
    )
