"""Paper lists and PDFs of venues, for `mindshare papers fetch --venue V --year Y --to DIR`.

Each venue turns (year) into a list of `Paper(id, title, pdf_url)` from the venue's own index pages, fetched
through the shared HTTP layer (mindshare.http: per-host rate limits, retries, cache). Then every PDF not yet in
DIR is downloaded to DIR/<id>.pdf (written to a .part file and renamed, so a killed fetch never leaves a
half file that looks whole). The list is saved as DIR/papers.csv. Re-running resumes.

| venue          | index page                                                         | PDF                                  |
| acl/emnlp/naacl| https://aclanthology.org/events/<venue>-<year>/ (main volumes)     | https://aclanthology.org/<id>.pdf    |
| cvpr/iccv/eccv | https://openaccess.thecvf.com/<VENUE><year>?day=all (ECCV: /ECCV<year>)| *_paper.pdf links on the page  |
| icml           | https://proceedings.mlr.press/v<volume>/ (ICML year -> volume)     | links on the page                    |
| neurips        | https://papers.nips.cc/paper_files/paper/<year> (main track)       | .../file/<hash>-Paper(-Conference).pdf|
| iclr           | OpenReview API: api2 (>= 2024, accepted) / api v1 (< 2024, submissions) | https://openreview.net/pdf?id=ID |
| arxiv:<cat>    | arXiv API, cat:<cat> submitted in <year>                           | https://export.arxiv.org/pdf/<id>    |
"""

from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin

from mindshare.errors import InputError, SourceError
from mindshare.http import PROVIDERS, Http, Limit, Provider

# Hosts without a published limit get one request a second, one at a time: our choice, to be polite.
for _provider in (
    Provider("aclanthology", "ACL Anthology", "aclanthology.org", Limit(1.0, 1, 1),
             limits_doc="no published limit; one request a second is our choice"),
    Provider("cvf", "CVF open access", "openaccess.thecvf.com", Limit(1.0, 1, 1),
             limits_doc="no published limit; one request a second is our choice"),
    Provider("pmlr", "Proceedings of Machine Learning Research", "proceedings.mlr.press", Limit(1.0, 1, 1),
             limits_doc="no published limit; one request a second is our choice"),
    Provider("neurips", "NeurIPS proceedings", "papers.nips.cc", Limit(1.0, 1, 1),
             limits_doc="no published limit; one request a second is our choice"),
    Provider("openreview", "OpenReview API", "api2.openreview.net", Limit(1.0, 1, 1),
             limits_doc="OpenReview rate-limits by IP; one request a second is our choice"),
):
    PROVIDERS.setdefault(_provider.name, _provider)

PMLR_ICML_VOLUMES = {2013: 28, 2014: 32, 2015: 37, 2016: 48, 2017: 70, 2018: 80, 2019: 97, 2020: 119,
                     2021: 139, 2022: 162, 2023: 202, 2024: 235, 2025: 267}


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    pdf_url: str


@dataclass(frozen=True)
class Venue:
    key: str
    title: str
    where: str
    provider: str
    lister: Callable[[Http, str, int], list[Paper]]


@dataclass
class FetchResult:
    venue: str
    listed: int = 0
    downloaded: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = dc_field(default_factory=list)


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


# -- ACL Anthology -----------------------------------------------------------------------------------------
_ACL_PDF = re.compile(r'href="((?:https://aclanthology\.org)?/([A-Za-z0-9.-]+)\.pdf)"')


def parse_acl(page: str, venue: str, year: int) -> list[Paper]:
    """PDF links of an ACL Anthology event page; from 2020 on only the main volume ('<year>.<venue>-main')."""
    papers, seen = [], set()
    for match in _ACL_PDF.finditer(page):
        url, pid = match.groups()
        if year >= 2020 and not re.match(rf"^{year}\.{venue}-(main|long|short)\.\d+$", pid):
            continue
        if pid.endswith(".0") or pid in seen:  # x.0 is the front matter of a volume
            continue
        seen.add(pid)
        papers.append(Paper(pid, "", urljoin("https://aclanthology.org/", url)))
    return papers


def list_acl(http: Http, venue: str, year: int) -> list[Paper]:
    page = http.get_text("aclanthology", f"https://aclanthology.org/events/{venue}-{year}/")
    return parse_acl(page, venue, year)


