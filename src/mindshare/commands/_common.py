"""Helpers shared by the CLI verbs: the store from the context, and one way to print a table."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from enum import Enum
from typing import Iterator

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from mindshare.session import session
from mindshare.store import Store

# Piped output is not folded at 80 columns: tables stay greppable.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@contextmanager
def store_from(ctx: typer.Context, **kwargs) -> Iterator[Store]:
    """The store of this command (--db or MINDSHARE_DB), with the bundled dataset (see mindshare.session)."""
    db = ctx.obj.db if ctx.obj else None
    with session(db, **kwargs) as store:
        yield store


def print_frame(frame: pd.DataFrame, fmt: Format, title: str | None = None, limit: int | None = None) -> None:
    if fmt is Format.csv:
        frame.to_csv(sys.stdout, index=False)
        return
    if fmt is Format.json:
        sys.stdout.write(json.dumps(json.loads(frame.to_json(orient="records", date_format="iso")), indent=1))
        sys.stdout.write("\n")
        return
    shown = frame if limit is None else frame.head(limit)
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in shown.columns:
        table.add_column(str(column), overflow="fold")
    for row in shown.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else _cell(v) for v in row))
    out.print(table)
    if limit is not None and len(frame) > limit:
        out.print(f"... {len(frame) - limit} more rows (use --limit 0 for all, or --format csv)")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)
