import json, time
from tests.e2e.test_rotation_on_emulator import *  # noqa
from tests.e2e.test_rotation_on_emulator import _fail_on_entering

def test_debug(stack, group):
    first = stack.start_rotation(group, "rotate_auth_token")
    _fail_on_entering(stack, first, "WaitApplied", "DescribeReplicationGroups")
    print("FIRST", stack.wait(first)["status"], stack.entered(first))
    print("old", logs_in(stack.redis_port, OLD_TOKEN))
    sm = stack.client("secretsmanager")
    for v in sm.list_secret_version_ids(SecretId=stack.secret_name(group))["Versions"]:
        val = sm.get_secret_value(SecretId=stack.secret_name(group), VersionId=v["VersionId"])["SecretString"]
        print(v["VersionId"], v["VersionStages"], logs_in(stack.redis_port, val))
    print(json.dumps(stack.emulator.mutating_calls(), default=str)[:2000])
    retry = stack.start_rotation(group, "rotate_auth_token")
    d = stack.wait(retry)
    print("RETRY", d["status"], stack.entered(retry))
    for v in sm.list_secret_version_ids(SecretId=stack.secret_name(group))["Versions"]:
        val = sm.get_secret_value(SecretId=stack.secret_name(group), VersionId=v["VersionId"])["SecretString"]
        print(v["VersionId"], v["VersionStages"], logs_in(stack.redis_port, val))
    print(json.dumps(stack.emulator.mutating_calls(), default=str)[:3000])
    print(stack.emulator.log_tail(30))
