"""The CloudWatch alarms a Memcached cluster's and a Serverless cache's policy imply (see ``alarms`` for a
replication group's): the same name scheme (``<prefix><cache>.<member>.<signal>``, so ``group_of_alarm``
maps them back), owner tag, period and M-of-N as the replication group's alarms.

Memcached: one alarm per node and signal on the node's own metric (the hottest node alarms, never an
average): ``CPUUtilization`` and ``BytesUsedForCacheItems`` above target x (1 + tolerance), 2 of 3 minutes
(memory as bytes: the target share of the node type's maxmemory from the catalog; no alarm for a type the
catalog does not know); ``Evictions`` above 0, 1 of 1.

Serverless: one alarm per signal on the cache (``SERVERLESS_DIMENSION``): ``ThrottledCmds`` above 0, 1 of 1;
and, for each maximum that is set, usage above ``raiseAtPercent`` of it, 2 of 3 minutes (AWS recommends an
alarm at 75 % of a maximum): ``BytesUsedForCache`` in bytes, ``ElastiCacheProcessingUnits`` as the ECPUs of a
one-minute period (ECPU/s x 60).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from elasticache_autoscaler.alarms import (
    HIGH_DATAPOINTS_TO_ALARM,
    HIGH_EVALUATION_PERIODS,
    NAME_SEPARATOR,
    NAMESPACE,
    OWNER_TAG_KEY,
    PERIOD_SECONDS,
    Statistic,
)
from elasticache_autoscaler.catalog import catalog
from elasticache_autoscaler.engine.memcached import GIB
from elasticache_autoscaler.engine.serverless import BYTES_PER_GB
from elasticache_autoscaler.models.kind_metrics import MemcachedMetric
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.memcached import MemcachedCluster
from elasticache_autoscaler.models.serverless import SERVERLESS_DIMENSION, ServerlessCache

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

SERVERLESS_MEMBER = "serverless"
"""The member part of a serverless cache's alarm names: it has no nodes."""


@dataclass(frozen=True, slots=True)
class KindAlarm:
    name: str
    cache_id: str
    signal: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Statistic
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int

    def configuration(self) -> dict[str, object]:
        """The fields DescribeAlarms answers that reconcile compares (and sets)."""
        return {
            "Namespace": NAMESPACE,
            "MetricName": self.metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions],
            "Statistic": self.statistic,
            "Period": PERIOD_SECONDS,
            "EvaluationPeriods": self.evaluation_periods,
            "DatapointsToAlarm": self.datapoints_to_alarm,
            "Threshold": self.threshold,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "missing",
        }

    def put_request(self, owner: str) -> "PutMetricAlarmInputTypeDef":
        return {
            "AlarmName": self.name,
            "AlarmDescription": (
                f"elasticache-autoscaler ({owner}): {self.signal} of {self.cache_id}; "
                "kept in line with the cache's policy by reconcile - do not edit"
            ),
            **self.configuration(),  # type: ignore[typeddict-item]  # the same fields, compared by reconcile
            "ActionsEnabled": True,
            "Tags": [{"Key": OWNER_TAG_KEY, "Value": owner}],
        }


def _name(prefix: str, cache_id: str, member: str, signal: str) -> str:
    return NAME_SEPARATOR.join((f"{prefix}{cache_id}", member, signal))


def memcached_alarms(
    cluster: MemcachedCluster, policy: MemcachedPolicy, prefix: str
) -> tuple[KindAlarm, ...]:
    above = 1 + policy.tolerance
    targets = policy.targets
    node_type = catalog().get(cluster.node_type)
    high: list[tuple[str, MemcachedMetric, float]] = [
        ("cpu", MemcachedMetric.CPU, targets.cpu_percent * above)
    ]
    if node_type is not None:
        memory_bytes = targets.memory_percent * above / 100 * node_type.maxmemory_gib * GIB
        high.append(("memory", MemcachedMetric.BYTES_USED, memory_bytes))
    alarms: list[KindAlarm] = []
    for node in cluster.nodes:
        dims = (("CacheClusterId", cluster.cluster_id), ("CacheNodeId", node.node_id))
        for signal, metric, threshold in high:
            alarms.append(
                KindAlarm(
                    name=_name(prefix, cluster.cluster_id, node.node_id, signal),
                    cache_id=cluster.cluster_id,
                    signal=signal,
                    metric=metric.value,
                    dimensions=dims,
                    statistic="Maximum",
                    threshold=round(threshold, 6),
                    evaluation_periods=HIGH_EVALUATION_PERIODS,
                    datapoints_to_alarm=HIGH_DATAPOINTS_TO_ALARM,
                )
            )
        alarms.append(
            KindAlarm(
                name=_name(prefix, cluster.cluster_id, node.node_id, "evictions"),
                cache_id=cluster.cluster_id,
                signal="evictions",
                metric=MemcachedMetric.EVICTIONS.value,
                dimensions=dims,
                statistic="Sum",
                threshold=0.0,
                evaluation_periods=1,
                datapoints_to_alarm=1,
            )
        )
    return tuple(alarms)


def serverless_alarms(cache: ServerlessCache, policy: ServerlessPolicy, prefix: str) -> tuple[KindAlarm, ...]:
    dims = ((SERVERLESS_DIMENSION, cache.name),)
    share = policy.raise_at_percent / 100

    def alarm(signal: str, metric: str, statistic: Statistic, threshold: float, high: bool) -> KindAlarm:
        return KindAlarm(
            name=_name(prefix, cache.name, SERVERLESS_MEMBER, signal),
            cache_id=cache.name,
            signal=signal,
            metric=metric,
            dimensions=dims,
            statistic=statistic,
            threshold=round(threshold, 6),
            evaluation_periods=HIGH_EVALUATION_PERIODS if high else 1,
            datapoints_to_alarm=HIGH_DATAPOINTS_TO_ALARM if high else 1,
        )

    alarms = [alarm("throttled", "ThrottledCmds", "Sum", 0.0, high=False)]
    limits = cache.limits
    if limits.data_storage_max_gb is not None:
        bytes_near = share * limits.data_storage_max_gb * BYTES_PER_GB
        alarms.append(alarm("data-storage-near-max", "BytesUsedForCache", "Maximum", bytes_near, high=True))
    if limits.ecpu_per_second_max is not None:
        ecpus_near = share * limits.ecpu_per_second_max * PERIOD_SECONDS
        alarms.append(alarm("ecpu-near-max", "ElastiCacheProcessingUnits", "Sum", ecpus_near, high=True))
    return tuple(alarms)
