"""`mindshare compare NAME NAME ...`: any technologies, compared in seconds, offline first.

The terminal gets what each name resolved to and from where, then the answer: the headline, its plain sentences and
the scoreboard (one row per signal: leader, lead with its interval, trend, confidence, age), what is not measured,
and what `--collect` would add. `--out DIR` writes the full report; `--save FIELD.toml` keeps the contenders as a
field file; `--collect` fetches the live sources for just these contenders first. The work is
`mindshare.comparison`'s; this module is the verb and its printing.

A warm run (the same names, store, data and code, the same day) prints from the answer cache and imports neither
pandas nor DuckDB: this module imports nothing heavy at the top.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from mindshare import console
from mindshare.commands._common import (
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    application,
)

if TYPE_CHECKING:
    from mindshare.comparison import Comparison
    from mindshare.http import Http
    from mindshare.settings import Settings

# A text cell a spreadsheet would run as a formula starts with one of these (as commands._common's CSV says)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SCOREBOARD = [("label", "signal"), ("leader_name", "leader"), ("lead", "lead"), ("trend", "trend"),
              ("confidence", "confidence"), ("age", "data age")]


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)


def make_http(settings: Settings) -> Http:
    """The client of `--online` and `--collect` (tests replace this with one on recorded responses)."""
    from mindshare.http import Http

    return Http(settings=settings)


def compare(
    ctx: typer.Context,
    names: Optional[List[str]] = typer.Argument(
        None, metavar="NAME...", show_default=False,
        help="The technologies, 2 to 12: PyPI projects, GitHub repositories, languages, databases, ... as you "
             "would say them (polars pandas; fastapi flask django; rust go)."),
    out_dir: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FOLDER",
                                           help="Also write the full report (HTML, Markdown, JSON) to FOLDER."),
    fmt: FormatOption = Format.table,
    pins: Optional[List[str]] = typer.Option(
        None, "--as", metavar="NAME=KIND:VALUE,...",
        help="Say what a name is, for a name that is two things or found nowhere: "
             "NAME=pypi:PROJECT,github:OWNER/REPO,so:TAG,survey:\"Option label\",wikipedia:\"Title\",npm:PACKAGE "
             "(- for none; repeatable)."),
    save: Optional[Path] = typer.Option(None, "--save", metavar="FIELD.toml",
                                        help="Keep these contenders as a field file (a new file) for --field."),
    collect: bool = typer.Option(False, "--collect",
                                 help="First fetch the live sources (GitHub, PyPI, Stack Overflow, npm, Wikipedia, "
                                      "...) for just these contenders, a progress bar per source."),
    online: bool = typer.Option(False, "--online",
                                help="Resolve the names with PyPI's JSON API, Stack Exchange and Wikipedia too "
                                     "(default: offline, from the bundled index)."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Compare technologies on every signal that measures them: the answer in seconds, offline first.

    Each name is resolved to a PyPI project, a GitHub repository, Stack Overflow survey options, a Stack Overflow
    tag, a Wikipedia article and an npm package where it has them (offline from the bundled index; --online asks
    PyPI, Stack Exchange and Wikipedia too); a name that is a contender of a field (`mindshare fields`) takes that
    contender. The answer comes from the bundled history (PyPI downloads, GitHub stars, best-of-ml-python, Stack
    Overflow's survey results) and the store, compared only where both contenders are measured. A name found
    nowhere stops with one line saying how to pin it (--as); a name that is two things goes on with what is
    certain and says what to pin.

    Example: `mindshare compare polars pandas`, `mindshare compare rust go --as rust=pypi:-`
    """
    from mindshare.comparison import compare as run
    from mindshare.comparison import save_field

    settings = application(ctx).settings
    given = list(names or [])      # checked by the run (a cached answer is only ever of names that passed)
    pinned = list(pins or [])
    if collect:
        _collect(given, pinned, settings, online, quiet)
    result = run(given, pins=pinned, settings=settings, online=online,
                 http=make_http(settings) if online else None)
    console.detail(f"store: {result.store}; history rows joined: {sum(result.history.values()):,}"
                   + ("; from the answer cache" if result.from_cache else ""))
    if fmt is Format.json:
        console.write(json.dumps(result.as_dict(), indent=1) + "\n")
    elif fmt is Format.csv:
        console.write(scoreboard_csv(result))
    else:
        print_comparison(result)
    if save is not None:
        written = save_field(result, save)
        console.say(f"field file written to {written} (use it with --field {written})")
    if out_dir is not None:
        from mindshare.api import write_comparison_report
        from mindshare.resolve import parse_pins

        folder = write_comparison_report(settings, given, parse_pins(pinned), out_dir)
        console.say(f"report written to {folder.resolve()}\n  open {(folder / 'index.html').resolve()}")


