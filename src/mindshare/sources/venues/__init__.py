"""Paper lists and PDFs of venues, for `mindshare papers fetch --venue V --year Y --to DIR`.

One module per venue turns (year) into a `Listing` of `Paper(id, title, pdf_url)` from the venue's own index
pages, parsed with a real HTML parser (`base.py`) and fetched through the shared HTTP layer (per-host rate
limits, retries, cache; each module's `PROVIDER`). Then every PDF not yet in DIR is downloaded to
DIR/<id>.pdf (written to a .part file and renamed, so a killed fetch never leaves a half file that looks
whole). The list is saved as DIR/papers.csv. Re-running resumes. `plan_venue` says, without a request, what a
fetch would ask first and what DIR already holds (`papers fetch --dry-run`).

A listing of 0 papers is an error (nothing written), unless the caller says it is expected: an index whose
layout changed lists nothing, and that must not pass for a venue without papers.

| venue          | module       | index page                                                         | PDF                                  |
| acl/emnlp/naacl| acl.py       | https://aclanthology.org/events/<venue>-<year>/ (main volumes)     | https://aclanthology.org/<id>.pdf    |
| cvpr/iccv/eccv | cvf.py       | https://openaccess.thecvf.com/<VENUE><year>?day=all, else per day  | [pdf] links on the page              |
| icml           | pmlr.py      | https://proceedings.mlr.press/v<volume>/ (ICML year -> volume)     | the "Download PDF" link of each paper|
| neurips        | neurips.py   | https://papers.nips.cc/paper_files/paper/<year> (main track)       | .../file/<hash>-Paper(-Conference).pdf|
| iclr           | openreview.py| OpenReview API: api2 (>= 2024, accepted) / api v1 (< 2024, submissions), logged in | https://openreview.net/pdf?id=ID |
| arxiv:<cat>    | arxiv.py     | arXiv API, cat:<cat> submitted in <year>                           | https://export.arxiv.org/pdf/<id>    |
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Callable

from mindshare.errors import InputError, SourceError, UnknownNameError
from mindshare.http import Http, Provider
from mindshare.sources.venues import acl, arxiv, cvf, neurips, openreview, pmlr
from mindshare.sources.venues.base import Listing, Paper, Venue

PMLR_ICML_VOLUMES = pmlr.ICML_VOLUMES

VENUES: dict[str, Venue] = {v.key: v for v in (
    Venue("acl", "ACL", "ACL Anthology event page, main volumes", acl.PROVIDER, acl.list_acl, acl.index_acl),
    Venue("emnlp", "EMNLP", "ACL Anthology event page, main volumes", acl.PROVIDER, acl.list_acl, acl.index_acl),
    Venue("naacl", "NAACL", "ACL Anthology event page, main volumes", acl.PROVIDER, acl.list_acl, acl.index_acl),
    Venue("cvpr", "CVPR", "CVF open access (all days, else day by day)", cvf.PROVIDER, cvf.list_cvf, cvf.index_cvf),
    Venue("iccv", "ICCV", "CVF open access (all days, else day by day)", cvf.PROVIDER, cvf.list_cvf, cvf.index_cvf),
    Venue("eccv", "ECCV", "CVF open access (ECCV 2018 on)", cvf.PROVIDER, cvf.list_cvf, cvf.index_cvf),
    Venue("icml", "ICML", "PMLR volume", pmlr.PROVIDER, pmlr.list_pmlr, pmlr.index_pmlr),
    Venue("neurips", "NeurIPS", "papers.nips.cc, main track", neurips.PROVIDER, neurips.list_neurips,
          neurips.index_neurips),
    Venue("iclr", "ICLR", "OpenReview (submissions before 2024, accepted papers from 2024; needs "
          "OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD)", openreview.PROVIDER, openreview.list_openreview,
          openreview.index_openreview),
    Venue("arxiv", "arXiv", "arXiv API by category: --venue arxiv:cs.LG (default cs.LG)", arxiv.PROVIDER,
          arxiv.list_arxiv, arxiv.index_arxiv),
)}

PROVIDERS = {venue.provider.name: venue.provider for venue in VENUES.values()}


class UnknownVenueError(UnknownNameError, InputError):
    """A venue `papers fetch` does not know: exit code 2 as every unknown name (an InputError too, as it was
    before: a caller catching that still does)."""


@dataclass
class FetchResult:
    venue: str
    listed: int = 0
    downloaded: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = dc_field(default_factory=list)
    notes: list[str] = dc_field(default_factory=list)
    index: str = ""


def resolve(venue: str) -> tuple[Venue, str]:
    key = venue.lower().split(":", 1)[0]
    if key == "nips":
        key = "neurips"
    if key not in VENUES:
        raise UnknownVenueError(f"unknown venue {venue!r}; known: {', '.join(VENUES)} (arXiv: arxiv:CATEGORY)")
    return VENUES[key], venue.lower() if key == "arxiv" else key


@dataclass
class FetchPlan:
    """What a fetch of a venue-year into a folder would do, known without a request."""

    venue: str
    year: int
    index: str                  # the first page the listing asks
    provider: Provider
    listed: int | None          # papers in the folder's papers.csv from an earlier listing (None: no listing yet)
    there: int                  # PDFs already in the folder (a fetch skips them)

    @property
    def to_fetch(self) -> int | None:
        """PDFs a fetch would download, when an earlier listing says how many there are."""
        return None if self.listed is None else max(self.listed - self.there, 0)

    @property
    def seconds(self) -> float | None:
        """The least time the fetch takes at the host's pace (one request a second for most venues)."""
        if self.to_fetch is None:
            return None
        return (self.to_fetch + 1) / self.provider.limit.per_second


