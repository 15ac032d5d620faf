"""concurrent_reads: independent reads run at once, results in argument order, the first failure in argument
order raised only after every read ended, and reads nested inside reads never wait on a held thread.

"At once" is proven with a barrier the reads must all reach before any returns: run one after another,
the first would wait alone and the barrier's timeout breaks it (the test fails, it does not hang)."""

import threading
import time

import pytest

from elasticache_autoscaler.concurrent_reads import MAX_THREADS, both, each, meanwhile

TIMEOUT = 5.0


def test_both_runs_the_two_at_once_and_keeps_their_order() -> None:
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def read(value: str) -> str:
        barrier.wait()
        return value

    assert both(lambda: read("topology"), lambda: read("tables")) == ("topology", "tables")


def test_each_runs_every_read_at_once_and_keeps_the_items_order() -> None:
    items = list(range(6))
    barrier = threading.Barrier(len(items), timeout=TIMEOUT)

    def read(item: int) -> int:
        barrier.wait()
        return item * 10

    assert each(read, items) == [0, 10, 20, 30, 40, 50]
    assert each(read, []) == []


def test_the_first_failure_in_argument_order_is_raised_after_every_read_ended() -> None:
    ended: list[str] = []

    def slow_failure() -> str:
        time.sleep(0.2)
        ended.append("second")
        raise LookupError("second")

    def fast_failure() -> str:
        ended.append("first")
        raise KeyError("first")

    with pytest.raises(KeyError, match="first"):
        both(fast_failure, slow_failure)
    assert sorted(ended) == ["first", "second"]  # nothing left running behind the caller

    def read(item: int) -> int:
        if item in {1, 3}:
            raise ValueError(f"item {item}")
        return item

    with pytest.raises(ValueError, match="item 1"):
        each(read, range(5))


def test_reads_nested_in_reads_finish_with_more_reads_than_threads() -> None:
    """Each outer read fans out again (as the group read fans out to its members): more outer reads than the
    pool has threads must still finish."""

    def inner(item: int) -> int:
        time.sleep(0.01)
        return item

    def outer(item: int) -> int:
        left, right = both(lambda: sum(each(inner, range(3))), lambda: item)
        return left + right

    assert each(outer, range(MAX_THREADS * 2)) == [3 + i for i in range(MAX_THREADS * 2)]


def test_meanwhile_runs_the_read_beside_the_block_and_gives_its_result() -> None:
    barrier = threading.Barrier(2, timeout=TIMEOUT)

    def read() -> str:
        barrier.wait()
        return "policy"

    with meanwhile(read) as policy:
        barrier.wait()  # alone (the read run before or after the block), the barrier breaks
        assert policy() == "policy"
    assert policy() == "policy"


def test_meanwhile_raises_the_reads_error_where_its_result_is_asked_and_waits_for_it() -> None:
    ended: list[str] = []

    def failing() -> str:
        time.sleep(0.2)
        ended.append("read")
        raise LookupError("no policy")

    with meanwhile(failing) as policy:
        pass
    assert ended == ["read"]  # leaving the block waited for the read
    with pytest.raises(LookupError, match="no policy"):
        policy()
