"""Keep each managed cache's CloudWatch alarms in line with its policy and topology (``alarms`` for a
replication group, ``alarms_kinds`` for a Memcached cluster or a Serverless cache, through ``kinds``).

Run on its own schedule (every group, and every alarm of the prefix) and after every execution of the
scaling workflow that succeeded (that execution's group: its members may have changed). For each group:

* managed (tag ``<ManagedTagKey>=true``), with a valid policy: the alarms ``alarms.desired_alarms`` names are
  created when missing and put again when their configuration differs (thresholds, M-of-N, statistic);
* untagged or deleted: its alarms are deleted;
* a policy that does not validate: its alarms are left as they are (the decision log names the bad field);
* an alarm of the group's name prefix that is not wanted any more (a removed member, a role that changed)
  is deleted.

Never touching an alarm it does not own: before any put over an existing alarm or any delete, the alarm's
tag ``elasticache-autoscaler:owner`` must name this stack. An alarm of the prefix without it is reported
(``notOwned``) and left alone, even where reconcile would have wanted that name. In steady state nothing
differs and reconcile makes only reads, one DescribeReplicationGroups per group and one DescribeAlarms page
per 100 alarms, and one write: the dashboard ``<stack>-signals`` (``alarms.signals_dashboard``), each
managed group's signals against its thresholds.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters.cloudwatch_alarms import AlarmStorePort, ExistingAlarm
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.error_codes import CLUSTER_NOT_FOUND, GROUP_NOT_FOUND
from elasticache_autoscaler.adapters.policy_store import InvalidPolicyError, Policies
from elasticache_autoscaler.adapters.tagging import ManagedGroupsPort
from elasticache_autoscaler.alarms import (
    OwnedAlarm,
    desired_alarms,
    group_of_alarm,
    group_prefix,
    signals_dashboard,
)
from elasticache_autoscaler.errors import ClusterNotFoundError
from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.observability import logger

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_cloudwatch.type_defs import PutMetricAlarmInputTypeDef

    from elasticache_autoscaler.kinds.base import AlarmedKind

GONE_CODES = GROUP_NOT_FOUND | CLUSTER_NOT_FOUND


class WantedAlarm(Protocol):
    """An alarm a cache of any kind should have (``alarms.OwnedAlarm``, ``alarms_kinds.KindAlarm``)."""

    @property
    def name(self) -> str: ...
    def configuration(self) -> dict[str, object]: ...
    def put_request(self, owner: str) -> "PutMetricAlarmInputTypeDef": ...


@dataclass(frozen=True)
class ReconcileDeps:
    elasticache: ElastiCacheGateway
    alarms: AlarmStorePort
    policies: Policies
    prefix: str
    owner: str
    managed_tag_key: str
    managed_groups: ManagedGroupsPort
    other_kinds: "Sequence[AlarmedKind]" = ()
    """The kinds of cache besides replication groups (``kinds``): their alarms are reconciled too."""


class Reconciled(WireModel):
    """What one reconcile did, alarm names by outcome."""

    groups: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0
    not_owned: tuple[str, ...] = ()
    kept_invalid_policy: tuple[str, ...] = ()
    in_alarm: tuple[str, ...] = ()
    """The group's wanted alarms in ALARM now (for the follow-up after a scale-out)."""


@dataclass
class _Plan:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_owned: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    in_alarm: list[str] = field(default_factory=list)


def _is_gone(error: Exception) -> bool:
    if isinstance(error, ClusterNotFoundError):
        return True
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in GONE_CODES


def _group_alarms(group: str, deps: ReconcileDeps) -> tuple[OwnedAlarm, ...] | None:
    topology, tags = deps.elasticache.read_topology_and_tags(group)
    if tags.get(deps.managed_tag_key) != "true":
        return ()
    try:
        policy = deps.policies.policy_for(group)
    except InvalidPolicyError as error:
        logger.warning("policy does not validate: alarms left as they are", cluster=group, error=str(error))
        return None
    return desired_alarms(topology, policy, deps.prefix)


def _wanted_of_any_kind(
    cache: str, deps: ReconcileDeps, kind: CacheKind | None = None
) -> tuple[WantedAlarm, ...] | None:
    """The alarms ``cache`` should have (empty: none, it is not managed or gone; None: leave them as they
    are, its policy does not validate): its kind's (found by the Tagging API pass), else (a cache only an
    alarm names, or one cache reconciled after its execution) a replication group's, else each other
    kind's in turn."""
    others = {ops.kind: ops for ops in deps.other_kinds}
    if kind is not None and kind in others:
        return _kind_alarms(others[kind], cache, deps)
    try:
        return _group_alarms(cache, deps)
    except (ClusterNotFoundError, ClientError) as error:
        if not _is_gone(error):
            raise
    for ops in () if kind is not None else deps.other_kinds:
        try:
            return _kind_alarms(ops, cache, deps)
        except ClusterNotFoundError:
            continue
    return ()


