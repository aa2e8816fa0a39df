"""What every venue fetcher shares: a paper, a listing, and reading HTML with a real parser.

Index pages are parsed with selectolax (the Lexbor HTML5 parser), never with regular expressions over
markup: the live ACL Anthology is minified (attribute values unquoted: `href=https://aclanthology.org/
2023.acl-long.1.pdf`), and a browser's parser reads that as any other page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mindshare.http import Http, Limit, Provider


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    pdf_url: str


@dataclass
class Listing:
    """A venue-year's papers, the index page(s) they came from, and what the lister had to work around."""

    papers: list[Paper]
    url: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Venue:
    key: str
    title: str
    where: str
    provider: Provider
    lister: Callable[[Http, str, int], Listing]
    index: Callable[[str, int], str]   # the first page the lister asks, known without asking (`--dry-run`)


def polite(name: str, title: str, host: str, hint: str = "") -> Provider:
    """A host without a published limit: one request a second, one at a time (our choice, to be polite)."""
    return Provider(name, title, host, Limit(1.0, 1, 1),
                    limits_doc="no published limit; one request a second is our choice",
                    hint=hint or f"{title} may be down or refusing this address; try again later")


def html(page: str) -> LexborHTMLParser:
    return LexborHTMLParser(page)


def links(page: str | LexborHTMLParser | LexborNode, base: str) -> Iterator[tuple[str, str, LexborNode]]:
    """(absolute URL, link text, node) of every `<a href>` on the page (or under a node), in order."""
    tree = html(page) if isinstance(page, str) else page
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href:
            yield urljoin(base, href), " ".join(node.text(strip=True).split()), node


def safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120]


def unique(papers: list[Paper]) -> list[Paper]:
    """The first paper of each id, in order."""
    seen: set[str] = set()
    kept = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            kept.append(paper)
    return kept
