"""The ElastiCache node type catalog: capacity and on-demand price of every current-generation type.

Built from ``data/elasticache_node_types.csv`` (us-east-1 on-demand prices; Valkey = 0.8 x Redis OSS;
``maxmemory`` = 75 % of memory with the default reserved memory).
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Engine = Literal["valkey", "redis"]


@dataclass(frozen=True, slots=True)
class NodeType:
    name: str
    family: str
    vcpu: int
    memory_gib: float
    maxmemory_gib: float
    network_baseline_gbps: float
    network_burst_gbps: float | None
    price_hour_redis_usd: float
    price_hour_valkey_usd: float

    def price_per_hour(self, engine: Engine) -> float:
        return self.price_hour_valkey_usd if engine == "valkey" else self.price_hour_redis_usd

    @property
    def size(self) -> str:
        """The part after the family: ``large``, ``2xlarge`` …"""
        return self.name.rsplit(".", 1)[-1]


class UnknownNodeTypeError(KeyError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown node type {name!r}: not in the node type catalog")


def _parse(row: dict[str, str]) -> NodeType:
    return NodeType(
        name=row["node_type"],
        family=row["family"],
        vcpu=int(row["vcpu"]),
        memory_gib=float(row["memory_gib"]),
        maxmemory_gib=float(row["maxmemory_gib_default"]),
        network_baseline_gbps=float(row["network_baseline_gbps"]),
        network_burst_gbps=float(row["network_burst_gbps"]) if row["network_burst_gbps"] else None,
        price_hour_redis_usd=float(row["price_hour_redis_usd"]),
        price_hour_valkey_usd=float(row["price_hour_valkey_usd"]),
    )


@cache
def catalog() -> dict[str, NodeType]:
    """Every node type by name, in the CSV's order (families grouped, sizes ascending)."""
    text = resources.files("elasticache_autoscaler").joinpath("data/elasticache_node_types.csv").read_text()
    return {node.name: node for node in map(_parse, csv.DictReader(text.splitlines()))}


def node_type(name: str) -> NodeType:
    try:
        return catalog()[name]
    except KeyError:
        raise UnknownNodeTypeError(name) from None
