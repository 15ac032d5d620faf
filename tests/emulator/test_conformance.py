"""The emulator answers every ElastiCache call the product makes in AWS's shape (issue 11, finding 1).

The emulator once sent ``NodeGroupMember.CurrentRole`` for cluster-mode-enabled groups, which AWS never
does (botocore's model documents it as cluster-mode-disabled only; AWS's example answer for a clustered
group has none), so no test could see the adapter reading a missing role as "primary". For each call the
product makes (grep ``_client.`` in ``adapters/elasticache*.py``), for a CME and a CMD group, two checks:

* **no member the model lacks**: the *raw* XML answer (captured at ``before-parse``: botocore's parser
  silently drops elements its model does not know, so the parsed answer cannot show them) is walked
  against botocore's output shape from ``service-2.json``, recursively through structures and lists;
* **no cluster-mode-disabled-only member in a CME answer**: every member whose model documentation says
  it is only applicable to cluster mode disabled (``CMD_ONLY``, derived from the model, e.g.
  ``NodeGroupMember.CurrentRole`` and ``ReadEndpoint``) is absent from the parsed answer of a CME group.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from tools.emulator.control import Emulator

pytestmark = pytest.mark.emulator

MODEL = botocore.session.get_session().get_service_model("elasticache")
CMD_ONLY_DOC = re.compile(r"only applicable (?:for|on|to) [^.]*\(cluster mode disabled\)", re.IGNORECASE)


def _cmd_only_members() -> set[tuple[str, str]]:
    """(structure, member) pairs the model documents as applicable only to cluster mode disabled."""
    found: set[tuple[str, str]] = set()
    for name in MODEL.shape_names:
        shape = MODEL.shape_for(name)
        if isinstance(shape, StructureShape):
            for member, member_shape in shape.members.items():
                if CMD_ONLY_DOC.search(member_shape.documentation or ""):
                    found.add((name, member))
    return found


CMD_ONLY = _cmd_only_members()


def test_the_model_documents_current_role_and_read_endpoint_as_cmd_only() -> None:
    assert {("NodeGroupMember", "CurrentRole"), ("NodeGroupMember", "ReadEndpoint")} <= CMD_ONLY


# --- walking answers against the model -----------------------------------------------------------------


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _structure_extras(element: ET.Element, shape: StructureShape, path: str) -> list[str]:
    by_location: dict[str, Shape] = {}
    for name, member in shape.members.items():
        if isinstance(member, ListShape) and member.serialization.get("flattened"):
            by_location[member.member.serialization.get("name", name)] = member.member
        else:
            by_location[member.serialization.get("name", name)] = member
    problems: list[str] = []
    for child in element:
        tag = _tag(child)
        if tag not in by_location:
            problems.append(f"{path}.{tag} (not in {shape.name})")
        else:
            problems += extra_members(child, by_location[tag], f"{path}.{tag}")
    return problems


def extra_members(element: ET.Element, shape: Shape, path: str) -> list[str]:
    """Paths of XML elements under ``element`` that ``shape`` (query protocol) does not define."""
    if isinstance(shape, StructureShape):
        return _structure_extras(element, shape, path)
    problems: list[str] = []
    if isinstance(shape, ListShape):
        item = shape.member.serialization.get("name", "member")
        for index, child in enumerate(element):
            if _tag(child) != item:
                problems.append(f"{path}[{index}] is <{_tag(child)}>, the model's list item is <{item}>")
            else:
                problems += extra_members(child, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape):
        problems.append(f"{path}: a map (not used by ElastiCache's answers here)")
    elif len(element):
        problems.append(f"{path}: children in a {shape.type_name}")
    return problems


def cmd_only_present(value: Any, shape: Shape, path: str) -> list[str]:
    """Paths in a parsed answer of members the model documents as cluster-mode-disabled only."""
    found: list[str] = []
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            if name not in value:
                continue
            if (shape.name, name) in CMD_ONLY:
                found.append(f"{path}.{name}")
            found += cmd_only_present(value[name], member, f"{path}.{name}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            found += cmd_only_present(item, shape.member, f"{path}[{index}]")
    return found


class Recorder:
    """Every ElastiCache answer of one client: (operation, raw XML body, parsed answer)."""

    def __init__(self, client: Any) -> None:
        self.raw: list[tuple[OperationModel, bytes]] = []
        self.answers: list[tuple[str, bytes, dict[str, Any]]] = []
        client.meta.events.register("before-parse.elasticache.*", self._before_parse)
        client.meta.events.register("after-call.elasticache.*", self._after_call)

    def _before_parse(self, operation_model: OperationModel, response_dict: dict[str, Any], **_: Any) -> None:
        self.raw.append((operation_model, response_dict["body"]))

    def _after_call(self, model: OperationModel, parsed: dict[str, Any], **_: Any) -> None:
        operation, body = self.raw[-1]
        assert operation.name == model.name
        self.answers.append((model.name, body, parsed))


def problems_of(operation: str, body: bytes, parsed: dict[str, Any], cluster_mode_enabled: bool) -> list[str]:
    model = MODEL.operation_model(operation)
    shape = model.output_shape
    root = ET.fromstring(body)
    if shape is None:
        return []
    wrapper = shape.serialization.get("resultWrapper")
    result = next((child for child in root if _tag(child) == wrapper), None)
    if result is None:
        return [f"{operation}: no <{wrapper}> in the answer"]
    problems = extra_members(result, shape, operation)
    if cluster_mode_enabled:
        problems += [f"{p} (cluster mode disabled only)" for p in cmd_only_present(parsed, shape, operation)]
    return problems


# --- the calls the product makes -----------------------------------------------------------------------


def _wait_available(ec: Any, group_id: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]["Status"] == (
            "available"
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"{group_id} never became available")


def _create(ec: Any, group_id: str, cluster_mode: bool) -> dict[str, Any]:
    shape: dict[str, Any] = (
        {"NumNodeGroups": 2, "ReplicasPerNodeGroup": 1, "ClusterMode": "enabled"}
        if cluster_mode
        else {"NumCacheClusters": 2}
    )
    group: dict[str, Any] = ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="conformance",
        Engine="valkey",
        CacheNodeType="cache.r7g.large",
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        TransitEncryptionEnabled=True,
        AuthToken="first-token-0123456789",
        Tags=[{"Key": "elasticache-autoscaler:managed", "Value": "true"}],
        **shape,
    )["ReplicationGroup"]
    return group


def _product_calls(ec: Any, group_id: str, cluster_mode: bool) -> None:
    """Each ElastiCache call the adapters make, as they make it, on one group."""
    group = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    ec.describe_cache_clusters(CacheClusterId=group["MemberClusters"][0], ShowCacheNodeInfo=False)
    ec.describe_cache_clusters(CacheClusterId=group["MemberClusters"][0])
    ec.describe_cache_clusters(ShowCacheNodeInfo=False, MaxRecords=100)
    ec.describe_replication_groups()
    ec.list_allowed_node_type_modifications(ReplicationGroupId=group_id)
    ec.list_tags_for_resource(ResourceName=group["ARN"])
    ec.increase_replica_count(ReplicationGroupId=group_id, NewReplicaCount=2, ApplyImmediately=True)
    _wait_available(ec, group_id)
    ec.decrease_replica_count(ReplicationGroupId=group_id, NewReplicaCount=1, ApplyImmediately=True)
    _wait_available(ec, group_id)
    if cluster_mode:
        ec.modify_replication_group_shard_configuration(
            ReplicationGroupId=group_id, NodeGroupCount=3, ApplyImmediately=True
        )
        _wait_available(ec, group_id)
    ec.modify_replication_group(
        ReplicationGroupId=group_id, CacheNodeType="cache.r7g.xlarge", ApplyImmediately=True
    )
    _wait_available(ec, group_id)
    ec.modify_replication_group(
        ReplicationGroupId=group_id,
        AuthToken="second-token-0123456789",
        AuthTokenUpdateStrategy="ROTATE",
        ApplyImmediately=True,
    )
    _wait_available(ec, group_id)
    ec.describe_replication_groups(ReplicationGroupId=group_id)


OPERATIONS = {
    "DescribeReplicationGroups",
    "DescribeCacheClusters",
    "ListAllowedNodeTypeModifications",
    "ListTagsForResource",
    "IncreaseReplicaCount",
    "DecreaseReplicaCount",
    "ModifyReplicationGroup",
}


@pytest.fixture
def recorded(client: Callable[[str], Any]) -> Iterator[tuple[Any, Recorder]]:
    ec = client("elasticache")
    yield ec, Recorder(ec)


@pytest.mark.parametrize("cluster_mode", [True, False], ids=["cme", "cmd"])
def test_every_answer_the_product_reads_has_only_model_members_in_the_right_mode(
    emu: Emulator, recorded: tuple[Any, Recorder], cluster_mode: bool
) -> None:
    ec, recorder = recorded
    group_id = f"conform-{'cme' if cluster_mode else 'cmd'}"
    _create(ec, group_id, cluster_mode)
    _wait_available(ec, group_id)
    recorder.answers.clear()

    _product_calls(ec, group_id, cluster_mode)

    seen = {operation for operation, _, _ in recorder.answers}
    expected = OPERATIONS | ({"ModifyReplicationGroupShardConfiguration"} if cluster_mode else set())
    assert expected <= seen
    # Other groups of the session may be of the other mode: judge only this group's answers in CME terms.
    problems = [
        problem
        for operation, body, parsed in recorder.answers
        for problem in problems_of(operation, body, _only(parsed, group_id), cluster_mode)
    ]
    assert not problems, _summary(problems)
    ec.delete_replication_group(ReplicationGroupId=group_id)


def _summary(problems: list[str]) -> str:
    """Each kind of problem once (list indices folded)."""
    return "\n".join(sorted({re.sub(r"\[\d+\]", "[]", p) for p in problems}))


def _only(parsed: dict[str, Any], group_id: str) -> dict[str, Any]:
    """The parsed answer with listings narrowed to ``group_id`` (account-wide listings hold other groups)."""
    narrowed = dict(parsed)
    if "ReplicationGroups" in narrowed:
        narrowed["ReplicationGroups"] = [
            g for g in narrowed["ReplicationGroups"] if g.get("ReplicationGroupId") == group_id
        ]
    return narrowed


def test_cme_members_have_no_current_role_and_cmd_members_do(recorded: tuple[Any, Recorder]) -> None:
    ec, _ = recorded
    _create(ec, "role-cme", cluster_mode=True)
    _create(ec, "role-cmd", cluster_mode=False)

    cme = ec.describe_replication_groups(ReplicationGroupId="role-cme")["ReplicationGroups"][0]
    cmd = ec.describe_replication_groups(ReplicationGroupId="role-cmd")["ReplicationGroups"][0]

    assert all("CurrentRole" not in m for ng in cme["NodeGroups"] for m in ng["NodeGroupMembers"])
    assert all("ReadEndpoint" not in m for ng in cme["NodeGroups"] for m in ng["NodeGroupMembers"])
    assert [m["CurrentRole"] for m in cmd["NodeGroups"][0]["NodeGroupMembers"]] == ["primary", "replica"]
    for group_id in ("role-cme", "role-cmd"):
        ec.delete_replication_group(ReplicationGroupId=group_id)


def test_rbac_user_calls_have_only_model_members(recorded: tuple[Any, Recorder]) -> None:
    ec, recorder = recorded
    ec.create_user(
        UserId="conform-user",
        UserName="conform-user",
        Engine="redis",
        Passwords=["first-password-0123456789"],
        AccessString="on ~* +@all",
    )
    deadline = time.monotonic() + 5
    while ec.describe_users(UserId="conform-user")["Users"][0]["Status"] != "active":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    recorder.answers.clear()

    ec.modify_user(
        UserId="conform-user", Passwords=["second-password-0123456789", "first-password-0123456789"]
    )
    ec.describe_users(UserId="conform-user")

    assert {operation for operation, _, _ in recorder.answers} == {"ModifyUser", "DescribeUsers"}
    problems = [p for op, body, parsed in recorder.answers for p in problems_of(op, body, parsed, False)]
    assert not problems, _summary(problems)
