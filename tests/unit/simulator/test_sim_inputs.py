"""The trace and cluster file formats: any well-formed file runs, a malformed one names line and column."""

import pytest

from elasticache_autoscaler_cli.simulator.bench import scenarios
from elasticache_autoscaler_cli.simulator.inputs import InputError, parse_cluster, parse_trace

HEADER = "minute,reads_per_s,writes_per_s,dataset_gib,connections,avg_item_bytes\n"
CLUSTER = (
    '{"engine": "valkey", "cluster_mode": "enabled", "node_type": "cache.r7g.large",'
    ' "shards": 3, "replicas_per_shard": 1, "multi_az": true}'
)


def test_a_well_formed_trace_becomes_column_arrays() -> None:
    trace = parse_trace(HEADER + "0,100,10.5,1.25,50,512\n1,200,20,1.5,60,512\n")

    assert len(trace) == 2
    assert trace.reads_per_s == (100.0, 200.0)
    assert trace.writes_per_s == (10.5, 20.0)
    assert trace.dataset_gib == (1.25, 1.5)
    assert trace.connections == (50, 60)


def test_a_trace_may_start_at_any_minute_and_ignore_blank_lines() -> None:
    trace = parse_trace(HEADER + "60,1,1,1,1,1\n\n61,1,1,1,1,1\n")

    assert trace.minutes == (60, 61)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "minute,reads,writes_per_s,dataset_gib,connections,avg_item_bytes\n0,1,1,1,1,1\n",
            "line 1, column 2",
        ),
        (HEADER + "0,1,1,1,1,1\n1,1,abc,1,1,1\n", "line 3, column 3 (writes_per_s)"),
        (HEADER + "0,1,1,-2,1,1\n", "line 2, column 4 (dataset_gib)"),
        (HEADER + "0,1,1,1,1,0\n", "line 2, column 6 (avg_item_bytes)"),
        (HEADER + "0,1,1,1,1.5,1\n", "line 2, column 5 (connections)"),
        (HEADER + "0,1,1,1,1\n", "line 2, column 6"),
        (HEADER + "0,1,1,1,1,1\n2,1,1,1,1,1\n", "line 3, column 1 (minute)"),
        (HEADER + "0,1,nan,1,1,1\n", "line 2, column 3 (writes_per_s)"),
        (HEADER, "line 2"),
        ("", "line 1"),
    ],
)
def test_a_malformed_trace_names_the_line_and_column(text: str, where: str) -> None:
    with pytest.raises(InputError, match="^t.csv: " + where.replace("(", r"\(").replace(")", r"\)")):
        parse_trace(text, "t.csv")


def test_a_cluster_file_is_validated_field_by_field() -> None:
    cluster = parse_cluster(CLUSTER)

    assert cluster.cluster_mode_enabled
    assert cluster.hot_shard_share is None


def test_a_hot_shard_is_a_hot_key_that_stays_unless_the_file_says_its_range_splits() -> None:
    hot = CLUSTER.replace("}", ', "hot_shard_share": 0.5}')

    assert parse_cluster(hot).hot_key_split == "stays"
    assert parse_cluster(hot.replace("}", ', "hot_key_split": "even"}')).hot_key_split == "even"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"engine": "valkey",\n "shards": }', "line 2, column 12"),
        (CLUSTER.replace('"valkey"', '"memcached"'), "engine"),
        (CLUSTER.replace("cache.r7g.large", "cache.x9.huge"), "unknown node type"),
        (CLUSTER.replace('"shards": 3', '"shards": 3, "colour": "red"'), "colour"),
        (CLUSTER.replace('"enabled"', '"disabled"'), "exactly 1 shard"),
        (CLUSTER.replace('"replicas_per_shard": 1', '"replicas_per_shard": 0'), "multi_az"),
        (CLUSTER.replace("}", ', "hot_shard_share": 0.2}'), "hot_shard_share"),
        (CLUSTER.replace("}", ', "hot_key_split": "halves"}'), "hot_key_split"),
    ],
)
def test_a_bad_cluster_file_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_cluster(text, "c.json")


def test_every_shipped_scenario_parses_and_includes_a_cluster_mode_disabled_case() -> None:
    shipped = list(scenarios())

    assert len(shipped) >= 7
    assert all(len(s.trace) >= 1440 for s in shipped)
    assert any(not s.spec.cluster_mode_enabled for s in shipped)
    assert any(s.spec.hot_shard_share for s in shipped)
