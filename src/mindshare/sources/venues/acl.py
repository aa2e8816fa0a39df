"""ACL Anthology (ACL, EMNLP, NAACL): the papers of a venue's main volumes, from its event page.

`https://aclanthology.org/events/<venue>-<year>/` lists every volume of the event, each paper with a PDF link
(`href=https://aclanthology.org/2023.acl-long.1.pdf`, unquoted: the site is built with `hugo --minify`) and a
title link to its page (`href=/2023.acl-long.1/`). Kept:

- from 2020, papers of the main volumes `<year>.<venue>-main|long|short.N` (not findings, demos, workshops);
- before 2020, papers with the venue's old letter (`P19-1001` ACL, `D19-…` EMNLP, `N19-…` NAACL), so the
  workshops on the same event page (`W19-…`) are not counted;
- never front matter: paper 0 of a volume (`2023.acl-long.0`, `P19-1000`), nor a whole volume's PDF.
"""

from __future__ import annotations

import re

from mindshare.http import Http
from mindshare.sources.venues.base import Listing, Paper, links, polite, unique

PROVIDER = polite("aclanthology", "ACL Anthology", "aclanthology.org")
SITE = "https://aclanthology.org/"
OLD_LETTER = {"acl": "P", "emnlp": "D", "naacl": "N"}


def is_front_matter(paper_id: str) -> bool:
    """Paper 0 of a volume: `2023.acl-long.0`, or `P19-1000` (volume 1, paper 000) in the old ids."""
    return paper_id.endswith(".0") or bool(re.fullmatch(r"[A-Z]\d{2}-\d000", paper_id))


def is_main_paper(paper_id: str, venue: str, year: int) -> bool:
    if is_front_matter(paper_id):
        return False
    if year >= 2020:
        return bool(re.fullmatch(rf"{year}\.{re.escape(venue)}-(main|long|short)\.\d+", paper_id))
    letter = OLD_LETTER.get(venue, "")
    return bool(letter) and bool(re.fullmatch(rf"{letter}{year % 100:02d}-\d{{4}}", paper_id))


def parse_acl(page: str, venue: str, year: int) -> list[Paper]:
    """The main-volume papers of an ACL Anthology event page, with their titles."""
    found = list(links(page, SITE))
    titles = {}
    for url, text, _ in found:
        if url.startswith(SITE) and url.endswith("/") and text:
            titles.setdefault(url[len(SITE):].strip("/"), text)
    papers = []
    for url, _, _ in found:
        if not (url.startswith(SITE) and url.endswith(".pdf")):
            continue
        paper_id = url[len(SITE):-len(".pdf")]
        if is_main_paper(paper_id, venue, year):
            papers.append(Paper(paper_id, titles.get(paper_id, ""), url))
    return unique(papers)


def index_acl(venue: str, year: int) -> str:
    """The event page that lists the venue-year's papers."""
    return f"{SITE}events/{venue}-{year}/"


def list_acl(http: Http, venue: str, year: int) -> Listing:
    url = index_acl(venue, year)
    return Listing(parse_acl(http.get_text(PROVIDER, url), venue, year), url)
