"""Demand against capacity over time: capacity as filled steps (a month has hundreds of actions, too many to
mark one by one), nodes below, breach minutes in red. matplotlib is imported here only, on demand: it is an
optional extra (``pip install '.[plot]'``), and the rest of the CLI runs without it."""

from pathlib import Path

from elasticache_autoscaler_cli.simulator.result import SimulationResult


def plot(result: SimulationResult, out: Path, title: str = "") -> None:
    import matplotlib  # noqa: PLC0415 - lazy: only the --plot path needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    series = result.series
    hours = [m / 60 for m in range(result.minutes)]
    fig, (ops, memory, nodes) = plt.subplots(
        3, 1, sharex=True, figsize=(12, 8), gridspec_kw={"height_ratios": [3, 3, 1.2]}
    )
    for axis, capacity, demand, what, label in (
        (
            ops,
            series.capacity_ops,
            series.demand_ops,
            "capacity before 90 % engine CPU",
            "demand (reads + writes /s)",
        ),
        (memory, series.maxmemory_gib, series.dataset_gib, "maxmemory, all shards (GiB)", "dataset (GiB)"),
    ):
        axis.fill_between(
            hours, capacity, step="post", color="tab:green", alpha=0.25, linewidth=0, label=what
        )
        axis.plot(hours, demand, label=label, color="tab:blue", linewidth=0.8)
    ops.set_ylabel("ops/s")
    memory.set_ylabel("GiB")
    nodes.fill_between(hours, series.nodes, step="post", color="tab:gray", alpha=0.5, linewidth=0)
    nodes.set_ylabel("nodes")
    nodes.set_ylim(bottom=0)
    nodes.set_xlabel("hours")
    for axis in (ops, memory):
        top = axis.get_ylim()[1]
        axis.fill_between(
            hours,
            top,
            where=series.breach,
            step="post",
            color="tab:red",
            alpha=0.3,
            linewidth=0,
            label="breach minutes",
        )
        axis.set_ylim(top=top)
        axis.legend(loc="upper left", fontsize=8)
    fig.suptitle(
        f"{title} {result.policy}: ${result.total_usd:.2f}, {result.breach_minutes} breach minutes, "
        f"{len(result.actions)} actions"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
