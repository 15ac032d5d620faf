"""Print a command's answer: one JSON document with ``--json``, else a rich table for people.

``text_table`` is the one renderer of plain-text tables (the bench, the system benchmark): rich, not hand-
padded columns.
"""

import io
import json
import sys
from collections.abc import Mapping, Sequence

from rich import box
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


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> str:
    """``rows`` under ``headers`` as plain text: the first column left-aligned, the others right-aligned."""
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for i, header in enumerate(headers):
        table.add_column(header, justify="right" if i else "left", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    buffer = io.StringIO()
    Console(file=buffer, width=400, color_system=None, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
