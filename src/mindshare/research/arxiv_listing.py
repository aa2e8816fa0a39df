"""arXiv's listing of one category in one month: its size (the sampling frame) and the entries at offsets.

`GET https://export.arxiv.org/api/query?search_query=cat:cs.LG AND submittedDate:[202401010000 TO
202401312359]&sortBy=submittedDate&sortOrder=ascending&start=S&max_results=K` answers an Atom feed:
`<opensearch:totalResults>` is the number of papers first submitted that month and listed in the category
(cross-lists included), and the entries are papers S..S+K-1 in submission order. Each entry's `<id>` is
`http://arxiv.org/abs/<id>v<version>` (the latest version); the sample reads the first version's PDF,
`https://export.arxiv.org/pdf/<id>v1`, the paper as it was submitted that month (arXiv asks robots to use the
export mirror, and its limit of one request every three seconds covers PDFs too: they go
through the same `arxiv` provider of the HTTP layer).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime

from mindshare.errors import SourceError
from mindshare.http import Http, build_url
from mindshare.sources.arxiv import API, ArxivSource, total_results

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
PDF_BASE = "https://export.arxiv.org/pdf/"
PROVIDER = ArxivSource.provider  # listings and PDFs share arXiv's one request every 3 s
_ABS_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?P<version>v\d+)?$")
_CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")


@dataclass(frozen=True)
class Entry:
    """One listed paper: enough to fetch its PDF and to say which one it was."""

    arxiv_id: str          # '2401.00001' (or 'hep-th/9901001')
    version: str           # 'v1'
    published: str         # the first version's submission time, as arXiv gives it
    primary_category: str
    title: str

    @property
    def first_version_id(self) -> str:
        """The paper as submitted that month: the listing gives the latest version, whose text may have
        changed since (a camera-ready version adding a code link)."""
        return f"{self.arxiv_id}v1"


def check_category(category: str) -> str:
    """An arXiv category as the API spells it ('cs.LG'), or a ValueError."""
    category = category.strip()
    if not _CATEGORY.match(category):
        raise ValueError(f"{category!r} is not an arXiv category (write it as arXiv does, e.g. cs.LG)")
    return category


def listing_query(category: str, first: date, last: date) -> str:
    return f"cat:{category} AND submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]"


def listing_params(category: str, first: date, last: date, start: int, count: int) -> dict:
    return {"search_query": listing_query(category, first, last), "sortBy": "submittedDate",
            "sortOrder": "ascending", "start": start, "max_results": count}


def listing_url(category: str, first: date, last: date, start: int = 0, count: int = 0) -> str:
    return build_url(API, listing_params(category, first, last, start, count))


def frame_size(http: Http, category: str, first: date, last: date) -> tuple[int, str, datetime]:
    """How many papers the month's listing holds (asking for no entries), the URL asked and when."""
    params = listing_params(category, first, last, 0, 0)
    url = build_url(API, params)
    response = http.get(PROVIDER, API, params)
    total = total_results(response.text)
    if total is None:
        raise SourceError(f"arxiv: the listing {url} has no <opensearch:totalResults> (an error feed or a "
                          f"changed format); cannot size the sample")
    return total, url, http.fetched_at(response)


def entries_at(http: Http, category: str, first: date, last: date, start: int, count: int) -> list[Entry]:
    """The `count` listed papers from offset `start`, in submission order."""
    params = listing_params(category, first, last, start, count)
    response = http.get(PROVIDER, API, params)
    entries = parse_entries(response.text, build_url(API, params))
    if len(entries) != count:
        # arXiv sometimes answers a page short while its index updates: a sample must not shift by a paper
        raise SourceError(f"arxiv: asked for {count} entries from offset {start} of {category} "
                          f"{first:%Y-%m} and got {len(entries)}; the listing is changing, try again later")
    return entries


def parse_entries(feed: str | bytes, url: str) -> list[Entry]:
    """The entries of an arXiv Atom feed; an error feed or an unreadable body is a SourceError."""
    try:
        root = ET.fromstring(feed.encode("utf-8") if isinstance(feed, str) else feed)
    except ET.ParseError as exc:
        raise SourceError(f"arxiv: the listing {url} is not an Atom feed ({exc})") from None
    entries = []
    for node in root.findall(f"{ATOM}entry"):
        raw_id = (node.findtext(f"{ATOM}id") or "").strip()
        title = " ".join((node.findtext(f"{ATOM}title") or "").split())
        if "/api/errors" in raw_id:
            summary = " ".join((node.findtext(f"{ATOM}summary") or "").split())
            raise SourceError(f"arxiv: the listing {url} answered an error: {summary or title}")
        found = _ABS_ID.search(raw_id)
        if not found:
            raise SourceError(f"arxiv: an entry of {url} has an id mindshare cannot read: {raw_id!r}")
        primary = node.find(f"{ARXIV}primary_category")
        entries.append(Entry(
            arxiv_id=found.group("id"), version=found.group("version") or "v1",
            published=(node.findtext(f"{ATOM}published") or "").strip(),
            primary_category=primary.get("term", "") if primary is not None else "", title=title))
    return entries
