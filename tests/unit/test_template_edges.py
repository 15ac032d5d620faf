"""The SAM-translated template (what CloudFormation receives), checked for issue 11 parts D and E:
every asynchronous trigger has a dead-letter queue and a retry policy, the queue's depth raises an alarm
to the notification topic, and IAM is least privilege - no role deletes decision-log items, every mutating
ElastiCache action is conditioned on the managed tag, and no role holds ``elasticache:*``."""

import fnmatch
import json
import re
from functools import cache
from typing import Any

import pytest

from tools.translate_template import translate

MANAGED_TAG_CONDITION = "aws:ResourceTag/elasticache-autoscaler:managed"
DELETING_DYNAMODB_ACTIONS = ("dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteTable")
READ_ONLY_ELASTICACHE = re.compile(r"^elasticache:(Describe|List)")
# Every ElastiCache action the product makes or could be tempted to make that changes a cache.
MUTATING_ELASTICACHE_ACTIONS = (
    "elasticache:ModifyReplicationGroup",
    "elasticache:IncreaseReplicaCount",
    "elasticache:DecreaseReplicaCount",
    "elasticache:ModifyReplicationGroupShardConfiguration",
    "elasticache:ModifyCacheCluster",
    "elasticache:ModifyServerlessCache",
    "elasticache:ModifyUser",
    "elasticache:ModifyUserGroup",
    "elasticache:DeleteReplicationGroup",
    "elasticache:DeleteCacheCluster",
    "elasticache:RebootCacheCluster",
    "elasticache:TestFailover",
    "elasticache:AddTagsToResource",
    "elasticache:RemoveTagsFromResource",
)


@cache
def template() -> dict[str, Any]:
    return translate()


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template()["Resources"].items() if v["Type"] == kind}


def _defaults() -> dict[str, str]:
    return {k: str(v.get("Default", "")) for k, v in template()["Parameters"].items()}


def _document(doc: Any) -> dict[str, Any]:
    """A policy document; a ``!Sub`` JSON string is read with the parameters at their defaults."""
    if isinstance(doc, dict) and "Fn::Sub" in doc and isinstance(doc["Fn::Sub"], str):
        text = doc["Fn::Sub"]
        for name, value in _defaults().items():
            text = text.replace("${" + name + "}", value)
        text = re.sub(r"\$\{AWS::(\w+)\}", r"<\1>", text)
        parsed: dict[str, Any] = json.loads(text)
        return parsed
    assert isinstance(doc, dict), doc
    return doc


