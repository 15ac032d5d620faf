"""The console's subcommands, wired into ``elasticache-autoscaler``:

    elasticache-autoscaler decisions --stack S [--cluster C] [--since 6h] [--until T] [--status S]
                                     [--action A] [--limit N]
    elasticache-autoscaler clusters  --stack S
    elasticache-autoscaler preview   --stack S CLUSTER
    elasticache-autoscaler policy show     --stack S (--cluster C | --default)
    elasticache-autoscaler policy validate --stack S (--cluster C | --default) FILE
    elasticache-autoscaler policy set      --stack S (--cluster C | --default) FILE

Each prints a table, or one JSON document with ``--json``; bad input exits 2 naming what is wrong.
"""

import argparse
from datetime import UTC, datetime
from pathlib import Path

from elasticache_autoscaler.models.cache_kind import CacheKind
from elasticache_autoscaler_cli.console import decisions, policy
from elasticache_autoscaler_cli.console.caches import NOUNS, find_cache
from elasticache_autoscaler_cli.console.clients import Clients
from elasticache_autoscaler_cli.console.clusters import COLUMNS as CLUSTER_COLUMNS
from elasticache_autoscaler_cli.console.clusters import cluster_rows
from elasticache_autoscaler_cli.console.errors import ConsoleError
from elasticache_autoscaler_cli.console.output import emit, print_json, print_table
from elasticache_autoscaler_cli.console.preview import preview


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="the deployed stack's name (outputs looked up)")
    parser.add_argument("--region", help="AWS region (default: the environment's)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def cmd_decisions(args: argparse.Namespace) -> int:
    clients = Clients.for_region(args.region)
    stack = clients.stack(args.stack)
    now = datetime.now(UTC)
    wanted = decisions.DecisionFilter(
        cluster=args.cluster,
        since=decisions.moment(args.since, now) if args.since else None,
        until=decisions.moment(args.until, now) if args.until else None,
        status=args.status,
        action=args.action,
    )
    found = decisions.find_decisions(clients.dynamodb, stack.decision_table, wanted, args.limit)
    if args.cluster and not found:
        find_cache(clients, args.cluster)  # a typo is an error, not an empty log
    if args.json:
        print_json(found)
    else:
        print_table(f"decisions ({stack.name})", decisions.COLUMNS, [decisions.row(r) for r in found])
    return 0


def cmd_clusters(args: argparse.Namespace) -> int:
    clients = Clients.for_region(args.region)
    stack = clients.stack(args.stack)
    rows = cluster_rows(clients, stack, datetime.now(UTC))
    emit(args.json, f"managed clusters ({stack.name})", CLUSTER_COLUMNS, rows)
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    clients = Clients.for_region(args.region)
    stack = clients.stack(args.stack)
    shown = preview(args.cluster, stack, clients, datetime.now(UTC))
    if args.json:
        print_json(shown)
        return 0
    decision = shown["decision"]
    assert isinstance(decision, dict)
    row = {
        "cluster": shown["cluster"],
        "mode": shown["mode"],
        "action": decision["action"],
        "wouldAct": shown["wouldAct"],
        "current": decision["current"],
        "target": decision["target"],
        "blockedBy": decision.get("blockedBy"),
        "reasons": decision["reasons"],
    }
    print_table(f"preview of {args.cluster} (nothing changed)", list(row), [row])
    return 0


def _policy_target(args: argparse.Namespace) -> str | None:
    if bool(args.cluster) == bool(args.default):
        raise ConsoleError("name exactly one of --cluster CLUSTER or --default")
    return str(args.cluster) if args.cluster else None


def cmd_policy(args: argparse.Namespace) -> int:
    clients = Clients.for_region(args.region)
    stack = clients.stack(args.stack)
    cluster = _policy_target(args)
    kind = CacheKind.REPLICATION_GROUP if cluster is None else find_cache(clients, cluster).kind
    if args.policy_command == "show":
        view = policy.effective(clients.ssm, stack.policy_prefix, cluster, kind=kind)
    else:
        document = policy.load_document(args.file)
        if args.policy_command == "validate":
            view = policy.effective(clients.ssm, stack.policy_prefix, cluster, replacing=document, kind=kind)
        else:
            view = policy.set_policy(clients.ssm, stack.policy_prefix, cluster, document, kind=kind)
    if args.json:
        print_json(view.to_wire())
    else:
        rows = [{"field": k, "value": v} for k, v in view.effective.to_wire().items()]
        where = view.cluster_parameter or view.default_parameter
        verb = {"show": "effective", "validate": "valid", "set": "written"}[args.policy_command]
        print_table(f"{where} ({NOUNS[view.kind]}): {verb}", ("field", "value"), rows)
    return 0


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    found = commands.add_parser("decisions", help="the decision log, newest first")
    _common(found)
    found.add_argument("--cluster", help="one replication group")
    found.add_argument("--since", help="30m, 6h, 7d or an ISO 8601 time")
    found.add_argument("--until", help="30m, 6h, 7d or an ISO 8601 time")
    found.add_argument("--status", help=", ".join(decisions.STATUSES))
    found.add_argument("--action", help=", ".join(decisions.ACTIONS))
    found.add_argument("--limit", type=int, default=50)
    found.set_defaults(run=cmd_decisions)

    clusters = commands.add_parser(
        "clusters",
        help="managed caches of every kind: what each is now, mode, guards, lock, last decision",
    )
    _common(clusters)
    clusters.set_defaults(run=cmd_clusters)

    look = commands.add_parser("preview", help="observe and decide now; change nothing")
    _common(look)
    look.add_argument("cluster", help="replication group id")
    look.set_defaults(run=cmd_preview)

    pol = commands.add_parser("policy", help="the effective policy; validate before writing to SSM")
    verbs = pol.add_subparsers(dest="policy_command", required=True)
    for verb, text in (
        ("show", "the effective (merged) policy"),
        ("validate", "check a policy file as it would apply; write nothing"),
        ("set", "validate a policy file, then write it to SSM"),
    ):
        sub = verbs.add_parser(verb, help=text)
        _common(sub)
        sub.add_argument(
            "--cluster", help="the override of a replication group, Memcached cluster or Serverless cache"
        )
        sub.add_argument("--default", action="store_true", help="the stack-wide default")
        if verb != "show":
            sub.add_argument("file", type=Path, help="a JSON policy document")
        sub.set_defaults(run=cmd_policy)
