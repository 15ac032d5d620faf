"""`make demo`: the whole product on the local emulator, start to finish, in about a minute.

Starts the emulator, builds and deploys the real template, creates a managed Valkey replication group, runs
the stack's reconcile (the alarms it owns for the group appear, from its policy), makes the replica run hot
so that its owned read-CPU alarm goes into ALARM, and prints the execution the alarm started, the alarms
that now cover the new member and the follow-up evaluation while the alarm stays in ALARM. Then an operator
asks, from the "console", to remove the extra replica, and the cluster's decision log is printed.
"""

import json
from typing import Any

from tools import local_stack
from tools.emulator.control import Emulator
from tools.stack_driver import StackDriver, states_entered, wait_until

GROUP = "demo-orders"


def _say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _print_execution(driver: StackDriver, execution_arn: str) -> None:
    described = driver.wait(execution_arn, timeout=120)
    print(f"execution {described['name']}: {described['status']}")
    print("  steps: " + " -> ".join(states_entered(driver.history(execution_arn))))


def _print_log(records: list[dict[str, Any]]) -> None:
    print(
        f"{'decidedAt':<28} {'trigger':<8} {'mode':<8} {'action':<16} "
        f"{'current -> target':<22} {'status':<10}"
    )
    for item in records:
        cur, tgt = item.get("current") or {}, item.get("target") or {}
        change = f"{cur.get('replicasPerShard', '?')} -> {tgt.get('replicasPerShard', '?')} replicas"
        print(
            f"{item['decidedAt']:<28} {item['trigger']:<8} {item['mode']:<8} {item['action']:<16} "
            f"{change:<22} {item['status']:<10}"
        )
        for reason in item["reasons"]:
            print(f"{'':<30}- {reason}")


def _print_alarms(driver: StackDriver) -> None:
    for name, alarm in sorted(driver.owned_alarms(GROUP).items()):
        print(
            f"  {name:<58} {alarm['MetricName']:<46} > {alarm['Threshold']:<8g} "
            f"{alarm.get('DatapointsToAlarm', 1)} of {alarm['EvaluationPeriods']}  {alarm['StateValue']}"
        )


def main() -> None:
    _say("building the SAM application (sam build, x86_64 for the local emulator)")
    local_stack.build()
    # Wait states in real time (the policy checks every second), so the printed steps stay readable.
    with Emulator.start(env={"EMULATOR_ELASTICACHE_CHANGE_SECONDS": "2", "SFN_WAIT_SCALE": "1"}) as emulator:
        _say(
            f"emulator on {emulator.endpoint_url}; "
            "deploying the real template (sam deploy --config-env local)"
        )
        driver = StackDriver(emulator, local_stack.deploy(emulator))
        print(
            f"state machine: {driver.stack.state_machine_arn}\ndecision log:  {driver.stack.decision_table}"
        )

        _say(
            f"creating replication group {GROUP} (Valkey, 1 shard, 1 replica), "
            "tagged as managed, policy mode=act"
        )
        driver.create_group(GROUP)
        driver.set_policy(GROUP, {"mode": "act", "checkIntervalSeconds": 1})

        _say("reconcile (its schedule, run now): the alarms the stack owns for the group, from its policy")
        driver.reconcile()
        _print_alarms(driver)

        _say("replicas run at 88 % engine CPU: the owned read-CPU alarm goes into ALARM, starts an execution")
        known = driver.execution_arns()
        driver.put_load(GROUP, replica_cpu=88.0)
        first = driver.wait_for_new_execution(known, cluster=GROUP)
        _print_execution(driver, first)

        _say("after the change: the new member has its alarms; the alarm still in ALARM gets a follow-up")
        follow_up = wait_until(
            lambda: [
                e["executionArn"] for e in driver.executions() if e["name"].startswith(f"followup-{GROUP}-")
            ],
            timeout=60,
        )
        _print_execution(driver, follow_up[0])
        _print_alarms(driver)

        _say("load is gone; an operator asks from the console to remove the replica again (scale-in)")
        driver.put_load(GROUP, replica_cpu=12.0)
        request = {
            "cluster": GROUP,
            "action": "remove_replicas",
            "target": 1,
            "dryRun": False,
            "reason": "demo",
        }
        print("input: " + json.dumps(request))
        _print_execution(driver, driver.start(request))

        _say(f"{GROUP} now has members {driver.group(GROUP)['MemberClusters']}; its alarms and decision log:")
        wait_until(lambda: len(driver.owned_alarms(GROUP)) == 12, timeout=60)
        _print_alarms(driver)
        _print_log(driver.decision_records(GROUP))


if __name__ == "__main__":
    main()