# -- CVF open access ---------------------------------------------------------------------------------------
_CVF_PDF = re.compile(r'href="([^"]+?_paper\.pdf)"')


def parse_cvf(page: str) -> list[Paper]:
    papers, seen = [], set()
    for match in _CVF_PDF.finditer(page):
        url = urljoin("https://openaccess.thecvf.com/", match.group(1))
        pid = Path(url).stem
        if pid not in seen:
            seen.add(pid)
            papers.append(Paper(_safe_id(pid), "", url))
    return papers


def list_cvf(http: Http, venue: str, year: int) -> list[Paper]:
    name = venue.upper()
    query = "" if name == "ECCV" else "?day=all"
    page = http.get_text("cvf", f"https://openaccess.thecvf.com/{name}{year}{query}")
    return parse_cvf(page)


# -- PMLR (ICML) -----------------------------------------------------------------------------------------
_PMLR_PDF = re.compile(r'href="((?:https?://proceedings\.mlr\.press)?/?v\d+/([^/"]+)/[^/"]+\.pdf)"')


def parse_pmlr(page: str) -> list[Paper]:
    papers, seen = [], set()
    for match in _PMLR_PDF.finditer(page):
        url, pid = match.groups()
        if pid in seen or "supp" in url.rsplit("/", 1)[-1]:
            continue
        seen.add(pid)
        papers.append(Paper(_safe_id(pid), "", urljoin("https://proceedings.mlr.press/", url)))
    return papers


def list_pmlr(http: Http, venue: str, year: int) -> list[Paper]:
    volume = PMLR_ICML_VOLUMES.get(year)
    if volume is None:
        raise InputError(f"no PMLR volume known for ICML {year}; known years: "
                         f"{min(PMLR_ICML_VOLUMES)}-{max(PMLR_ICML_VOLUMES)}")
    return parse_pmlr(http.get_text("pmlr", f"https://proceedings.mlr.press/v{volume}/"))


# -- NeurIPS -----------------------------------------------------------------------------------------------
_NIPS_ABSTRACT = re.compile(r'href="(/paper_files/paper/(\d{4})/hash/([0-9a-f]+)-Abstract(-Conference)?\.html)"'
                            r'[^>]*>(.*?)</a>', re.S)


def parse_neurips(page: str) -> list[Paper]:
    """Main-track papers of a papers.nips.cc year page (the Datasets and Benchmarks track is left out)."""
    papers, seen = [], set()
    for match in _NIPS_ABSTRACT.finditer(page):
        _, year, digest, conference, title = match.groups()
        if digest in seen:
            continue
        seen.add(digest)
        suffix = "-Paper-Conference.pdf" if conference else "-Paper.pdf"
        url = f"https://papers.nips.cc/paper_files/paper/{year}/file/{digest}{suffix}"
        papers.append(Paper(digest, _text(title), url))
    return papers


def list_neurips(http: Http, venue: str, year: int) -> list[Paper]:
    return parse_neurips(http.get_text("neurips", f"https://papers.nips.cc/paper_files/paper/{year}"))


# -- OpenReview (ICLR) -------------------------------------------------------------------------------------
def parse_openreview(data: dict) -> list[Paper]:
    papers = []
    for note in data.get("notes", []):
        content = note.get("content") or {}
        title = content.get("title")
        if isinstance(title, dict):  # API v2 wraps values: {"value": ...}
            title = title.get("value")
        papers.append(Paper(_safe_id(note["id"]), str(title or ""), f"https://openreview.net/pdf?id={note['id']}"))
    return papers


def list_openreview(http: Http, venue: str, year: int, page_size: int = 1000) -> list[Paper]:
    group = f"{venue.upper()}.cc/{year}/Conference"
    if year >= 2024:
        url, params = "https://api2.openreview.net/notes", {"content.venueid": group}
    else:
        url, params = "https://api.openreview.net/notes", {"invitation": f"{group}/-/Blind_Submission"}
    papers: list[Paper] = []
    offset = 0
    while True:
        data = http.get_json("openreview", url, {**params, "offset": offset, "limit": page_size})
        batch = parse_openreview(data)
        papers += batch
        offset += len(batch)
        if len(batch) < page_size:
            return papers


