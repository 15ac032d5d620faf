"""The one observability module: a Logger, Metrics and the tracing decorator shared by every function.

Structured key/value logs with the execution as correlation id, one metric per decision (``Decisions``)
and per outcome (``Outcomes``), by cluster, action and status (the dashboard's widgets), and
``CircuitBreakerOpened`` (service dimension only, so one alarm watches every cluster).
botocore's loggers stay at WARNING: it does not mark AuthToken / Passwords as sensitive.

Tracing (X-Ray, ``Tracing: Active`` in the template) costs nothing when it is off: Powertools' Tracer imports
the X-Ray SDK even when disabled (whose recorder, made at import, builds a botocore client outside Lambda),
so no Tracer is made then (trace_lambda_handler).
"""

import logging
from collections.abc import Callable
from functools import cache
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "elasticache-autoscaler"
NAMESPACE = "ElastiCacheAutoscaler"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

for _name in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def tracing_enabled() -> bool:
    """Powertools' own rule, read from the environment: on in Lambda, off under ``sam local`` and off when
    POWERTOOLS_TRACE_DISABLED is true (the Tracer it would make would then be disabled)."""
    return not Tracer._is_tracer_disabled()


def trace_lambda_handler[F: Callable[..., Any]](*, capture_response: bool = True) -> Callable[[F], F]:
    """Powertools' ``Tracer.capture_lambda_handler`` when tracing is on (the Tracer, made here, patches
    botocore as before); the handler itself, untouched, when it is off (no X-Ray SDK import)."""

    def decorate(handler: F) -> F:
        if not tracing_enabled():
            return handler
        return cast(F, _tracer().capture_lambda_handler(handler, capture_response=capture_response))

    return decorate


@cache
def _tracer() -> Tracer:
    return Tracer(service=SERVICE)


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