def _collect(names: list[str], pins: list[str], settings: Settings, online: bool, quiet: bool) -> None:
    """`--collect`: every live source, for just these contenders, each its own snapshot (mindshare.collection)."""
    from datetime import UTC, datetime

    from mindshare.collection import run_collection, since_day, sources_named
    from mindshare.comparison import prepare
    from mindshare.resolve import parse_pins
    from mindshare.session import session

    http = make_http(settings)
    _, chosen = prepare(names, parse_pins(pins), http if online else None)
    today = datetime.now(UTC).date()
    results = run_collection(sources_named(None), list(chosen.contenders), since_day(None, today), today, http,
                             lambda: session(settings=settings), chosen, progress=not quiet)
    for outcome in results:
        if outcome.status in ("added", "unchanged"):
            console.detail(f"{outcome.source}: {outcome.status}, {outcome.rows} rows")
        elif outcome.status == "failed" or outcome.why:
            console.say(f"{outcome.source}: {outcome.status}: {outcome.why}")


# -- printing --------------------------------------------------------------------------------------------------
def print_comparison(result: Comparison) -> None:
    """What each name is, then the answer, as a reader reads it (stdout)."""
    from rich.table import Table
    from rich.text import Text

    out = console.out
    for name in result.names:
        out.print(Text(f"{name['name']}: {name['how']}"))
    for name in result.names:
        if name["doubt"]:
            console.say(f"note: {name['doubt']}")
    if result.survey_topic:
        out.print(Text(f"survey question read: Stack Overflow's {result.survey_topic!r}"))
    out.print("")
    out.print(Text(result.headline, style="bold"))
    for sentence in result.sentences:
        out.print(Text(f"  {sentence}"))
    rows = result.scoreboard
    if rows:
        table = Table(header_style="bold", show_lines=False)
        for _, title in SCOREBOARD:
            table.add_column(Text(title), overflow="fold")
        for row in rows:
            cells = [str(row.get(key) or "") for key, _ in SCOREBOARD]
            if not row.get("current"):
                cells[-1] += f" ({row.get('not_current_reason') or 'not current'})"
            table.add_row(*(Text(c) for c in cells))
        out.print(table)
    if result.data_through:
        out.print(Text(result.data_through))
    for line in not_measured_lines(result):
        out.print(Text(line))
    if result.to_collect:
        missing = ", ".join(c["words"] for c in result.to_collect)
        out.print(Text(f"Not measured for these in the data at hand: {missing}. `--collect` fetches what the live "
                       "sources measure for just these (GitHub, PyPI, npm, Stack Overflow, Wikipedia, job ads, "
                       "papers); `mindshare survey import` reads a survey file."))


def not_measured_lines(result: Comparison) -> list[str]:
    """One line per scoreboard row that leaves a contender out: not measured, never zero."""
    lines = []
    for row in result.coverage:
        if row["not_measured"] and row["measured"]:
            missing = ", ".join(result.name_of(i) for i in row["not_measured"])
            lines.append(f"Not measured by {row['label']}: {missing} (compared only where measured).")
    return lines


def scoreboard_csv(result: Comparison) -> str:
    """The scoreboard as CSV (one row per signal; a cell a spreadsheet would run as a formula starts with ')."""
    buffer = io.StringIO()
    columns = ["signal", "label", "leader_name", "runner_up_name", "lead", "ratio", "ci_low", "ci_high", "trend",
               "confidence", "age", "current", "period", "source", "metric", "segment"]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in result.scoreboard:
        writer.writerow([_safe(row.get(c)) for c in columns])
    return buffer.getvalue()


def _safe(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value
