"""On a load that only trends one way, or that bursts again and again, the autoscaler never reverses
itself (DESIGN §8, issues 6 and 12).

Each example runs our ``decide()`` through the simulator's twin exactly as ``bench`` does (the
``autoscaler`` controller, default policy, default timings), on a 2-8 hour trace in which reads, writes
and/or the dataset rise, fall, or rise or fall and then hold, with up to 3 % noise (``trace_strategies``),
on a cluster-mode-enabled and on a cluster-mode-disabled group.

What a one-way load guarantees, and so what is asserted:
- always: no reversal, i.e. no action opposite to one that finished at most 30 min before it started
  (``result.reversals``, the benchmark's own count);
- rising without a plateau: a scale-out is never taken back, however much later, by a scale-in of the
  same kind before any other scale-out (no ``remove_replicas`` after an ``add_replicas``, ``remove_shards``
  after ``add_shards``, ``scale_down`` after ``scale_up``): what asked for it only grows, and the engine sizes
  to the fewest that bring it under target. Not asserted, because a one-way load does not guarantee it:
  "no scale-in at all" (a group that starts larger than the load needs rightly sheds capacity: a rising
  signal is projected 50 min ahead, not to the end of the trace); a scale-in after a scale-out of another
  kind (shards added for memory rightly make replicas added for reads redundant); the same on a
  rise-then-plateau (a scale-out made on the trend may rightly be undone once the rise stops);
- falling: once the autoscaler has scaled in, it scales out again only when the topology it would replace
  breached (evictions, engine CPU at 90 %, network allowance): its projections keep what stays under target,
  and the load does not come back.
"""

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from elasticache_autoscaler_cli.simulator.baselines import controller
from elasticache_autoscaler_cli.simulator.result import ActionRecord, SimulationResult
from elasticache_autoscaler_cli.simulator.twin import simulate
from tests.property.trace_strategies import (
    FALLING,
    RISING,
    BurstLoad,
    ClusterMode,
    Shape,
    TrendingLoad,
    burst_loads,
    trending_loads,
)

# A simulated example costs 10-70 ms: 40 per cluster mode and test is ~7 s for the file when all pass.
SIMULATED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES: tuple[ClusterMode, ...] = ("enabled", "disabled")


def _describe(action: ActionRecord) -> str:
    return (
        f"minute {action.started_minute}-{action.finished_minute} {action.action.value} "
        f"{action.current.describe()} -> {action.target.describe()}: {action.reason}"
    )


def _run(data: st.DataObject, mode: ClusterMode, shapes: tuple[Shape, ...]) -> SimulationResult:
    load: TrendingLoad = data.draw(trending_loads(mode, shapes), label="load")
    result = simulate(load.trace(), load.cluster, controller("autoscaler"))
    note("actions:\n" + "\n".join(_describe(a) for a in result.actions))
    return result


@pytest.mark.parametrize("mode", MODES)
@SIMULATED
@given(data=st.data())
def test_a_trending_load_is_never_reversed_within_30_minutes(mode: ClusterMode, data: st.DataObject) -> None:
    # Given a load trending one way, when the autoscaler runs it in the twin
    result = _run(data, mode, RISING + FALLING)

    # Then no action undoes one that finished in the 30 minutes before it
    assert result.reversals == 0


@pytest.mark.parametrize("mode", MODES)
@SIMULATED
@given(data=st.data())
def test_a_rising_load_never_takes_back_capacity_it_added(mode: ClusterMode, data: st.DataObject) -> None:
    # Given a load that rises to the end of the trace, when the autoscaler runs it in the twin
    result = _run(data, mode, ("rise",))

    # Then no scale-in undoes the last scale-out before it, however long before
    last_out: ActionRecord | None = None
    for action in result.actions:
        if last_out is not None and action.action is last_out.action.opposite:
            pytest.fail(f"{_describe(action)} takes back {_describe(last_out)}")
        if action.action.is_scale_out:
            last_out = action


@pytest.mark.parametrize("mode", MODES)
@SIMULATED
@given(data=st.data())
def test_a_falling_load_scales_out_after_a_scale_in_only_on_a_breach(
    mode: ClusterMode, data: st.DataObject
) -> None:
    # Given a load that falls (and may then hold), when the autoscaler runs it in the twin
    result = _run(data, mode, FALLING)

    # Then after its first scale-in, every scale-out replaces a topology that breached
    actions = result.actions
    first_in = next((i for i, a in enumerate(actions) if a.action.is_scale_in), len(actions))
    for before, action in zip(actions[first_in:], actions[first_in + 1 :], strict=False):
        if action.action.is_scale_out:
            breaches = result.series.breach[before.finished_minute : action.started_minute + 1]
            assert any(breaches), f"{_describe(action)} with no breach since {_describe(before)}"


@pytest.mark.parametrize("mode", MODES)
@SIMULATED
@given(data=st.data())
def test_repeated_bursts_are_never_reversed_within_30_minutes(mode: ClusterMode, data: st.DataObject) -> None:
    # Given bursts of reads or writes every 20-60 min, each shorter than half its period
    load: BurstLoad = data.draw(burst_loads(mode), label="load")

    # When the autoscaler runs them in the twin
    result = simulate(load.trace(), load.cluster, controller("autoscaler"))
    note("actions:\n" + "\n".join(_describe(a) for a in result.actions))

    # Then no action undoes one that finished in the 30 minutes before it
    assert result.reversals == 0
