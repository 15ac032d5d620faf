"""Demand against capacity over time, every action marked. matplotlib is imported here only, on demand:
it is an optional extra (``pip install '.[plot]'``), and the rest of the CLI runs without it."""

from pathlib import Path

from elasticache_autoscaler_cli.simulator.result import SimulationResult


def plot(result: SimulationResult, out: Path, title: str = "") -> None:
    import matplotlib  # noqa: PLC0415 - lazy: only the --plot path needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    series = result.series
    hours = [m / 60 for m in range(result.minutes)]
    fig, (ops, memory) = plt.subplots(2, 1, sharex=True, figsize=(12, 7))
    ops.plot(hours, series.demand_ops, label="demand (reads + writes /s)", color="tab:blue", linewidth=0.8)
    ops.plot(hours, series.capacity_ops, label="capacity before 90 % engine CPU", color="tab:green")
    ops.set_ylabel("ops/s")
    memory.plot(hours, series.dataset_gib, label="dataset (GiB)", color="tab:blue", linewidth=0.8)
    memory.plot(hours, series.maxmemory_gib, label="maxmemory, all shards (GiB)", color="tab:green")
    memory.set_ylabel("GiB")
    memory.set_xlabel("hours")
    for axis in (ops, memory):
        for i, breach in enumerate(series.breach):
            if breach:
                axis.axvspan(hours[i], hours[i] + 1 / 60, color="tab:red", alpha=0.15, linewidth=0)
        for action in result.actions:
            colour = "tab:orange" if action.action.is_scale_out else "tab:purple"
            axis.axvline(action.started_minute / 60, color=colour, linestyle="--", linewidth=0.8)
    for action in result.actions:
        ops.annotate(
            action.action.value,
            (action.started_minute / 60, ops.get_ylim()[1]),
            rotation=90,
            fontsize=7,
            va="top",
        )
    ops.legend(loc="upper left", fontsize=8)
    memory.legend(loc="upper left", fontsize=8)
    fig.suptitle(
        f"{title} {result.policy}: ${result.cost_usd:.2f}, {result.breach_minutes} breach minutes (red), "
        f"{len(result.actions)} actions (dashed)"
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
