"""`mindshare papers fetch --venue V --year Y --to DIR`: download a venue's papers for `mindshare scan`;
`mindshare papers venues`: the venues it knows."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mindshare import console
from mindshare.commands import collect as collecting
from mindshare.commands._common import (
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    application,
    check_count,
    out,
    print_frame,
)
from mindshare.console import err, plural


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Paper lists and PDFs of venues (ACL Anthology, CVF, PMLR, NeurIPS, OpenReview, "
                             "arXiv), for `mindshare scan`.", no_args_is_help=True)
    group.command("fetch")(fetch)
    group.command("venues")(venues)
    app.add_typer(group, name="papers")


def fetch(
    ctx: typer.Context,
    venue: str = typer.Option(..., "--venue", metavar="VENUE", help="Venue: see `mindshare papers venues`."),
    year: int = typer.Option(..., "--year", metavar="YEAR", help="Year."),
    to: Path = typer.Option(..., "--to", metavar="DIR", help="Folder for the PDFs (created; existing files are kept)."),
    limit: int = typer.Option(0, "--limit", metavar="N", callback=check_count,
                              help="At most this many papers (0: all)."),
    list_only: bool = typer.Option(False, "--list", help="Ask the venue for its list of papers and write it "
                                                         "(DIR/papers.csv), but fetch no PDF."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Ask nothing: print the index page a fetch would ask "
                                                          "first, what DIR holds, and how long the PDFs would "
                                                          "take; write nothing."),
    allow_empty: bool = typer.Option(False, "--allow-empty",
                                     help="A venue-year that lists 0 papers is expected (otherwise that is an "
                                          "error and nothing is written)."),
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Download every paper of a venue-year into a folder, politely and resumably.

    The list of papers is written to DIR/papers.csv first; PDFs already in DIR are not fetched again, so an
    interrupted fetch resumes. The hosts are asked one request a second (arXiv one every three): a venue of a
    thousand papers takes about twenty minutes, with progress on stderr. Then: `mindshare scan DIR --venue V
    --year Y`. ICLR (OpenReview) needs OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD in the environment:
    OpenReview no longer lists anonymously.
    """
    from mindshare.sources.venues import fetch_venue, plan_venue, resolve

    settings = application(ctx).settings
    title = resolve(venue)[0].title  # an unknown venue is said before anything is opened
    if dry_run:
        _print_plan(plan_venue(venue, year, to, limit=limit or None), to, settings, fmt)
        return
    # index pages go through the HTTP cache; PDFs do not (they are kept in DIR instead)
    with collecting.make_http(verbose=console.verbose(), settings=settings) as http, \
            collecting.make_http(cache=False, verbose=console.verbose(), settings=settings) as pdf_http, \
            _progress_bar(f"{title} {year}") as advance:
        result = fetch_venue(http, venue, year, to, limit=limit or None, download=not list_only,
                             pdf_http=pdf_http, allow_empty=allow_empty, progress=advance)
    for note in result.notes:
        console.say(f"note: {note}")
    if fmt is Format.table:
        if not console.quiet():
            out.print(f"{plural(result.listed, 'paper')} listed for {result.venue} {year}; {result.downloaded:,} "
                      f"downloaded, {result.skipped:,} already there, {len(result.failed):,} failed -> {to}",
                      markup=False)
    else:
        print_frame(pd.DataFrame([{"venue": result.venue, "year": year, "index": result.index,
                                   "listed": result.listed, "downloaded": result.downloaded,
                                   "already_there": result.skipped, "failed": len(result.failed),
                                   "folder": str(to)}]), fmt)
    for url, reason in result.failed[:10]:
        err.print(f"  failed: {url}: {reason}", markup=False)
    if len(result.failed) > 10:
        err.print(f"  ... and {len(result.failed) - 10:,} more failed", markup=False)


@contextmanager
def _progress_bar(title: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on stderr (as `collect` and `scan` draw), moved after each paper; silent under --quiet."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), console=err, disable=console.quiet(), transient=False)
    task = bar.add_task(f"{title} PDFs", total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _print_plan(plan, to: Path, settings, fmt: Format) -> None:
    provider = plan.provider
    credential = ""
    if provider.credential:
        is_set = all(settings.credential(n) for n in provider.credential.names)
        credential = f"{provider.credential_names} {'set' if is_set else 'not set'}"
    if fmt is not Format.table:
        print_frame(pd.DataFrame([{"venue": plan.venue, "year": plan.year, "index": plan.index,
                                   "host": provider.host, "per_second": provider.limit.per_second,
                                   "listed_before": plan.listed, "already_there": plan.there,
                                   "to_fetch": plan.to_fetch, "least_seconds": plan.seconds,
                                   "credential": credential, "folder": str(to)}]), fmt)
        return
    out.print(f"{plan.venue} {plan.year}: GET {plan.index}" + (f"; {credential}" if credential else ""),
              markup=False, soft_wrap=True)
    per_second = provider.limit.per_second
    pace = (f"one request every {1 / per_second:g} s" if per_second < 1 else
            f"{plural(round(per_second), 'request')} a second") + f" to {provider.host}"
    if plan.listed is None:
        out.print(f"  then one GET per PDF not yet in {to} ({plural(plan.there, 'PDF')} there now), at {pace}; "
                  f"`--list` writes the list first, and a dry run then says how many and how long", markup=False)
    else:
        minutes = (plan.seconds or 0) / 60
        out.print(f"  {to}/papers.csv lists {plural(plan.listed, 'paper')}, {plural(plan.there, 'PDF')} there: "
                  f"{plural(plan.to_fetch or 0, 'PDF')} to fetch at {pace}, at least {minutes:,.0f} minutes",
                  markup=False)
    out.print("dry run: nothing asked, nothing written", markup=False)


def venues(
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """List the venues `papers fetch` knows and where their papers come from."""
    from mindshare.sources.venues import VENUES

    frame = pd.DataFrame([{"venue": key, "title": venue.title, "where": venue.where, "host": venue.provider.host}
                          for key, venue in VENUES.items()])
    print_frame(frame, fmt, title="venues of `mindshare papers fetch`")
