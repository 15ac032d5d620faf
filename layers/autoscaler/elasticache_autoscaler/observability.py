"""The one observability module: a Logger, Metrics and Tracer shared by every function.

Structured key/value logs with the execution as correlation id, one metric per decision (``Decisions``)
and per outcome (``Outcomes``), by cluster, action and status (the dashboard's widgets), and
``CircuitBreakerOpened`` (service dimension only, so one alarm watches every cluster).
botocore's loggers stay at WARNING: it does not mark AuthToken / Passwords as sensitive.
"""

import logging

from aws_lambda_powertools import Logger, Metrics, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "elasticache-autoscaler"
NAMESPACE = "ElastiCacheAutoscaler"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)

for _name in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def _count(name: str, dimensions: dict[str, str]) -> None:
    # One EMF document per call: each carries its own dimension values (cluster, action, status).
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions={"service": SERVICE},
    ) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def count_decision(cluster: str, action: str, status: str) -> None:
    _count("Decisions", {"cluster": cluster, "action": action, "status": status})


def count_outcome(cluster: str, action: str, status: str) -> None:
    _count("Outcomes", {"cluster": cluster, "action": action, "status": status})


def count_breaker_opened(cluster: str) -> None:
    logger.warning("circuit breaker opened", cluster=cluster)
    _count("CircuitBreakerOpened", {})
