"""``elasticache-autoscaler guards``: an operator's switches for one cluster, in the stack's state table.

    elasticache-autoscaler guards --stack <stack name> --cluster orders                # show
    elasticache-autoscaler guards --table <StateTableName> --cluster orders            # the same
    elasticache-autoscaler guards --table <StateTableName> --cluster orders --pause    # stop all actions
    elasticache-autoscaler guards --table <StateTableName> --cluster orders --resume
    elasticache-autoscaler guards --table <StateTableName> --cluster orders --reset-circuit
    elasticache-autoscaler guards --table <StateTableName> --release-lock orders   # only when quiescent

(Tagging the replication group ``elasticache-autoscaler:paused=true`` pauses it too.)
"""

import argparse
import json
import sys
from datetime import UTC, datetime

from elasticache_autoscaler.adapters.elasticache import ElastiCache
from elasticache_autoscaler.adapters.state_table import StatePort, StateTable
from elasticache_autoscaler.workflow.lock_step import LockReleaseRefused, force_release_when_quiescent
from elasticache_autoscaler_cli.console.clients import Clients


def apply_switches(
    state: StatePort, cluster: str, pause: bool, resume: bool, reset_circuit: bool
) -> dict[str, object]:
    if pause and resume:
        raise ValueError("--pause and --resume contradict each other")
    paused = True if pause else (False if resume else None)
    state.set_switches(cluster, paused=paused, reset_circuit=reset_circuit)
    return state.guards(cluster, datetime.now(UTC)).to_wire()


def add_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    guards = commands.add_parser("guards", help="show or flip a cluster's pause switch and circuit breaker")
    where = guards.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="the deployed stack's name (its StateTableName output is looked up)")
    where.add_argument("--table", help="the stack's StateTableName output")
    guards.add_argument("--region", help="AWS region (default: the environment's)")
    guards.add_argument("--cluster", help="replication group id")
    guards.add_argument(
        "--release-lock",
        metavar="CLUSTER",
        help="release the cluster's lock (an aborted execution's); refused while the group is modifying",
    )
    guards.add_argument("--pause", action="store_true", help="stop every action on this cluster")
    guards.add_argument("--resume", action="store_true", help="lift the pause")
    guards.add_argument("--reset-circuit", action="store_true", help="close the circuit breaker")
    guards.set_defaults(run=cmd_guards)


def _state(args: argparse.Namespace, clients: Clients) -> StateTable:
    table = args.table or clients.stack(args.stack).state_table
    return StateTable(table, clients.dynamodb)


def cmd_guards(args: argparse.Namespace) -> int:
    clients = Clients.for_region(args.region)
    if args.release_lock:
        try:
            shown = force_release_when_quiescent(
                _state(args, clients), ElastiCache(clients.elasticache), args.release_lock
            )
        except LockReleaseRefused as refused:
            sys.stderr.write(f"elasticache-autoscaler: refused: {refused}\n")
            return 3
        sys.stdout.write(json.dumps({"cluster": args.release_lock, **shown}, indent=2) + "\n")
        return 0
    if not args.cluster:
        sys.stderr.write("elasticache-autoscaler: error: --cluster is required (or --release-lock CLUSTER)\n")
        return 2
    try:
        shown = apply_switches(
            _state(args, clients), args.cluster, args.pause, args.resume, args.reset_circuit
        )
    except ValueError as error:
        sys.stderr.write(f"elasticache-autoscaler: error: {error}\n")
        return 2
    sys.stdout.write(json.dumps({"cluster": args.cluster, **shown}, indent=2) + "\n")
    return 0