def role_statements() -> dict[str, list[dict[str, Any]]]:
    """Every identity-policy statement, by role logical id (inline policies plus AWS::IAM::Policy)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, role in resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            found.setdefault(name, []).extend(_statements(_document(policy["PolicyDocument"])))
    for policy in resources("AWS::IAM::Policy").values():
        for role_ref in policy["Properties"]["Roles"]:
            found.setdefault(role_ref["Ref"], []).extend(
                _statements(_document(policy["Properties"]["PolicyDocument"]))
            )
    return found


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    statements = doc["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants(statement: dict[str, Any], action: str) -> bool:
    return statement["Effect"] == "Allow" and any(
        fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in _as_list(statement["Action"])
    )


def _names_decision_table(statement: dict[str, Any]) -> bool:
    text = json.dumps(statement.get("Resource"))
    return "DecisionTable" in text or '"*"' in text or "table/*" in text


# ---------- D: dead-letter queues and retries on every asynchronous trigger ----------


def _dead_letter_queue() -> str:
    (name,) = resources("AWS::SQS::Queue")
    return name


def test_the_dead_letter_queue_is_encrypted_and_lets_the_trigger_services_send() -> None:
    queue = resources("AWS::SQS::Queue")[_dead_letter_queue()]["Properties"]
    assert queue.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in queue
    (policy,) = resources("AWS::SQS::QueuePolicy").values()
    assert policy["Properties"]["Queues"] == [{"Ref": _dead_letter_queue()}]
    allowed = {
        statement["Principal"]["Service"]
        for statement in _statements(policy["Properties"]["PolicyDocument"])
        if statement["Effect"] == "Allow" and "sqs:SendMessage" in _as_list(statement["Action"])
    }
    assert allowed == {"events.amazonaws.com", "scheduler.amazonaws.com"}


def _is_the_dlq(value: Any) -> bool:
    return bool(value == {"Fn::GetAtt": [_dead_letter_queue(), "Arn"]})


def test_every_eventbridge_rule_target_has_a_dead_letter_queue_and_a_retry_policy() -> None:
    rules = resources("AWS::Events::Rule")
    assert rules, "the alarm trigger is an EventBridge rule"
    for name, rule in rules.items():
        for target in rule["Properties"]["Targets"]:
            assert _is_the_dlq(target.get("DeadLetterConfig", {}).get("Arn")), name
            retry = target.get("RetryPolicy", {})
            assert retry.get("MaximumRetryAttempts", 0) >= 1, name
            assert "MaximumEventAgeInSeconds" in retry, name


def test_every_scheduler_schedule_target_has_a_dead_letter_queue_and_a_retry_policy() -> None:
    schedules = resources("AWS::Scheduler::Schedule")
    assert schedules, "the schedule trigger is an EventBridge Scheduler schedule"
    for name, schedule in schedules.items():
        target = schedule["Properties"]["Target"]
        assert _is_the_dlq(target.get("DeadLetterConfig", {}).get("Arn")), name
        assert target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 0) >= 1, name
        assert "Input" in target, "DESIGN §9: the Scheduler needs an explicit Input"
        role = schedule["Properties"]["Target"]["RoleArn"]["Fn::GetAtt"][0]
        sends = [s for s in role_statements()[role] if _grants(s, "sqs:SendMessage")]
        assert sends and all(_is_the_dlq(r) for s in sends for r in _as_list(s["Resource"]))


def _async_trigger_functions() -> set[str]:
    targets = [t["Arn"] for r in resources("AWS::Events::Rule").values() for t in r["Properties"]["Targets"]]
    targets += [s["Properties"]["Target"]["Arn"] for s in resources("AWS::Scheduler::Schedule").values()]
    return {t["Fn::GetAtt"][0] for t in targets}


def test_every_asynchronously_invoked_function_retries_then_dead_letters() -> None:
    functions = _async_trigger_functions()
    assert functions == {
        "OnAlarmFunction",
        "OnScheduleFunction",
        "OnExecutionEndFunction",
        "ReconcileFunction",
    }
    configs = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]
        for c in resources("AWS::Lambda::EventInvokeConfig").values()
    }
    for name in functions:
        assert name in configs, f"{name} has no EventInvokeConfig"
        assert 0 < configs[name]["MaximumRetryAttempts"] <= 2
        assert "MaximumEventAgeInSeconds" in configs[name]
        function = template()["Resources"][name]["Properties"]
        assert _is_the_dlq(function.get("DeadLetterConfig", {}).get("TargetArn")), name
        role = function["Role"]["Fn::GetAtt"][0]
        assert any(_grants(s, "sqs:SendMessage") for s in role_statements()[role]), name


def test_a_message_in_the_dead_letter_queue_raises_an_alarm_to_the_notification_topic() -> None:
    alarms = [
        a["Properties"]
        for a in resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(alarms) == 1
    (alarm,) = alarms
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [_dead_letter_queue(), "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert {"Ref": "NotificationTopic"} in alarm["AlarmActions"]


def test_cloudwatch_may_publish_to_the_encrypted_notification_topic() -> None:
    """An alarm action fails on a topic under the AWS managed alias/aws/sns key: a customer key it may use."""
    topic = resources("AWS::SNS::Topic")["NotificationTopic"]["Properties"]
    key_ref = topic["KmsMasterKeyId"]["Ref"]
    key = template()["Resources"][key_ref]["Properties"]["KeyPolicy"]
    assert any(s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com" for s in _statements(key))


# ---------- E: least privilege ----------


def test_finding9_no_role_may_delete_decision_log_items() -> None:
    for role, statements in role_statements().items():
        for statement in statements:
            for action in DELETING_DYNAMODB_ACTIONS:
                assert not (_grants(statement, action) and _names_decision_table(statement)), (
                    f"{role} may {action} on the decision table: {statement}"
                )


def test_finding9_no_role_holds_an_elasticache_wildcard() -> None:
    for role, statements in role_statements().items():
        for statement in statements:
            for action in _as_list(statement["Action"]):
                assert action != "*" and not action.lower().startswith("elasticache:*"), (role, action)
                if action.lower().startswith("elasticache:"):
                    assert "*" not in action, (role, action)


def test_finding9_every_mutating_elasticache_action_is_conditioned_on_the_managed_tag() -> None:
    granted = 0
    for role, statements in role_statements().items():
        for statement in statements:
            for action in MUTATING_ELASTICACHE_ACTIONS:
                if not _grants(statement, action):
                    continue
                granted += 1
                condition = statement.get("Condition", {}).get("StringEquals", {})
                assert condition.get(MANAGED_TAG_CONDITION) == "true", f"{role}: {action} unconditioned"
                assert "*" not in _as_list(statement["Resource"]), f"{role}: {action} on every resource"
    assert granted >= 6  # act: four scaling calls; rotate: ModifyReplicationGroup and ModifyUser


def _mutators() -> dict[str, set[str]]:
    return {
        role: {a for s in statements for a in MUTATING_ELASTICACHE_ACTIONS if _grants(s, a)}
        for role, statements in role_statements().items()
    }


def test_only_the_act_and_rotate_roles_change_caches() -> None:
    assert {role: actions for role, actions in _mutators().items() if actions} == {
        "ActFunctionRole": {
            "elasticache:ModifyReplicationGroup",
            "elasticache:IncreaseReplicaCount",
            "elasticache:DecreaseReplicaCount",
            "elasticache:ModifyReplicationGroupShardConfiguration",
            "elasticache:ModifyCacheCluster",
            "elasticache:ModifyServerlessCache",
        },
        "RotateFunctionRole": {"elasticache:ModifyReplicationGroup", "elasticache:ModifyUser"},
    }


def _denied_modify_keys(role: str) -> set[str]:
    keys: set[str] = set()
    for statement in role_statements()[role]:
        if statement["Effect"] != "Deny" or "elasticache:ModifyReplicationGroup" not in _as_list(
            statement["Action"]
        ):
            continue
        assert statement["Resource"] == "*"
        conditions = statement.get("Condition", {})
        if any(k.startswith("aws:ResourceTag/") for block in conditions.values() for k in block):
            continue  # the pause switch, not a field
        for operator, block in conditions.items():
            assert (operator, set(block.values())) in (("Null", {"false"}), ("Bool", {"true"}))
            keys.update(block)
    return keys


@pytest.mark.parametrize(
    ("role", "allowed_field_key"),
    [
        ("ActFunctionRole", "elasticache:CacheNodeType"),
        ("RotateFunctionRole", "elasticache:AuthTokenEnabled"),
    ],
)
def test_modify_replication_group_fields_the_role_never_sends_are_denied(
    role: str, allowed_field_key: str
) -> None:
    never_sent = {
        "elasticache:EngineVersion",
        "elasticache:MultiAZEnabled",
        "elasticache:AutomaticFailoverEnabled",
        "elasticache:SnapshotRetentionLimit",
        "elasticache:CacheParameterGroupName",
        "elasticache:TransitEncryptionEnabled",
        "elasticache:CacheNodeType",
        "elasticache:AuthTokenEnabled",
    } - {allowed_field_key}
    assert _denied_modify_keys(role) == never_sent


def test_a_paused_group_is_never_scaled() -> None:
    denies = [
        s
        for s in role_statements()["ActFunctionRole"]
        if s["Effect"] == "Deny" and "elasticache:IncreaseReplicaCount" in _as_list(s["Action"])
    ]
    assert [d["Condition"] for d in denies] == [
        {"StringEquals": {"aws:ResourceTag/elasticache-autoscaler:paused": "true"}}
    ]
