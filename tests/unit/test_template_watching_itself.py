"""The SAM-translated template (what CloudFormation receives), checked for issue 13: reconcile may change
only the alarms of the prefix and its own dashboard; the stack alarms on its own failures, each function
has a log group with the retention parameter, and the operations dashboard shows decisions and outcomes."""

import json
from typing import Any

from tests.unit.test_template_edges import _as_list, _grants, resources, role_statements, template

FUNCTIONS = {
    name for name, resource in template()["Resources"].items() if resource["Type"] == "AWS::Lambda::Function"
}
ALARM_WRITES = ("cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource")


def _sub_text(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return json.dumps(value)


def test_only_reconcile_changes_alarms_and_only_those_of_the_prefix() -> None:
    for role, statements in role_statements().items():
        for statement in statements:
            for action in ALARM_WRITES:
                if not _grants(statement, action):
                    continue
                assert role == "ReconcileFunctionRole", (role, action)
                resources_ = [_sub_text(r) for r in _as_list(statement["Resource"])]
                assert resources_ == [
                    "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AlarmNamePrefix}*"
                ], resources_
    reconcile = role_statements()["ReconcileFunctionRole"]
    assert all(any(_grants(s, action) for s in reconcile) for action in ALARM_WRITES)
    dashboards = [s for s in reconcile if _grants(s, "cloudwatch:PutDashboard")]
    assert [_sub_text(r) for s in dashboards for r in _as_list(s["Resource"])] == [
        "arn:${AWS::Partition}:cloudwatch::${AWS::AccountId}:dashboard/${AWS::StackName}-signals"
    ]


def test_reconcile_runs_on_a_schedule_and_after_every_succeeded_scaling_execution() -> None:
    (schedule,) = [
        s
        for s in resources("AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["ReconcileFunction", "Arn"]}
    ]
    assert json.loads(schedule["Properties"]["Target"]["Input"]) == {
        "source": "elasticache-autoscaler.reconcile"
    }
    (rule,) = [
        r
        for r in resources("AWS::Events::Rule").values()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ReconcileFunction", "Arn"]}
    ]
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["detail"]["status"] == ["SUCCEEDED"]
    assert pattern["detail"]["stateMachineArn"] == [{"Ref": "ScalingStateMachine"}]


def _alarms() -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources("AWS::CloudWatch::Alarm").values()]


def _notifies(alarm: dict[str, Any]) -> bool:
    return alarm.get("AlarmActions") == [{"Ref": "NotificationTopic"}]


def test_the_stack_alarms_on_its_own_failures() -> None:
    alarms = _alarms()
    watched = {
        (a["Namespace"], a["MetricName"], json.dumps(a.get("Dimensions", []), sort_keys=True))
        for a in alarms
        if _notifies(a) and a["Threshold"] == 0 and a["ComparisonOperator"] == "GreaterThanThreshold"
    }
    machine = json.dumps(
        [{"Name": "StateMachineArn", "Value": {"Ref": "ScalingStateMachine"}}], sort_keys=True
    )
    assert ("AWS/States", "ExecutionsFailed", machine) in watched
    assert ("AWS/States", "ExecutionsTimedOut", machine) in watched
    for function in FUNCTIONS:
        dims = json.dumps([{"Name": "FunctionName", "Value": {"Ref": function}}], sort_keys=True)
        assert ("AWS/Lambda", "Errors", dims) in watched, function
        assert ("AWS/Lambda", "Throttles", dims) in watched, function
    breaker = json.dumps([{"Name": "service", "Value": "elasticache-autoscaler"}], sort_keys=True)
    assert ("ElastiCacheAutoscaler", "CircuitBreakerOpened", breaker) in watched
    assert any(a["Namespace"] == "AWS/SQS" and _notifies(a) for a in alarms), "the DLQ depth"


def test_every_function_has_a_log_group_with_the_retention_parameter() -> None:
    groups = resources("AWS::Logs::LogGroup").values()
    named = {_sub_text(g["Properties"]["LogGroupName"]): g["Properties"] for g in groups}
    for function in FUNCTIONS:
        properties = named[f"/aws/lambda/${{{function}}}"]
        assert properties["RetentionInDays"] == {"Ref": "LogRetentionDays"}, function
    assert template()["Parameters"]["LogRetentionDays"]["Type"] == "Number"


def test_the_operations_dashboard_shows_decisions_outcomes_and_the_workflow() -> None:
    (dashboard,) = resources("AWS::CloudWatch::Dashboard").values()
    body = json.loads(_sub_text(dashboard["Properties"]["DashboardBody"]))
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    assert "Decisions by cluster, action and status" in titles
    assert "Outcomes by cluster, action and status" in titles
    expressions = json.dumps(body)
    for metric in ("Decisions", "Outcomes"):
        assert (
            f'{{ElastiCacheAutoscaler,action,cluster,service,status}} MetricName=\\"{metric}\\"'
            in expressions
        )
    assert "ExecutionsFailed" in expressions and "${ScalingStateMachine}" in expressions
    assert "${AWS::StackName}-signals" in expressions, "points at the per-signal dashboard reconcile keeps"


def test_decide_may_put_events_on_the_default_bus_only() -> None:
    puts = [s for s in role_statements()["DecideFunctionRole"] if _grants(s, "events:PutEvents")]
    assert [_sub_text(r) for s in puts for r in _as_list(s["Resource"])] == [
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"
    ]
