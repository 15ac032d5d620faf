"""Whether the last reshard spread the hottest shard's writes, read from the engine's own history and the
per-shard write CPU it already has.

A reshard moves whole hash slots. Load spread over many keys moves with them: every shard's share falls
alike, and the hottest shard stands out from the average as much as before. A hot key (or a few keys in one
slot) stays on its shard: the others lose load, the hot shard keeps most of its own, and it stands out more
than before (write CPU max / average over shards). When it stands out ``UNSPREAD_RISE`` times more than
before the last ``add_shards``, more shards would not relieve it: a larger node type does. The finding is
remembered through history: once the engine scaled up after that reshard, it keeps preferring a larger node
for write CPU until shards are removed.
"""

from math import ceil
from statistics import fmean

from elasticache_autoscaler.engine.situation import Situation
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.history import PastDecision
from elasticache_autoscaler.models.snapshot import MetricName, Role

# The hottest shard's write CPU over the average must stand out this much more than before the reshard
# (an even spread keeps the ratio; a hot key that stays raises it by up to the shard count's growth).
UNSPREAD_RISE = 1.15
# Points before the reshard's decision averaged per shard (as many as the scale-out view reads, and more).
BEFORE_POINTS = 5


def _last_reshard(sit: Situation) -> PastDecision | None:
    reshards = [
        past
        for past in sit.history
        if past.action in (Action.ADD_SHARDS, Action.REMOVE_SHARDS) and past.may_have_changed_cluster
    ]
    return max(reshards, key=lambda past: past.settled_at, default=None)


def _standing_out_before(sit: Situation, reshard: PastDecision) -> float | None:
    """Hottest shard's write CPU over the average across shards, before ``reshard`` was decided."""
    metrics = sit.snapshot.metrics
    since = ceil((metrics.window_end - reshard.decided_at).total_seconds() / metrics.period_seconds)
    means = [
        fmean(values[-(since + BEFORE_POINTS) : -since])
        for values in metrics.values(MetricName.ENGINE_CPU, Role.PRIMARY).values()
        if since > 0 and len(values) >= since + BEFORE_POINTS
    ]
    if len(means) < 2 or fmean(means) <= 0:
        return None
    return max(means) / fmean(means)


def reshard_did_not_spread(sit: Situation) -> str | None:
    """Why more shards would not relieve the hottest shard's writes, or None (they would, or unknown)."""
    if not sit.topology.cluster_mode_enabled:
        return None
    reshard = _last_reshard(sit)
    if reshard is None or reshard.action is not Action.ADD_SHARDS or reshard.finished_at is None:
        return None
    if any(
        past.action is Action.SCALE_UP
        and past.may_have_changed_cluster
        and past.decided_at > reshard.settled_at
        for past in sit.history
    ):
        return (
            "the last add_shards did not spread the hottest shard's writes and the engine has since chosen a "
            "larger node type: it keeps doing so until shards are removed"
        )
    settled = (sit.now - reshard.settled_at).total_seconds()
    signals = sit.signals
    hottest, average = signals.write_cpu_max_percent, signals.write_cpu_avg_percent
    if settled < sit.policy.scale_out_evaluation_seconds or not hottest or not average:
        return None
    before = _standing_out_before(sit, reshard)
    after = hottest / average
    if before is None or after < before * UNSPREAD_RISE:
        return None
    return (
        f"the last add_shards did not spread the hottest shard's writes: it stands out {after:.2f}x over the "
        f"average, {before:.2f}x before (at least {UNSPREAD_RISE:.2f}x more: a hot key no reshard splits)"
    )
