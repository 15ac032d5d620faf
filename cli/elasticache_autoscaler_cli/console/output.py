"""Print a command's answer: one JSON document with ``--json``, else a rich table for people."""

import json
import sys
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    Console(file=sys.stdout, width=200).print(table)


def emit(as_json: bool, title: str, columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> None:
    if as_json:
        print_json(list(rows))
    else:
        print_table(title, columns, rows)
