"""The README's copy-paste inputs are what the product accepts: every console example line is parsed by the
workflow's own input model (``parse_request``) and taken by its kind's rules (``refusal``), every action of
each kind has an example, and every policy example validates with its kind's policy model."""

import json
import re
from pathlib import Path

import pytest

from elasticache_autoscaler.kinds import memcached, replication_group, serverless
from elasticache_autoscaler.kinds.registry import rules_for
from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler.models.kind_policy import MemcachedPolicy, ServerlessPolicy
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.request import WorkflowRequest
from elasticache_autoscaler.workflow.observe import parse_request

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)
POLICY_EXAMPLE = re.compile(r"--name \S+/clusters/(\S+) \\\n\s+--value '([^']+)'")
# The example caches of the README, by kind (a policy override is validated with its kind's model)
POLICY_MODELS: dict[str, type[Policy | MemcachedPolicy | ServerlessPolicy]] = {
    "orders": Policy,
    "sessions-mc": MemcachedPolicy,
    "carts-sl": ServerlessPolicy,
}


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def console_examples() -> list[dict[str, object]]:
    blocks = JSON_BLOCK.findall(_section("Start it by hand (Step Functions console)"))
    return [json.loads(line) for block in blocks for line in block.splitlines() if line.strip()]


def _kind(request: WorkflowRequest) -> CacheKind:
    return request.kind or CacheKind.REPLICATION_GROUP


@pytest.mark.parametrize(
    "example", console_examples(), ids=lambda e: f"{e.get('kind', 'group')}-{e.get('action')}"
)
def test_each_console_example_is_parsed_and_taken_by_its_kind(example: dict[str, object]) -> None:
    request = parse_request(example)
    assert rules_for(_kind(request)).refusal(request) is None


@pytest.mark.parametrize(
    ("kind", "actions"),
    [
        (CacheKind.REPLICATION_GROUP, replication_group.ACTIONS),
        (CacheKind.MEMCACHED, memcached.ACTIONS),
        (CacheKind.SERVERLESS, serverless.ACTIONS),
    ],
)
def test_every_action_of_each_kind_has_a_console_example(kind: CacheKind, actions: frozenset[object]) -> None:
    shown = {request.action for request in map(parse_request, console_examples()) if _kind(request) is kind}
    assert shown == actions


def test_the_serverless_examples_raise_lower_and_set_minimums() -> None:
    limits = [
        set(request.limits.model_dump(exclude_none=True))
        for request in map(parse_request, console_examples())
        if request.limits is not None
    ]
    assert any(keys & {"data_storage_max_gb", "ecpu_per_second_max"} for keys in limits)
    assert any(keys <= {"data_storage_min_gb", "ecpu_per_second_min"} for keys in limits)


def test_each_policy_example_validates_with_its_kinds_model() -> None:
    examples = POLICY_EXAMPLE.findall(README)
    assert {cache for cache, _ in examples} == set(POLICY_MODELS)
    for cache, value in examples:
        POLICY_MODELS[cache].model_validate(json.loads(value))


def test_the_readme_shows_a_serverless_schedule() -> None:
    schedules = [
        ServerlessPolicy.model_validate(json.loads(value)).schedules
        for cache, value in POLICY_EXAMPLE.findall(README)
        if cache == "carts-sl"
    ]
    assert any(schedules)
