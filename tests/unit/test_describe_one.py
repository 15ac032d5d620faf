"""describe_one: the first item, or ClusterNotFoundError naming the cache (not-found codes and an empty
answer alike); any other error as it came."""

import pytest
from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters.describe_one import describe_one
from elasticache_autoscaler.errors import ClusterNotFoundError

NOT_FOUND = frozenset({"CacheClusterNotFound"})


def _raising(code: str) -> list[str]:
    raise ClientError({"Error": {"Code": code, "Message": "m"}}, "DescribeCacheClusters")


def test_the_first_item_of_the_answer() -> None:
    assert describe_one(lambda: ["a", "b"], NOT_FOUND, "cache cluster 'a'") == "a"


@pytest.mark.parametrize("answer", [lambda: _raising("CacheClusterNotFound"), lambda: []])
def test_not_found_and_an_empty_answer_name_the_cache(answer: object) -> None:
    with pytest.raises(ClusterNotFoundError, match="cache cluster 'x' does not exist"):
        describe_one(answer, NOT_FOUND, "cache cluster 'x'")  # type: ignore[arg-type]


def test_any_other_error_is_raised_as_it_came() -> None:
    with pytest.raises(ClientError, match="AccessDenied"):
        describe_one(lambda: _raising("AccessDenied"), NOT_FOUND, "cache cluster 'x'")
