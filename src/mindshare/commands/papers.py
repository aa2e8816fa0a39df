"""`mindshare papers fetch --venue V --year Y --to DIR`: download a venue's papers for `mindshare scan`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mindshare.commands import collect as collecting
from mindshare.commands._common import QuietOption, VerboseOption, application, out
from mindshare.console import err


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
    limit: Optional[int] = typer.Option(None, "--limit", metavar="N", help="At most this many papers."),
    list_only: bool = typer.Option(False, "--list", help="Write the paper list (papers.csv) but no PDFs."),
    allow_empty: bool = typer.Option(False, "--allow-empty",
                                     help="A venue-year that lists 0 papers is expected (otherwise that is an "
                                          "error and nothing is written)."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Download every paper of a venue-year into a folder, politely and resumably.

    The list of papers is written to DIR/papers.csv first; PDFs already in DIR are not fetched again, so an
    interrupted fetch resumes. Then: `mindshare scan DIR --venue V --year Y`. ICLR (OpenReview) needs
    OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD in the environment: OpenReview no longer lists anonymously.
    """
    from mindshare.sources.venues import fetch_venue

    settings = application(ctx).settings
    # index pages go through the HTTP cache; PDFs do not (they are kept in DIR instead)
    with collecting.make_http(verbose=verbose, settings=settings) as http, \
            collecting.make_http(cache=False, verbose=verbose, settings=settings) as pdf_http:
        result = fetch_venue(http, venue, year, to, limit=limit, download=not list_only, pdf_http=pdf_http,
                             allow_empty=allow_empty)
    for note in result.notes:
        err.print(f"note: {note}", markup=False)
    if not quiet:
        out.print(f"{result.listed} papers listed for {result.venue} {year}; {result.downloaded} downloaded, "
                  f"{result.skipped} already there, {len(result.failed)} failed -> {to}")
    for url, reason in result.failed[:10]:
        err.print(f"  failed: {url}: {reason}", markup=False)


def venues() -> None:
    """List the venues `papers fetch` knows and where their papers come from."""
    from mindshare.sources.venues import VENUES

    for key, venue in VENUES.items():
        out.print(f"{key:10} {venue.title}: {venue.where}")
