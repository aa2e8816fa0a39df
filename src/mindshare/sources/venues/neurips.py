"""NeurIPS (papers.nips.cc): the main-track papers of a year.

`https://papers.nips.cc/paper_files/paper/<year>` lists each paper as a link to its abstract page,
`/paper_files/paper/2023/hash/<hash>-Abstract-Conference.html` (2022 on) or `.../<hash>-Abstract.html` (before);
the Datasets and Benchmarks track (`-Abstract-Datasets_and_Benchmarks.html`) is left out. The PDF is
`/paper_files/paper/<year>/file/<hash>-Paper(-Conference).pdf`.

No saved real page exists: the tests use a structure another project recorded (see tests/fixtures/venues).
"""

from __future__ import annotations

import re

from mindshare.http import Http
from mindshare.sources.venues.base import Listing, Paper, links, polite, unique

PROVIDER = polite("neurips", "NeurIPS proceedings", "papers.nips.cc")
SITE = "https://papers.nips.cc/"
_ABSTRACT = re.compile(r"/paper_files/paper/(\d{4})/hash/([0-9a-f]+)-Abstract(-Conference)?\.html$")


def parse_neurips(page: str) -> list[Paper]:
    papers = []
    for url, text, _ in links(page, SITE):
        found = _ABSTRACT.search(url)
        if not found:
            continue
        year, digest, conference = found.groups()
        suffix = "-Paper-Conference.pdf" if conference else "-Paper.pdf"
        papers.append(Paper(digest, text, f"{SITE}paper_files/paper/{year}/file/{digest}{suffix}"))
    return unique(papers)


def index_neurips(venue: str, year: int) -> str:
    return f"{SITE}paper_files/paper/{year}"


def list_neurips(http: Http, venue: str, year: int) -> Listing:
    url = index_neurips(venue, year)
    return Listing(parse_neurips(http.get_text(PROVIDER, url)), url)
