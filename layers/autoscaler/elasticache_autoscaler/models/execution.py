"""A scaling execution's identity, as the workflow hands it to its steps."""

from datetime import datetime

from elasticache_autoscaler.models.base import WireModel


class Execution(WireModel):
    arn: str
    started_at: datetime
