"""`mindshare papers fetch --venue V --year Y --to DIR`: download a venue's papers for `mindshare scan`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mindshare.commands._common import out


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Paper lists and PDFs of venues (ACL Anthology, CVF, PMLR, NeurIPS, OpenReview, "
                             "arXiv), for `mindshare scan`.", no_args_is_help=True)
    group.command("fetch")(fetch)
    group.command("venues")(venues)
    app.add_typer(group, name="papers")


def fetch(
    venue: str = typer.Option(..., "--venue", help="Venue: see `mindshare papers venues`."),
    year: int = typer.Option(..., "--year", help="Year."),
    to: Path = typer.Option(..., "--to", help="Folder for the PDFs (created; existing files are kept)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="At most this many papers."),
    list_only: bool = typer.Option(False, "--list", help="Write the paper list (papers.csv) but no PDFs."),
) -> None:
    """Download every paper of a venue-year into a folder, politely and resumably.

    The list of papers is written to DIR/papers.csv first; PDFs already in DIR are not fetched again, so an
    interrupted fetch resumes. Then: `mindshare scan DIR --venue V --year Y`.
    """
    from mindshare.http import Http
    from mindshare.scan.venues import fetch_venue

    # index pages go through the HTTP cache; PDFs do not (they are kept in DIR instead)
    with Http() as http, Http(cache=False) as pdf_http:
        result = fetch_venue(http, venue, year, to, limit=limit, download=not list_only, pdf_http=pdf_http)
    out.print(f"{result.listed} papers listed for {result.venue} {year}; {result.downloaded} downloaded, "
              f"{result.skipped} already there, {len(result.failed)} failed -> {to}")
    for url, reason in result.failed[:10]:
        out.print(f"  failed: {url}: {reason}")


def venues() -> None:
    """List the venues `papers fetch` knows and where their papers come from."""
    from mindshare.scan.venues import VENUES

    for key, venue in VENUES.items():
        out.print(f"{key:10} {venue.title}: {venue.where}")
