"""Where the shipped scenarios live and how a scenario folder is read: ``trace.csv`` (or gzipped
``trace.csv.gz`` for the long ones) and ``cluster.json``, whose ``kind`` (none: a replication group) says
which twin runs it."""

import gzip
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable

from elasticache_autoscaler_cli.simulator.inputs import Trace, parse_trace
from elasticache_autoscaler_cli.simulator.kind_inputs import kind_of


def scenario_root() -> Traversable:
    return resources.files("elasticache_autoscaler_cli").joinpath("simulator/scenarios")


def scenario_folders(kind: str | None) -> Iterator[tuple[Traversable, str]]:
    """The shipped scenario folders of ``kind`` (None: replication groups), by name, with their cluster
    file's text."""
    for folder in sorted(scenario_root().iterdir(), key=lambda f: f.name):
        cluster = folder.joinpath("cluster.json")
        if folder.is_dir() and cluster.is_file():
            text = cluster.read_text()
            if kind_of(text) == kind:
                yield folder, text


def trace_in(folder: Traversable) -> Trace | None:
    plain, packed = folder.joinpath("trace.csv"), folder.joinpath("trace.csv.gz")
    if plain.is_file():
        return parse_trace(plain.read_text(), f"{folder.name}/trace.csv")
    if packed.is_file():
        return parse_trace(gzip.decompress(packed.read_bytes()).decode(), f"{folder.name}/trace.csv.gz")
    return None