def _kind_alarms(ops: "AlarmedKind", cache: str, deps: ReconcileDeps) -> tuple[WantedAlarm, ...] | None:
    try:
        return ops.desired_alarms(cache, deps.policies, deps.prefix, deps.managed_tag_key)
    except InvalidPolicyError as error:
        logger.warning("policy does not validate: alarms left as they are", cluster=cache, error=str(error))
        return None


def _apply(
    wanted: "Iterable[WantedAlarm]", existing: dict[str, ExistingAlarm], deps: ReconcileDeps, plan: _Plan
) -> set[str]:
    names: set[str] = set()
    for alarm in wanted:
        names.add(alarm.name)
        current = existing.get(alarm.name)
        if current is None:
            deps.alarms.put(alarm.put_request(deps.owner))
            plan.created.append(alarm.name)
            continue
        if current.state == "ALARM":
            plan.in_alarm.append(alarm.name)
        if current.configuration == alarm.configuration():
            plan.unchanged += 1
        elif deps.alarms.owner_of(current) != deps.owner:
            plan.not_owned.append(alarm.name)
        else:
            deps.alarms.put(alarm.put_request(deps.owner))
            plan.updated.append(alarm.name)
    return names


def _delete_unwanted(
    existing: dict[str, ExistingAlarm], keep: set[str], deps: ReconcileDeps, plan: _Plan
) -> None:
    doomed: list[str] = []
    for name, alarm in sorted(existing.items()):
        if name in keep:
            continue
        if deps.alarms.owner_of(alarm) != deps.owner:
            plan.not_owned.append(name)
        else:
            doomed.append(name)
    if doomed:
        deps.alarms.delete(doomed)
        plan.deleted.extend(doomed)


def dashboard_name(owner: str) -> str:
    return f"{owner}-signals"


def reconcile(deps: ReconcileDeps, group: str | None = None) -> Reconciled:
    """One group's alarms (``group``), or every managed group's (one Tagging API pass) and every group an
    alarm of the prefix names (untagged or deleted ones lose theirs), then (on a run over every group: it
    draws them all) the signals dashboard."""
    if group is None:
        existing = deps.alarms.list_alarms(deps.prefix)
        tag = deps.managed_tag_key
        kinds: dict[str, CacheKind] = (  # one Tagging API pass, over every kind wired
            {cache_id: kind for kind, cache_id in deps.managed_groups.managed_caches(tag)}
            if deps.other_kinds
            else dict.fromkeys(deps.managed_groups.managed_group_ids(tag), CacheKind.REPLICATION_GROUP)
        )
        groups = sorted(
            set(kinds) | {g for name in existing if (g := group_of_alarm(deps.prefix, name)) is not None}
        )
    else:
        existing = deps.alarms.list_alarms(group_prefix(deps.prefix, group))
        groups, kinds = [group], {}
    plan = _Plan()
    keep: set[str] = set()
    drawn: list[OwnedAlarm] = []
    for each in groups:
        wanted = _wanted_of_any_kind(each, deps, kinds.get(each))
        if wanted is None:
            kept = [name for name in existing if group_of_alarm(deps.prefix, name) == each]
            plan.kept.extend(kept)
            keep.update(kept)
            continue
        keep |= _apply(wanted, existing, deps, plan)
        drawn.extend(a for a in wanted if isinstance(a, OwnedAlarm))  # the dashboard draws groups' signals
    _delete_unwanted(existing, keep, deps, plan)
    if group is None:
        deps.alarms.put_dashboard(dashboard_name(deps.owner), signals_dashboard(drawn, deps.alarms.region))
    result = Reconciled(
        groups=tuple(groups),
        created=tuple(plan.created),
        updated=tuple(plan.updated),
        deleted=tuple(plan.deleted),
        unchanged=plan.unchanged,
        not_owned=tuple(plan.not_owned),
        kept_invalid_policy=tuple(plan.kept),
        in_alarm=tuple(plan.in_alarm),
    )
    logger.info(
        "alarms reconciled",
        groups=len(groups),
        alarms_created=len(plan.created),
        alarms_updated=len(plan.updated),
        alarms_deleted=len(plan.deleted),
        alarms_unchanged=plan.unchanged,
        alarms_not_owned=plan.not_owned,
    )
    return result
