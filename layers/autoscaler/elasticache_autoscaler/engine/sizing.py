"""Proportional (target tracking) sizing: new = ceil(current x signal / target), clamped by step, bounds."""

from collections.abc import Callable
from math import ceil


def scale_out_count(current: int, ratio: float, *, max_step: int, upper: int) -> int:
    """How many (shards, replicas, nodes per shard) to go to under ``ratio`` = signal / target.

    Always at least one more (the caller saw pressure), never more than ``max_step`` more nor above ``upper``.
    """
    wanted = ceil(round(current * ratio, 9))
    return min(max(wanted, current + 1), current + max_step, upper)


def scale_in_count(current: int, *, lower: int, max_step: int, fits: Callable[[int], bool]) -> int | None:
    """The fewest (down to ``lower``, at most ``max_step`` fewer) for which ``fits`` holds, or None."""
    best: int | None = None
    for count in range(current - 1, max(lower, current - max_step) - 1, -1):
        if not fits(count):
            break
        best = count
    return best