# -- arXiv -------------------------------------------------------------------------------------------------
_ENTRY = re.compile(r"<entry>(.*?)</entry>", re.S)
_ID = re.compile(r"<id>\s*https?://arxiv\.org/abs/([^<\s]+)\s*</id>")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def parse_arxiv(feed: str) -> list[Paper]:
    papers = []
    for entry in _ENTRY.findall(feed):
        found = _ID.search(entry)
        if not found:
            continue
        arxiv_id = found.group(1)
        title = " ".join(_text(_TITLE.search(entry).group(1)).split()) if _TITLE.search(entry) else ""
        papers.append(Paper(_safe_id(arxiv_id.replace("/", "_")), title,
                            f"https://export.arxiv.org/pdf/{arxiv_id}"))
    return papers


def list_arxiv(http: Http, venue: str, year: int, page_size: int = 1000, limit: int | None = None) -> list[Paper]:
    category = venue.split(":", 1)[1] if ":" in venue else "cs.LG"
    query = f"cat:{category} AND submittedDate:[{year}01010000 TO {year}12312359]"
    papers: list[Paper] = []
    while True:
        feed = http.get_text("arxiv", "https://export.arxiv.org/api/query",
                             {"search_query": query, "start": len(papers), "max_results": page_size,
                              "sortBy": "submittedDate", "sortOrder": "ascending"})
        batch = parse_arxiv(feed)
        papers += batch
        if len(batch) < page_size or (limit and len(papers) >= limit):
            return papers


VENUES: dict[str, Venue] = {v.key: v for v in (
    Venue("acl", "ACL", "ACL Anthology event page, main volume", "aclanthology", list_acl),
    Venue("emnlp", "EMNLP", "ACL Anthology event page, main volume", "aclanthology", list_acl),
    Venue("naacl", "NAACL", "ACL Anthology event page, main volume", "aclanthology", list_acl),
    Venue("cvpr", "CVPR", "CVF open access", "cvf", list_cvf),
    Venue("iccv", "ICCV", "CVF open access", "cvf", list_cvf),
    Venue("eccv", "ECCV", "CVF open access (ECCV 2018 on)", "cvf", list_cvf),
    Venue("icml", "ICML", "PMLR volume", "pmlr", list_pmlr),
    Venue("neurips", "NeurIPS", "papers.nips.cc, main track", "neurips", list_neurips),
    Venue("iclr", "ICLR", "OpenReview (submissions before 2024, accepted papers from 2024)", "openreview",
          list_openreview),
    Venue("arxiv", "arXiv", "arXiv API by category: --venue arxiv:cs.LG (default cs.LG)", "arxiv", list_arxiv),
)}

PDF_PROVIDER = {"aclanthology": "aclanthology", "cvf": "cvf", "pmlr": "pmlr", "neurips": "neurips",
                "openreview": "openreview", "arxiv": "arxiv"}


def resolve(venue: str) -> tuple[Venue, str]:
    key = venue.lower().split(":", 1)[0]
    if key == "nips":
        key = "neurips"
    if key not in VENUES:
        raise InputError(f"unknown venue {venue!r}; known: {', '.join(VENUES)} (arXiv: arxiv:CATEGORY)")
    return VENUES[key], venue.lower() if key == "arxiv" else key


def fetch_venue(http: Http, venue: str, year: int, to: Path, *, limit: int | None = None,
                download: bool = True, pdf_http: Http | None = None) -> FetchResult:
    spec, name = resolve(venue)
    to.mkdir(parents=True, exist_ok=True)
    papers = spec.lister(http, name, year)
    if limit is not None:
        papers = papers[:limit]
    result = FetchResult(spec.title, listed=len(papers))
    with open(to / "papers.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "pdf_url", "file", "venue", "year"])
        for paper in papers:
            writer.writerow([paper.id, paper.title, paper.pdf_url, f"{paper.id}.pdf", spec.title, year])
    if not download:
        return result
    client = pdf_http or http
    for paper in papers:
        target = to / f"{paper.id}.pdf"
        if target.exists() and target.stat().st_size > 0:
            result.skipped += 1
            continue
        try:
            response = client.get(PDF_PROVIDER[spec.provider], paper.pdf_url)
        except SourceError as exc:
            result.failed.append((paper.pdf_url, str(exc)))
            continue
        if not response.content.lstrip()[:5].startswith(b"%PDF"):
            result.failed.append((paper.pdf_url, "the response is not a PDF"))
            continue
        part = target.with_suffix(".pdf.part")
        part.write_bytes(response.content)
        part.replace(target)
        result.downloaded += 1
    return result
