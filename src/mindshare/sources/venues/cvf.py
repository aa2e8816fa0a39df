"""CVF open access (CVPR, ICCV, ECCV): the papers of a conference, from its index.

`https://openaccess.thecvf.com/<VENUE><year>?day=all` lists every paper: a title link in `<dt class=ptitle>`
(`/content/CVPR2023/html/<name>_paper.html`) and a `[pdf]` link (`/content/CVPR2023/papers/<name>_paper.pdf`)
beside `[supp]` and `[arXiv]`. Some years reject `?day=all` (another project saw "Error 1525"): then the
conference's own page is read, and the per-day pages it links (`?day=2019-06-18`), or its papers if it lists
them itself (the years before days). ECCV has no `?day=all`.

No saved real page exists: the tests use a structure another project recorded (see tests/fixtures/venues).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from mindshare.console import plural
from mindshare.errors import SourceError
from mindshare.http import Http
from mindshare.sources.venues.base import (
    Listing,
    Paper,
    html,
    links,
    polite,
    safe_id,
    unique,
)

PROVIDER = polite("cvf", "CVF open access", "openaccess.thecvf.com")
SITE = "https://openaccess.thecvf.com/"


def parse_cvf(page: str) -> list[Paper]:
    """The papers of a CVF index page: each `[pdf]` link under /papers/ (not /supplemental/), titled by the
    `ptitle` link of the same name."""
    tree = html(page)
    titles = {}
    for url, text, node in links(tree, SITE):
        if url.endswith("_paper.html") or "/html/" in url:
            titles.setdefault(PurePosixPath(url).stem, text)
    papers = []
    for url, text, _ in links(tree, SITE):
        if url.endswith(".pdf") and "/papers/" in url and text.lower() == "pdf":
            stem = PurePosixPath(url).stem
            papers.append(Paper(safe_id(stem), titles.get(stem, ""), url))
    return unique(papers)


def day_pages(page: str, index_url: str) -> list[str]:
    """The per-day pages an index links (`?day=YYYY-MM-DD`), in order."""
    days = [url for url, _, _ in links(page, index_url) if re.search(r"[?&]day=\d{4}-\d{2}-\d{2}$", url)]
    return list(dict.fromkeys(days))


def index_cvf(venue: str, year: int) -> str:
    """The page asked first: every day at once (`?day=all`), except for ECCV, which has no such page."""
    index = f"{SITE}{venue.upper()}{year}"
    return index if venue.upper() == "ECCV" else f"{index}?day=all"


def list_cvf(http: Http, venue: str, year: int) -> Listing:
    name = venue.upper()
    index = f"{SITE}{name}{year}"
    if name != "ECCV":
        try:
            papers = parse_cvf(http.get_text(PROVIDER, index_cvf(venue, year)))
        except SourceError as exc:
            refused = str(exc)
        else:
            if papers:
                return Listing(papers, index_cvf(venue, year))
            refused = "it lists no papers"
    page = http.get_text(PROVIDER, index)
    papers, notes, days = parse_cvf(page), [], []
    if name != "ECCV":
        notes.append(f"{name} {year}: ?day=all refused ({refused}); read the conference's own page")
    if not papers:
        days = day_pages(page, index)
        for day in days:
            papers += parse_cvf(http.get_text(PROVIDER, day))
        if days:
            notes.append(f"{name} {year}: papers from {plural(len(days), 'per-day page')}")
    return Listing(unique(papers), index, notes)
