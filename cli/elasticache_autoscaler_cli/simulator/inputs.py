"""The simulator's two input files, parsed at the edge: a load trace (CSV) and a cluster file (JSON).

Trace (one row per minute, consecutive minutes)::

    minute,reads_per_s,writes_per_s,dataset_gib,connections,avg_item_bytes

Cluster file::

    {"engine": "valkey", "cluster_mode": "enabled", "node_type": "cache.r7g.large",
     "shards": 3, "replicas_per_shard": 1, "multi_az": true, "hot_shard_share": 0.5,
     "hot_key_split": "stays"}

``hot_key_split`` (with ``hot_shard_share``): ``stays``, the default, the hot shard's excess is a hot key
that stays on one shard whatever the resharding; ``even``, it is a hot slot range that splits with the
keyspace.

A bad file is an :class:`InputError` naming the file, the line and the column (or the field).
"""

import csv
import gzip
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from elasticache_autoscaler.catalog import Engine, UnknownNodeTypeError, node_type

TRACE_COLUMNS = ("minute", "reads_per_s", "writes_per_s", "dataset_gib", "connections", "avg_item_bytes")


class InputError(ValueError):
    """A trace or cluster file that does not follow the documented format."""


class StrictInput(BaseModel):
    """An input file's model: no unknown field, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TraceRow(StrictInput):
    minute: int = Field(ge=0)
    reads_per_s: float = Field(ge=0, allow_inf_nan=False)
    writes_per_s: float = Field(ge=0, allow_inf_nan=False)
    dataset_gib: float = Field(ge=0, allow_inf_nan=False)
    connections: int = Field(ge=0)
    avg_item_bytes: float = Field(gt=0, allow_inf_nan=False)


class ClusterSpec(StrictInput):
    """The replication group the trace runs against, as it is at minute 0."""

    engine: Engine
    cluster_mode: Literal["enabled", "disabled"]
    node_type: str
    shards: int = Field(ge=1, le=500)
    replicas_per_shard: int = Field(ge=0, le=5)
    multi_az: bool
    hot_shard_share: float | None = Field(default=None, gt=0, le=1)
    hot_key_split: Literal["even", "stays"] = "stays"

    @property
    def cluster_mode_enabled(self) -> bool:
        return self.cluster_mode == "enabled"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        try:
            node_type(self.node_type)
        except UnknownNodeTypeError as error:
            raise ValueError(str(error.args[0])) from None
        if not self.cluster_mode_enabled and self.shards != 1:
            raise ValueError("a cluster-mode-disabled group has exactly 1 shard")
        if self.multi_az and self.replicas_per_shard < 1:
            raise ValueError("multi_az needs at least 1 replica per shard")
        if self.hot_shard_share is not None and self.hot_shard_share < 1 / self.shards:
            raise ValueError("hot_shard_share cannot be below 1 / shards (an even spread)")
        return self


@dataclass(frozen=True, slots=True)
class Trace:
    """A load trace as plain column arrays (fast to index in the twin's minute loop)."""

    minutes: tuple[int, ...]
    reads_per_s: tuple[float, ...]
    writes_per_s: tuple[float, ...]
    dataset_gib: tuple[float, ...]
    connections: tuple[int, ...]
    avg_item_bytes: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.minutes)

    @classmethod
    def from_rows(cls, rows: list[TraceRow]) -> "Trace":
        return cls(
            minutes=tuple(r.minute for r in rows),
            reads_per_s=tuple(r.reads_per_s for r in rows),
            writes_per_s=tuple(r.writes_per_s for r in rows),
            dataset_gib=tuple(r.dataset_gib for r in rows),
            connections=tuple(r.connections for r in rows),
            avg_item_bytes=tuple(r.avg_item_bytes for r in rows),
        )

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TRACE_COLUMNS)
        for i in range(len(self)):
            writer.writerow(
                (
                    self.minutes[i],
                    _num(self.reads_per_s[i]),
                    _num(self.writes_per_s[i]),
                    _num(self.dataset_gib[i], 3),
                    self.connections[i],
                    _num(self.avg_item_bytes[i]),
                )
            )
        return out.getvalue()


def _num(value: float, digits: int = 1) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def parse_trace(text: str, source: str = "trace") -> Trace:
    """Parse a trace; line numbers count the header as line 1, columns count from 1."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise InputError(f"{source}: line 1: empty file, expected header {','.join(TRACE_COLUMNS)}")
    header = [h.strip() for h in header]
    if tuple(header) != TRACE_COLUMNS:
        column = next(
            (i for i, (a, b) in enumerate(zip(header, TRACE_COLUMNS, strict=False)) if a != b), None
        )
        column = len(min(header, TRACE_COLUMNS, key=len)) if column is None else column
        raise InputError(
            f"{source}: line 1, column {column + 1}: header must be {','.join(TRACE_COLUMNS)}, "
            f"got {','.join(header)}"
        )
    rows: list[TraceRow] = []
    for values in reader:
        line = reader.line_num
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(TRACE_COLUMNS):
            column = min(len(values), len(TRACE_COLUMNS)) + 1
            raise InputError(
                f"{source}: line {line}, column {column}: "
                f"expected {len(TRACE_COLUMNS)} values, got {len(values)}"
            )
        try:
            row = TraceRow.model_validate(dict(zip(TRACE_COLUMNS, (v.strip() for v in values), strict=True)))
        except ValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else TRACE_COLUMNS[0]
            column = TRACE_COLUMNS.index(name) + 1
            raise InputError(
                f"{source}: line {line}, column {column} ({name}): {first['msg']}, got {first['input']!r}"
            ) from None
        if rows and row.minute != rows[-1].minute + 1:
            raise InputError(
                f"{source}: line {line}, column 1 (minute): expected minute {rows[-1].minute + 1} "
                f"(one row per minute), got {row.minute}"
            )
        rows.append(row)
    if not rows:
        raise InputError(f"{source}: line 2: the trace has no rows")
    return Trace.from_rows(rows)


def load_trace(path: Path) -> Trace:
    """A trace file; a name ending in ``.gz`` is read as gzipped CSV."""
    if path.suffix == ".gz":
        return parse_trace(gzip.decompress(path.read_bytes()).decode(), str(path))
    return parse_trace(path.read_text(), str(path))


def parse_json[T](text: str, source: str, validate: Callable[[object], T]) -> T:
    """A JSON input file through ``validate`` (a pydantic validator); any problem is an ``InputError``."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{source}: line {error.lineno}, column {error.colno}: {error.msg}") from None
    try:
        return validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}"
            for e in error.errors(include_input=False)
        )
        raise InputError(f"{source}: {problems}") from None


def parse_cluster(text: str, source: str = "cluster") -> ClusterSpec:
    return parse_json(text, source, ClusterSpec.model_validate)


def load_cluster(path: Path) -> ClusterSpec:
    return parse_cluster(path.read_text(), str(path))
