"""The one observability module: a Logger, Metrics and Tracer shared by every function.

Structured key/value logs with the execution as correlation id, one metric per decision outcome.
botocore's loggers stay at WARNING: it does not mark AuthToken / Passwords as sensitive.
"""

import logging

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "elasticache-autoscaler"
NAMESPACE = "ElastiCacheAutoscaler"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)

for _name in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)
