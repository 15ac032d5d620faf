"""The one cache a Describe call by id answers (a replication group, a Memcached cluster, a Serverless cache):
every adapter reads "the one, or ``ClusterNotFoundError`` naming it" here."""

from collections.abc import Callable, Sequence

from botocore.exceptions import ClientError

from elasticache_autoscaler.errors import ClusterNotFoundError


def describe_one[T](describe: Callable[[], Sequence[T]], not_found: frozenset[str], what: str) -> T:
    """``describe()``'s first item; ``ClusterNotFoundError("<what> does not exist")`` when AWS answers one of
    the ``not_found`` codes or an empty list. Any other error is raised as it came."""
    try:
        found = describe()
    except ClientError as error:
        if error.response["Error"]["Code"] in not_found:
            raise ClusterNotFoundError(f"{what} does not exist") from None
        raise
    if not found:
        raise ClusterNotFoundError(f"{what} does not exist")
    return found[0]