def plan_venue(venue: str, year: int, to: Path, *, limit: int | None = None) -> FetchPlan:
    """`papers fetch --dry-run`: the index it would ask first, and what `to` already holds; no request."""
    spec, name = resolve(venue)
    listed = None
    if (to / "papers.csv").is_file():
        with open(to / "papers.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        if rows and rows[0].get("venue") == spec.title and rows[0].get("year") == str(year):
            listed = len(rows) if limit is None else min(len(rows), limit)
    there = sum(1 for path in to.glob("*.pdf") if path.stat().st_size > 0) if to.is_dir() else 0
    return FetchPlan(spec.title, year, spec.index(name, year), spec.provider, listed, there)


def fetch_venue(http: Http, venue: str, year: int, to: Path, *, limit: int | None = None,
                download: bool = True, pdf_http: Http | None = None, allow_empty: bool = False,
                progress: Callable[[int, int], None] | None = None) -> FetchResult:
    """List the venue-year's papers, write DIR/papers.csv, and download every PDF not yet there. `progress(done,
    total)` is told after each paper (downloaded, skipped or failed)."""
    spec, name = resolve(venue)
    listing: Listing = spec.lister(http, name, year)
    papers = listing.papers if limit is None else listing.papers[:limit]
    if not papers and not allow_empty:
        raise SourceError(f"{spec.provider.name}: {spec.title} {year}: {listing.url} lists 0 papers (the page's "
                          f"layout may have changed); nothing written (if that is expected, run again with "
                          f"--allow-empty)")
    result = FetchResult(spec.title, listed=len(papers), notes=list(listing.notes), index=listing.url)
    to.mkdir(parents=True, exist_ok=True)
    with open(to / "papers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "pdf_url", "file", "venue", "year"])
        for paper in papers:
            writer.writerow([paper.id, paper.title, paper.pdf_url, f"{paper.id}.pdf", spec.title, year])
    if not download:
        return result
    client = pdf_http or http
    for done, paper in enumerate(papers, 1):
        _fetch_pdf(client, spec.provider, paper, to / f"{paper.id}.pdf", result)
        if progress is not None:
            progress(done, len(papers))
    return result


def _fetch_pdf(client: Http, provider: Provider, paper: Paper, target: Path, result: FetchResult) -> None:
    """One paper's PDF into `target` (unless it is there), counted in `result`."""
    if target.exists() and target.stat().st_size > 0:
        result.skipped += 1
        return
    try:
        response = client.get(provider, paper.pdf_url)
    except SourceError as exc:
        result.failed.append((paper.pdf_url, str(exc)))
        return
    if not response.content.lstrip()[:5].startswith(b"%PDF"):
        result.failed.append((paper.pdf_url, "the response is not a PDF"))
        return
    part = target.with_suffix(".pdf.part")
    part.write_bytes(response.content)
    part.replace(target)
    result.downloaded += 1


__all__ = ["FetchPlan", "FetchResult", "Listing", "PMLR_ICML_VOLUMES", "PROVIDERS", "Paper", "UnknownVenueError",
           "VENUES", "Venue", "fetch_venue", "plan_venue", "resolve"]
