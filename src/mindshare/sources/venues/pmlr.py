"""PMLR (ICML): the papers of an ICML volume, from its index page.

Every volume's page is rendered by the same template (mlresearch/jekyll-theme `_includes/listpaper.html`): one
`<div class="paper">` per paper with `<p class="title">` and, in `<p class="links">`, `[abs]`, `[Download PDF]`,
`[Supplementary Material]`, ... The PDF's path differs by volume: flat files in v28 (2013), v37 (2015) and v48
(2016) (`/v37/ioffe15.pdf`), a folder per paper from v70 (2017) (`/v97/abbati19a/abbati19a.pdf`), and both in
v32 (2014). So the link is found by its label, "Download PDF", not by its path; the paper's id is the PDF's
file name without `.pdf`. A block without that label falls back to its first PDF that is not supplementary.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from mindshare.errors import InputError
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

PROVIDER = polite("pmlr", "Proceedings of Machine Learning Research", "proceedings.mlr.press")
SITE = "https://proceedings.mlr.press/"
ICML_VOLUMES = {2013: 28, 2014: 32, 2015: 37, 2016: 48, 2017: 70, 2018: 80, 2019: 97, 2020: 119,
                2021: 139, 2022: 162, 2023: 202, 2024: 235, 2025: 267}


def _is_supplement(url: str, text: str) -> bool:
    return "supp" in text.lower() or "supp" in PurePosixPath(url).name.lower()


def https(url: str) -> str:
    """Old volumes link `http://proceedings.mlr.press/...`; the site serves the same files over https."""
    return "https://" + url[len("http://"):] if url.startswith("http://proceedings.mlr.press/") else url


def parse_pmlr(page: str) -> list[Paper]:
    papers = []
    for block in html(page).css("div.paper"):
        title_node = block.css_first("p.title")
        title = " ".join(title_node.text(strip=True).split()) if title_node else ""
        pdfs = [(https(url), text) for url, text, _ in links(block, SITE) if url.lower().endswith(".pdf")]
        chosen = next((url for url, text in pdfs if text.lower() == "download pdf"), None)
        chosen = chosen or next((url for url, text in pdfs if not _is_supplement(url, text)), None)
        if chosen:
            papers.append(Paper(safe_id(PurePosixPath(chosen).stem), title, chosen))
    return unique(papers)


def index_pmlr(venue: str, year: int) -> str:
    """The page of the year's ICML volume; an InputError for a year with no volume known."""
    volume = ICML_VOLUMES.get(year)
    if volume is None:
        raise InputError(f"no PMLR volume known for ICML {year}; known years: "
                         f"{min(ICML_VOLUMES)}-{max(ICML_VOLUMES)}")
    return f"{SITE}v{volume}/"


def list_pmlr(http: Http, venue: str, year: int) -> Listing:
    url = index_pmlr(venue, year)
    return Listing(parse_pmlr(http.get_text(PROVIDER, url)), url)
