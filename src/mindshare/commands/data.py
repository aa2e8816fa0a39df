"""Verbs that read the store and the fields: observations, fields, snapshots (and snapshots delete)."""

from __future__ import annotations

import pandas as pd
import typer
from rich.text import Text

from mindshare import console
from mindshare.commands._common import (
    AsOfOption,
    ContenderOption,
    FieldOption,
    Format,
    FormatOption,
    LimitOption,
    QuietOption,
    SignalOption,
    VerboseOption,
    WideOption,
    check_known,
    print_frame,
    prints_no_data,
    store_from,
)
from mindshare.console import plural
from mindshare.fields import (
    CONTENDER_KEYS,
    FIELD_KEYS,
    available_fields,
    field_search_path,
    load_field,
)
from mindshare.observations import SIGNALS

BRIEF_COLUMNS = ["signal", "metric", "contender", "subject", "period_start", "value", "value_text", "unit",
                 "segment", "method", "source", "snapshot_id"]


def register(app: typer.Typer) -> None:
    app.command("observations")(observations)
    app.command("fields")(fields)
    group = typer.Typer(help="The store's snapshots: list them (the default), or delete one.")
    group.callback(invoke_without_command=True)(snapshots)
    group.command("delete")(delete_snapshot)
    app.add_typer(group, name="snapshots")


def observations(
    ctx: typer.Context,
    signal: SignalOption = None,
    contender: ContenderOption = None,
    metric: list[str] | None = typer.Option(None, "--metric", "-m", metavar="METRIC",
                                            help="Only this metric (repeatable)."),
    field: FieldOption = None,
    as_of: AsOfOption = None,
    all_snapshots: bool = typer.Option(False, "--all-snapshots", help="Every snapshot's value, not only the newest."),
    wide: WideOption = False,
    fmt: FormatOption = Format.table,
    limit: LimitOption = 40,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Print observations from the store, each with its source, method and snapshot.

    A table shows the columns that say what each number is; `--wide` adds every provenance column (reference,
    query, note, collected_at, published), which CSV and JSON always have.

    Example: mindshare observations -s downloads -c pytorch -c tensorflow --format csv > downloads.csv
    """
    chosen = load_field(field)
    ids = [c.id for c in chosen.select(contender)] if contender else None
    with store_from(ctx, read_only=None) as store:
        console.detail(f"store {store.path}{' (read-only)' if store.read_only else ''}; field {chosen.path}")
        # a signal neither mindshare nor this store knows is a typo (exit code 2, as an unknown contender is)
        check_known("signal", signal, sorted(set(SIGNALS) | set(store.signals())))
        frame = store.observations(signal=signal, contenders=ids, metric=metric, as_of=as_of,
                                   all_snapshots=all_snapshots)
    if not wide and fmt is Format.table:
        frame = frame[BRIEF_COLUMNS]
    print_frame(frame, fmt, title=plural(len(frame), "observation"), limit=limit or None)


def snapshots(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """List the store's snapshots: every import and collection run, oldest first.

    `mindshare snapshots delete ID` removes one of them.
    """
    if ctx.invoked_subcommand is not None:
        return
    with store_from(ctx, read_only=None) as store:
        frame = store.snapshots()
        path = store.path
    print_frame(frame, fmt, title=f"store {path}: {plural(len(frame), 'snapshot')}")


@prints_no_data
def delete_snapshot(
    ctx: typer.Context,
    snapshot_id: str = typer.Argument(..., metavar="ID", help="The snapshot to delete, as `mindshare snapshots` "
                                                              "lists it."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Delete one snapshot and its observations from the store, in one transaction.

    The bundled dataset cannot be deleted (it is loaded again on every run). Afterwards each measurement shows
    its newest value among the snapshots that remain.
    """
    with store_from(ctx) as store:
        removed = store.delete_snapshot(snapshot_id)
        console.detail(f"store {store.path}")
    console.say(f"deleted snapshot {snapshot_id} ({plural(removed, 'observation')})")


def fields(
    name: str | None = typer.Argument(None, metavar="FIELD",
                                      help="Show this field's contenders (a name or a .toml path)."),
    keys: bool = typer.Option(False, "--keys", help="List the keys a field and its contenders may have, with their meaning."),
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """List the fields you can compare, or one field's contenders and their identifiers.

    A field is a TOML file. To add one, copy the shipped deep-learning.toml into the first folder listed here
    and edit it; no code changes are needed.
    """
    if keys:
        frame = pd.DataFrame([{"key": key, "of": where, "meaning": meaning}
                              for where, known in (("field", FIELD_KEYS), ("contender", CONTENDER_KEYS))
                              for key, (_, meaning) in known.items()])
        if fmt is not Format.table:
            print_frame(frame, fmt)
            return
        for row in frame.itertuples(index=False):  # a glossary reads better as lines than as a table
            console.out.print(Text.assemble((row.key, "bold"), f" ({row.of}): {row.meaning}"))
        return
    if name is None:
        frame = pd.DataFrame([{"field": field_name, "path": str(path)}
                              for field_name, path in available_fields().items()], columns=["field", "path"])
        searched = ", ".join(str(p) for p in field_search_path())
        print_frame(frame, fmt, title=f"fields (searched: {searched})")
        return
    chosen = load_field(name)
    rows = [{"id": c.id, "name": c.name, "pypi": ", ".join(c.pypi), "github": c.github or "",
             "stackoverflow": c.stackoverflow_tag or "", "wikipedia": c.wikipedia or "",
             "patterns": ", ".join(c.patterns)} for c in chosen.contenders]
    print_frame(pd.DataFrame(rows), fmt, title=f"{chosen.title} ({chosen.path})")
