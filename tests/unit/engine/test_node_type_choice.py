"""Node type choice: the cheapest allowed type meeting the need, inside ElastiCache's list and the policy."""

import pytest
from pydantic import ValidationError

from elasticache_autoscaler.catalog import node_type
from elasticache_autoscaler.engine.node_type_choice import Need, choose_larger, choose_smaller, compute
from elasticache_autoscaler.models.policy import MaxStep, NodeFamilyRange, NodeTypeRules, Policy

R7G_LARGE = node_type("cache.r7g.large")
UP = (
    "cache.r7g.xlarge",
    "cache.r7g.2xlarge",
    "cache.m7g.xlarge",
    "cache.r6g.xlarge",
    "cache.c7gn.xlarge",
    "cache.r7g.4xlarge",
)


def test_the_cheapest_type_that_meets_every_need_wins() -> None:
    need = Need(maxmemory_gib=12.0, compute=0.9, network_gbps=0.9, grow="memory")

    choice = choose_larger(R7G_LARGE, UP, Policy(), "valkey", need)

    assert choice.node is not None
    assert choice.node.name == "cache.r6g.xlarge"  # 19.74 GiB, cheaper than r7g.xlarge


def test_a_cpu_need_can_pick_another_family() -> None:
    need = Need(maxmemory_gib=4.0, compute=1.2, network_gbps=0.9, grow="engine CPU")

    choice = choose_larger(R7G_LARGE, UP, Policy(), "valkey", need)

    assert choice.node is not None
    assert choice.node.name == "cache.m7g.xlarge"


def test_the_policys_families_restrict_the_choice() -> None:
    policy = Policy(node_types=NodeTypeRules(families=(NodeFamilyRange(family="r7g", max_size="2xlarge"),)))
    need = Need(maxmemory_gib=12.0, compute=0.9, network_gbps=0.9, grow="memory")

    choice = choose_larger(R7G_LARGE, UP, policy, "valkey", need)

    assert choice.node is not None
    assert choice.node.name == "cache.r7g.xlarge"


def test_max_step_limits_the_size_and_the_largest_reachable_is_taken() -> None:
    policy = Policy(max_step=MaxStep(node_sizes=1))
    need = Need(maxmemory_gib=60.0, compute=0.9, network_gbps=0.9, grow="memory")

    choice = choose_larger(R7G_LARGE, UP, policy, "valkey", need)

    assert choice.node is not None
    assert choice.node.name in {"cache.r7g.xlarge", "cache.r6g.xlarge"}
    assert "maxStep.nodeSizes" in choice.reason


def test_types_elasticache_does_not_list_are_never_chosen() -> None:
    need = Need(maxmemory_gib=12.0, compute=0.9, network_gbps=0.9, grow="memory")

    assert choose_larger(R7G_LARGE, (), Policy(), "valkey", need).node is None


def test_smaller_picks_the_cheapest_that_fits() -> None:
    current = node_type("cache.r7g.4xlarge")
    down = ("cache.r7g.2xlarge", "cache.r7g.xlarge", "cache.r7g.large")

    choice = choose_smaller(
        current, down, Policy(max_step=MaxStep(node_sizes=3)), "valkey", lambda n: n.maxmemory_gib >= 19
    )

    assert choice.node is not None
    assert choice.node.name == "cache.r7g.xlarge"


def test_engine_throughput_grows_with_io_threads_and_a_graviton2_core_counts_for_less() -> None:
    # one engine thread plus I/O threads: +24 % per vCPU doubling from 2 vCPU, at most +72 %
    assert compute(node_type("cache.r7g.large")) == pytest.approx(1.0)
    assert compute(node_type("cache.r7g.xlarge")) == pytest.approx(1.24)
    assert compute(node_type("cache.r7g.8xlarge")) == pytest.approx(1.72)
    assert compute(node_type("cache.r6g.xlarge")) == pytest.approx(1.24 / 1.28)
    # r6g.xlarge (0.97 of an r7g.large) does not meet a need of 1.0; r7g.xlarge does
    need = Need(maxmemory_gib=12.0, compute=1.0, network_gbps=0.9, grow="memory")

    choice = choose_larger(R7G_LARGE, UP, Policy(), "valkey", need)

    assert choice.node is not None
    assert choice.node.name == "cache.r7g.xlarge"


def test_smaller_never_moves_to_an_older_generation_that_makes_cpu_dearer() -> None:
    current = node_type("cache.r7g.xlarge")
    down = ("cache.r6g.large", "cache.r7g.large", "cache.m7g.large")
    policy = Policy(node_types=NodeTypeRules(types=("cache.r6g.large", "cache.r7g.large")))

    choice = choose_smaller(current, down, policy, "valkey", lambda n: True)

    # r6g.large is cheaper than r7g.large but 22 % slower per vCPU: its CPU costs more than today's
    assert choice.node is not None
    assert choice.node.name == "cache.r7g.large"


def test_smaller_finds_nothing_when_only_an_older_generation_is_cheaper() -> None:
    choice = choose_smaller(R7G_LARGE, ("cache.r6g.large",), Policy(), "valkey", lambda n: True)

    assert choice.node is None


def test_an_unrestricted_policy_never_moves_a_group_onto_a_burstable_type() -> None:
    # t4g.medium fits and its CPU is the cheapest per unit, but its CPU credits run out under sustained load
    choice = choose_smaller(R7G_LARGE, ("cache.t4g.medium",), Policy(), "valkey", lambda n: True)

    assert choice.node is None


def test_a_burstable_type_is_a_choice_when_the_policy_names_it_or_the_group_runs_on_one() -> None:
    named = Policy(node_types=NodeTypeRules(families=(NodeFamilyRange(family="t4g"),)))
    already = node_type("cache.t4g.small")
    need = Need(maxmemory_gib=2.0, compute=1, network_gbps=0.1, grow="memory")

    assert choose_smaller(
        R7G_LARGE, ("cache.t4g.medium",), named, "valkey", lambda n: True
    ).node == node_type("cache.t4g.medium")
    assert choose_larger(already, ("cache.t4g.medium",), Policy(), "valkey", need).node == node_type(
        "cache.t4g.medium"
    )


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"types": ["r7g.large"]}, "nodeTypes"),
        ({"families": [{"family": "r7g", "minSize": "huge"}]}, "nodeTypes.families.0"),
        ({"families": [{"family": "r7g", "minSize": "4xlarge", "maxSize": "large"}]}, "nodeTypes.families.0"),
    ],
)
def test_bad_node_type_rules_name_their_field(rules: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Policy.model_validate({"nodeTypes": rules})

    assert any(".".join(map(str, e["loc"])).startswith(field) for e in raised.value.errors())


def test_the_lookback_covers_the_longest_window() -> None:
    assert Policy(scale_in_stabilization_seconds=3 * 3600).metrics_lookback_seconds == 3 * 3600
