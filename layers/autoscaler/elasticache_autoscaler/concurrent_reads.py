"""Reads that do not depend on each other, sent at once instead of one after another.

A workflow step's reads are short AWS calls (tens of milliseconds each); made in sequence they add up on
the alarm's path to the first change. Only *reads* go through here: every change is still one call, made
after its guards were read. boto3 clients are thread-safe (they are made once per process,
``adapters.aws``). Each call has threads of its own, gone when it returns (a few hundred microseconds
against reads of tens of milliseconds): a read that itself reads at once never waits for a thread another
read holds. A failure is raised as the sequential code would raise it: the first failing read in
argument order, after every read has ended (nothing keeps running behind the caller's back).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

MAX_THREADS = 10
"""Threads of one call of ``each`` at most (a cluster-mode-disabled group's members are read one call each:
at most 6; a group of more than 10 pages the account instead, ``adapters.elasticache``)."""


def _outcome[T](read: Callable[[], T]) -> Future[T]:
    """``read()`` run in the calling thread, its result or error kept as a future's."""
    done: Future[T] = Future()
    try:
        done.set_result(read())
    except Exception as error:  # kept: raised by _raise_first in argument order
        done.set_exception(error)
    return done


def _raise_first(futures: Sequence[Future[Any]]) -> None:
    """Wait for every read, then raise the first failure in argument order."""
    errors = [future.exception() for future in futures]
    for error in errors:
        if error is not None:
            raise error


def both[A, B](first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``(first(), second())``, the two at once (``first`` in the calling thread)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
        b: Future[B] = pool.submit(second)
        a = _outcome(first)
    _raise_first([a, b])
    return a.result(), b.result()


def each[I, T](read: Callable[[I], T], items: Iterable[I]) -> list[T]:
    """``[read(item) for item in items]`` in that order, the reads at once (the first in the calling
    thread)."""
    listed = list(items)
    if not listed:
        return []
    first = listed[0]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(listed)), thread_name_prefix="read") as pool:
        rest = [pool.submit(read, item) for item in listed[1:]]
        futures = [_outcome(lambda: read(first)), *rest]
        _raise_first(futures)
    return [future.result() for future in futures]


@contextmanager
def meanwhile[T](read: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """``read()`` sent in a thread of its own while the block runs. The block gets a function that waits for
    its result (or raises its error), usable after the block too; leaving the block waits for the read
    (nothing keeps running behind the caller's back). For a read that a later read needs but should not
    wait for: Observe reads the policy (the window of the metrics read) beside the group's describe."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
        future = pool.submit(read)
        yield future.result
