"""arXiv: the papers of a category submitted in a year, from the arXiv API (`--venue arxiv:cs.LG`).

`GET https://export.arxiv.org/api/query?search_query=cat:<cat> AND submittedDate:[<year>0101 TO <year>1231]`
answers an Atom feed, read with an XML parser; each `<entry>`'s `<id>` is `http://arxiv.org/abs/<id>`. The
provider (one request every three seconds) is the arXiv source's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from mindshare.errors import SourceError
from mindshare.http import Http
from mindshare.sources.arxiv import ArxivSource
from mindshare.sources.venues.base import Listing, Paper, safe_id

PROVIDER = ArxivSource.provider
API = "https://export.arxiv.org/api/query"
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_arxiv(feed: str) -> list[Paper]:
    try:
        root = ET.fromstring(feed.encode("utf-8") if isinstance(feed, str) else feed)
    except ET.ParseError:
        raise SourceError("arxiv: the listing is not an Atom feed; the API may be failing, try again later") from None
    papers = []
    for entry in root.iter(f"{ATOM}entry"):
        found = (entry.findtext(f"{ATOM}id") or "").strip()
        if "/abs/" not in found:
            continue
        arxiv_id = found.split("/abs/", 1)[1]
        title = " ".join((entry.findtext(f"{ATOM}title") or "").split())
        papers.append(Paper(safe_id(arxiv_id.replace("/", "_")), title, f"https://export.arxiv.org/pdf/{arxiv_id}"))
    return papers


def _params(venue: str, year: int, start: int, page_size: int) -> dict[str, str | int]:
    category = venue.split(":", 1)[1] if ":" in venue else "cs.LG"
    return {"search_query": f"cat:{category} AND submittedDate:[{year}01010000 TO {year}12312359]",
            "start": start, "max_results": page_size, "sortBy": "submittedDate", "sortOrder": "ascending"}


def index_arxiv(venue: str, year: int, page_size: int = 1000) -> str:
    """The first page of the listing (the API is asked page by page)."""
    return str(httpx.URL(API, params=_params(venue, year, 0, page_size)))


def list_arxiv(http: Http, venue: str, year: int, page_size: int = 1000, limit: int | None = None) -> Listing:
    papers: list[Paper] = []
    while True:
        feed = http.get_text(PROVIDER, API, _params(venue, year, len(papers), page_size))
        batch = parse_arxiv(feed)
        papers += batch
        if len(batch) < page_size or (limit and len(papers) >= limit):
            return Listing(papers, API)
