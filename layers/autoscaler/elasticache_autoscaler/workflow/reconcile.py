"""Keep each managed group's CloudWatch alarms in line with its policy and topology (``alarms``).

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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from elasticache_autoscaler.adapters.cloudwatch_alarms import AlarmStorePort, ExistingAlarm
from elasticache_autoscaler.adapters.elasticache import ElastiCacheGateway
from elasticache_autoscaler.adapters.error_codes import CLUSTER_NOT_FOUND, GROUP_NOT_FOUND
from elasticache_autoscaler.adapters.policy_store import InvalidPolicyError, PolicySource
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
from elasticache_autoscaler.observability import logger

if TYPE_CHECKING:
    from collections.abc import Iterable

GONE_CODES = GROUP_NOT_FOUND | CLUSTER_NOT_FOUND


@dataclass(frozen=True)
class ReconcileDeps:
    elasticache: ElastiCacheGateway
    alarms: AlarmStorePort
    policies: PolicySource
    prefix: str
    owner: str
    managed_tag_key: str
    managed_groups: ManagedGroupsPort


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


def _wanted(group: str, deps: ReconcileDeps) -> tuple[OwnedAlarm, ...] | None:
    """The alarms ``group`` should have (empty: none, it is not managed or gone); None: leave them as they
    are (its policy does not validate)."""
    try:
        topology, tags = deps.elasticache.read_topology_and_tags(group)
    except (ClusterNotFoundError, ClientError) as error:
        if _is_gone(error):
            return ()
        raise
    if tags.get(deps.managed_tag_key) != "true":
        return ()
    try:
        policy = deps.policies.policy_for(group)
    except InvalidPolicyError as error:
        logger.warning("policy does not validate: alarms left as they are", cluster=group, error=str(error))
        return None
    return desired_alarms(topology, policy, deps.prefix)


def _apply(
    wanted: "Iterable[OwnedAlarm]", existing: dict[str, ExistingAlarm], deps: ReconcileDeps, plan: _Plan
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
        groups = sorted(
            set(deps.managed_groups.managed_group_ids(deps.managed_tag_key))
            | {g for name in existing if (g := group_of_alarm(deps.prefix, name)) is not None}
        )
    else:
        existing = deps.alarms.list_alarms(group_prefix(deps.prefix, group))
        groups = [group]
    plan = _Plan()
    keep: set[str] = set()
    drawn: list[OwnedAlarm] = []
    for each in groups:
        wanted = _wanted(each, deps)
        if wanted is None:
            kept = [name for name in existing if group_of_alarm(deps.prefix, name) == each]
            plan.kept.extend(kept)
            keep.update(kept)
            continue
        keep |= _apply(wanted, existing, deps, plan)
        drawn.extend(wanted)
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
