"""Hourly on-demand cost of a capacity, from the node type catalog (price x node count)."""

from elasticache_autoscaler.catalog import Engine, catalog
from elasticache_autoscaler.models.decision import Capacity


def hourly_cost(engine: Engine, node_type: str, node_count: int) -> float | None:
    """None when the catalog does not know the node type."""
    node = catalog().get(node_type)
    return None if node is None else round(node.price_per_hour(engine) * node_count, 4)


def capacity_cost(engine: Engine, capacity: Capacity) -> float | None:
    return hourly_cost(engine, capacity.node_type, capacity.node_count)
