"""The system benchmark's cost arithmetic against hand-worked figures (no emulator)."""

import pytest

from tools import system_bench_cost as cost


def test_billed_gb_seconds_rounds_each_invocation_up_to_the_millisecond() -> None:
    # 100.2 ms -> 101, 49.9 ms -> 50: 151 ms x 0.25 GB = 0.03775 GB-s
    assert cost.billed_gb_seconds([100.2, 49.9], 256) == pytest.approx(0.03775)


def test_request_units() -> None:
    assert cost.write_units(10) == 1
    assert cost.write_units(1025) == 2
    assert cost.read_units(4096, consistent=True) == 1.0
    assert cost.read_units(4097, consistent=False) == 1.0  # 2 units, halved
    assert cost.read_units(0, consistent=False) == 0.5


def test_item_size_follows_the_documented_rules() -> None:
    # "id" (2) + "lock#g" (6); "n" (1) + 3 digits -> ceil(3/2)+1 = 3; "m" (1) + map 3 + ("k" 1 + True 1 + 1)
    item = {"id": {"S": "lock#g"}, "n": {"N": "123"}, "m": {"M": {"k": {"BOOL": True}}}}
    assert cost.item_size(item) == 8 + 4 + (1 + 3 + 3)


def test_one_evaluation_priced_by_hand() -> None:
    usage = cost.Usage(
        transitions=4,
        lambda_durations_ms=(200.0, 300.0),
        lambda_memory_mb=256,
        dynamodb_wru=2,
        dynamodb_rru=2.5,
        metrics_requested=14,
        sns_publishes=1,
    )
    lines = cost.cost_lines(usage)
    assert lines["Step Functions"] == pytest.approx(4 * 0.000025)  # $0.0001
    assert lines["Lambda requests"] == pytest.approx(2 * 0.0000002)  # $0.0000004
    assert lines["Lambda duration"] == pytest.approx(0.125 * 0.0000133334)  # 0.5 s x 0.25 GB
    assert lines["DynamoDB"] == pytest.approx(2 * 0.000000625 + 2.5 * 0.000000125)
    assert lines["CloudWatch GetMetricData"] == pytest.approx(14 * 0.00001)  # $0.00014
    assert lines["SNS"] == pytest.approx(0.0000005)
    assert cost.usage_cost(usage) == pytest.approx(0.00024412918)


def test_a_month_for_one_cluster() -> None:
    evaluate = cost.Usage(transitions=4, metrics_requested=14)  # 4 x 0.000025 + 14 x 0.00001 = 0.00024
    scale_out = cost.Usage(transitions=71)  # 0.001775
    tick = cost.Usage(lambda_durations_ms=(20.0,))  # 0.0000002 + 0.005 GB-s x 0.0000133334
    rows = cost.monthly_rows(evaluate, scale_out, tick, scheduled=8_640, alarm_scale_outs=60)
    assert [r.per_month for r in rows] == [8_640, 8_640, 60]
    assert rows[0].total == pytest.approx(8_640 * 0.00024)  # $2.0736
    assert rows[2].total == pytest.approx(60 * 0.001775)  # $0.1065
    tick_usd = 0.0000002 + 0.02 * 0.25 * 0.0000133334
    assert cost.monthly_total(rows) == pytest.approx(2.0736 + 8_640 * tick_usd + 0.1065)


def test_the_tick_is_shared_by_the_clusters_it_evaluates() -> None:
    tick = cost.Usage(lambda_durations_ms=(20.0,))
    rows = cost.monthly_rows(cost.Usage(), cost.Usage(), tick, clusters_per_tick=4)
    assert rows[1].per_month == 8_640 / 4


def test_check_rounds_on_aws() -> None:
    assert cost.check_loops_on_aws(10, 30) == 20
    assert cost.check_loops_on_aws(0.1, 30) == 1
    measured = cost.Usage(transitions=23, lambda_durations_ms=(10.0,) * 11)
    on_aws = cost.with_check_loops(measured, measured_loops=4, loops=20, check_ms=15.0)
    assert on_aws.transitions == 23 + 16 * 3
    assert on_aws.lambda_requests == 11 + 16
    with pytest.raises(ValueError):
        cost.with_check_loops(measured, measured_loops=4, loops=2, check_ms=15.0)
