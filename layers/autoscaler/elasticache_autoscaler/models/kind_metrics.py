"""The CloudWatch metrics ``observe`` reads for a Memcached cluster and for a Serverless cache.

Small by construction (DESIGN §9: Step Functions caps a state at 256 KiB): one value per period and node,
or per period for the whole serverless cache. An empty series is missing data, never a reason to scale in.
"""

from enum import StrEnum

from elasticache_autoscaler.models.base import WireModel


class MemcachedMetric(StrEnum):
    """ElastiCache's host- and Memcached-level metrics (namespace ``AWS/ElastiCache``, per ``CacheNodeId``).

    Memcached is multi-threaded: ``CPUUtilization`` is the whole host's, there is no engine CPU to split."""

    CPU = "CPUUtilization"
    BYTES_USED = "BytesUsedForCacheItems"
    EVICTIONS = "Evictions"
    CONNECTIONS = "CurrConnections"
    NETWORK_IN_EXCEEDED = "NetworkBandwidthInAllowanceExceeded"
    NETWORK_OUT_EXCEEDED = "NetworkBandwidthOutAllowanceExceeded"


class NodeSeries(WireModel):
    metric: MemcachedMetric
    node_id: str
    values: tuple[float, ...] = ()
    """One value per period (Maximum; Sum for Evictions and the allowance counters), oldest first."""


class MemcachedMetrics(WireModel):
    period_seconds: int = 60
    series: tuple[NodeSeries, ...] = ()

    def peak(self, metric: MemcachedMetric, periods: int) -> float | None:
        """The largest value of ``metric`` over every node in the last ``periods`` periods (the hottest node,
        never an average), or None when no node has a datapoint."""
        values = [v for s in self.series if s.metric is metric for v in s.values[-periods:]]
        return max(values, default=None)

    def covers(self, metric: MemcachedMetric, node_ids: tuple[str, ...], periods: int) -> bool:
        """Whether every node has ``metric`` for each of the last ``periods`` periods."""
        lengths = {s.node_id: len(s.values) for s in self.series if s.metric is metric}
        return all(lengths.get(node, 0) >= periods for node in node_ids)


class ServerlessMetrics(WireModel):
    """A Serverless cache's own metrics, one value per period, oldest first:
    ``BytesUsedForCache`` (Maximum, bytes), ``ElastiCacheProcessingUnits`` (Sum: ECPUs in the period),
    ``ThrottledCmds`` (Sum)."""

    period_seconds: int = 60
    bytes_used: tuple[float, ...] = ()
    ecpu: tuple[float, ...] = ()
    throttled_cmds: tuple[float, ...] = ()
