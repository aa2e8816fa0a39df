"""Verbs that read the store and the fields: observations, snapshots, fields."""

from __future__ import annotations

from typing import List, Optional

import typer

from mindshare.commands._common import Format, out, print_frame, store_from
from mindshare.fields import CONTENDER_KEYS, FIELD_KEYS, available_fields, field_search_path, load_field

BRIEF_COLUMNS = ["signal", "metric", "contender", "subject", "period_start", "value", "value_text", "unit",
                 "segment", "method", "source", "snapshot_id"]


def register(app: typer.Typer) -> None:
    app.command("observations")(observations)
    app.command("snapshots")(snapshots)
    app.command("fields")(fields)


def observations(
    ctx: typer.Context,
    signal: Optional[List[str]] = typer.Option(None, "--signal", "-s", help="jobs, research, search, usage, downloads, github, qa, ... (repeatable)"),
    contender: Optional[List[str]] = typer.Option(None, "--contender", "-c", help="A contender id or name (repeatable)."),
    metric: Optional[List[str]] = typer.Option(None, "--metric", "-m", help="Only this metric (repeatable)."),
    field: Optional[str] = typer.Option(None, "--field", "-f", help="Field name or path to a field TOML."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="What was known on that day."),
    all_snapshots: bool = typer.Option(False, "--all-snapshots", help="Every snapshot's value, not only the newest."),
    full: bool = typer.Option(False, "--full", help="Every provenance column (reference, query, note, collected_at)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    limit: int = typer.Option(40, "--limit", help="Rows shown in a table (0: all)."),
) -> None:
    """Print observations from the store, each with its source, method and snapshot.

    Example: `mindshare observations -s downloads -c pytorch -c tensorflow --format csv > downloads.csv`
    """
    chosen = load_field(field)
    ids = [c.id for c in chosen.select(contender)] if contender else None
    with store_from(ctx) as store:
        frame = store.observations(signal=signal, contenders=ids, metric=metric, as_of=as_of,
                                   all_snapshots=all_snapshots)
    if not full and fmt is Format.table:
        frame = frame[BRIEF_COLUMNS]
    print_frame(frame, fmt, title=f"{len(frame)} observations", limit=(limit or None) if fmt is Format.table else None)


def snapshots(ctx: typer.Context, fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json.")) -> None:
    """List the store's snapshots: every import and collection run, oldest first."""
    with store_from(ctx) as store:
        frame = store.snapshots()
    print_frame(frame, fmt, title=f"store {ctx.obj.db or 'default'}: {len(frame)} snapshots")


def fields(
    name: Optional[str] = typer.Argument(None, help="Show this field's contenders (a name or a .toml path)."),
    keys: bool = typer.Option(False, "--keys", help="List the keys a field and its contenders may have, with their meaning."),
) -> None:
    """List the fields you can compare, or one field's contenders and their identifiers.

    A field is a TOML file. To add one, copy the shipped deep-learning.toml into the first folder listed here
    and edit it; no code changes are needed.
    """
    if keys:
        for where, known in (("field", FIELD_KEYS), ("contender", CONTENDER_KEYS)):
            for key, (_, meaning) in known.items():
                out.print(f"[bold]{key}[/] ({where}): {meaning}")
        return
    if name is None:
        for field_name, path in available_fields().items():
            out.print(f"[bold]{field_name}[/]  {path}")
        out.print("searched: " + ", ".join(str(p) for p in field_search_path()))
        return
    chosen = load_field(name)
    out.print(f"[bold]{chosen.title}[/] ({chosen.path})")
    import pandas as pd

    rows = [{"id": c.id, "name": c.name, "pypi": ", ".join(c.pypi), "github": c.github or "",
             "stackoverflow": c.stackoverflow_tag or "", "wikipedia": c.wikipedia or "",
             "patterns": ", ".join(c.patterns)} for c in chosen.contenders]
    print_frame(pd.DataFrame(rows), Format.table)
