"""The ElastiCache node type catalog: capacity and on-demand price of every current-generation type.

Built from ``data/elasticache_node_types.csv`` (us-east-1 on-demand prices; Valkey = 0.8 x Redis OSS;
``maxmemory`` = 75 % of memory with the default reserved memory), with the types a group may change to
(``allowed_modifications``). Standard library only: the local emulator imports this module too.
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


# Families whose nodes tier data to SSD; no type change crosses this line (see allowed_modifications).
DATA_TIERING_FAMILIES = frozenset({"r6gd"})


def _data_tiering(family: str) -> bool:
    return family in DATA_TIERING_FAMILIES


def allowed_modifications(current: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ListAllowedNodeTypeModifications for a Valkey / Redis OSS group of type ``current``: (up, down).

    ElastiCache lists the node types the group's current type can be modified to, across families, not
    only the other sizes of the same family ("Lists all available node types that you can scale with your
    cluster's replication group's current node type", API reference, ListAllowedNodeTypeModifications,
    https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ListAllowedNodeTypeModifications.html;
    its example answer mixes m- and r-family types). The one documented exclusion: "Scaling is not
    supported between a data tiering cluster (for example, a cluster using an r6gd node type) and a
    cluster that does not use data tiering" (Online vertical scaling by modifying node type,
    https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/redis-cluster-vertical-scaling.html).
    So: every other catalog type on the same side of the data-tiering line; more memory is listed under
    ``ScaleUpModifications``, less under ``ScaleDownModifications``, and a type with the same memory (a
    newer or older generation, r6g.large <-> r7g.large) under scale up, as it is no memory scale-down.
    """
    here = node_type(current)
    others = [
        n
        for n in catalog().values()
        if n.name != current and _data_tiering(n.family) == _data_tiering(here.family)
    ]
    up = tuple(n.name for n in others if n.memory_gib >= here.memory_gib)
    down = tuple(n.name for n in others if n.memory_gib < here.memory_gib)
    return up, down
