"""Observe's read of a cache's load history for the forecast, when the policy opts in
(``forecast.loadHistory``): CloudWatch at most once an hour, the rest from the state table's cache. A
replication group's (``load_history``) and a Serverless cache's (``usage_history``) go through the same
cache (``cached_history``), each with its own CloudWatch read.

The cache holds the history as measured. A refresh asks only for the periods since the cached end (with
``OVERLAP`` again: CloudWatch's latest periods fill in late), so after the first fetch of ``HISTORY_DAYS``
days each hourly call requests the same metrics over about an hour and needs no ``NextToken`` page. Each
observation then rescales the whole history to the group's capacity now (``engine.rescale``) from the
capacity timeline the record step keeps; a Serverless cache's history is its usage, read as measured.

A CloudWatch or DynamoDB error here costs only the forecast: the snapshot carries no history (the decision
says ``forecast: no load history observed``) and the reactive rules decide as ever.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from elasticache_autoscaler.adapters.cloudwatch import HISTORY_PERIOD_SECONDS
from elasticache_autoscaler.adapters.state_table import StatePort
from elasticache_autoscaler.engine.forecast import HISTORY_DAYS
from elasticache_autoscaler.engine.rescale import rescaled
from elasticache_autoscaler.models.load_history import FetchedLoadHistory, LoadHistory
from elasticache_autoscaler.models.snapshot import Topology
from elasticache_autoscaler.observability import logger

REFRESH = timedelta(hours=1)
OVERLAP = timedelta(minutes=15)
PERIOD = timedelta(seconds=HISTORY_PERIOD_SECONDS)
WINDOW = timedelta(days=HISTORY_DAYS)
PERIODS = WINDOW // PERIOD


class LoadHistoryReader(Protocol):
    def read_load_history(self, topology: Topology, start: datetime, end: datetime) -> LoadHistory: ...


def period_floor(at: datetime) -> datetime:
    """``at`` down to a 5-minute boundary: a period CloudWatch labels, and one that is over."""
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % HISTORY_PERIOD_SECONDS, tz=at.tzinfo)


def fetch_window(cached: FetchedLoadHistory | None, now: datetime) -> tuple[datetime, datetime] | None:
    """The (start, end) to ask CloudWatch for, or None when the cache is less than ``REFRESH`` old."""
    if cached is not None and now - cached.fetched_at < REFRESH:
        return None
    end = period_floor(now)
    start = end - WINDOW
    if cached is not None and cached.measured.end - OVERLAP > start:
        start = period_floor(cached.measured.end - OVERLAP)
    return start, end


HistoryRead = Callable[[datetime, datetime], LoadHistory]
"""CloudWatch's read of one cache's history from ``start`` to ``end``."""


def cached_history(cluster: str, read: HistoryRead, state: StatePort, now: datetime) -> LoadHistory | None:
    """The history as measured, from the cache or refreshed through ``read`` (and cached again)."""
    cached = state.fetched_load_history(cluster)
    window = fetch_window(cached, now)
    if window is None:
        return cached.measured if cached is not None else None
    newer = read(*window).rounded()
    measured = newer if cached is None else cached.measured.updated(newer, PERIODS)
    state.keep_load_history(cluster, FetchedLoadHistory(fetched_at=now, measured=measured))
    return measured


def measured_history(
    cluster: str, topology: Topology, reader: LoadHistoryReader, state: StatePort, now: datetime
) -> LoadHistory | None:
    """A group's history as measured (``cached_history``)."""
    return cached_history(
        cluster, lambda start, end: reader.read_load_history(topology, start, end), state, now
    )


def load_history(
    cluster: str, topology: Topology, reader: LoadHistoryReader, state: StatePort, now: datetime
) -> LoadHistory | None:
    """The group's load history against its capacity now, or None when it could not be read."""
    try:
        measured = measured_history(cluster, topology, reader, state, now)
        timeline = state.capacity_timeline(cluster)
    except (BotoCoreError, ClientError) as error:
        logger.warning("load history not read: no forecast this time", cluster=cluster, error=str(error))
        return None
    if measured is None:
        return None
    return rescaled(measured, timeline, topology.capacity)


SERVERLESS_CACHE_KEY = "serverless#{name}"
"""A Serverless cache's history is cached under its own key: a replication group may have the same name
(ids are unique per kind only), and a group's id never holds ``#``."""


def usage_history(cache: str, read: HistoryRead, state: StatePort, now: datetime) -> LoadHistory | None:
    """A Serverless cache's usage history (``cached_history``), or None when it could not be read."""
    try:
        return cached_history(SERVERLESS_CACHE_KEY.format(name=cache), read, state, now)
    except (BotoCoreError, ClientError) as error:
        logger.warning("load history not read: no forecast this time", cluster=cache, error=str(error))
        return None
