"""arXiv API: papers per month whose title or abstract names each contender.

One request per contender and month, asking only for the count:
`GET https://export.arxiv.org/api/query?search_query=(ti:"pytorch" OR abs:"pytorch") AND
submittedDate:[202401010000 TO 202401312359]&start=0&max_results=0` answers an Atom feed whose
`<opensearch:totalResults>` is the number of matching papers (`papers_month`). The phrase list is the
contender's `arxiv_query` if the field gives one (used as is), else its `patterns`. arXiv's search matches
words after its own stemming and tokenising, which is not mindshare's whole-word rule for PDFs; the method
name says which rule a number comes from. The current month is PARTIAL.

arXiv allows one request every three seconds on a single connection, so this is the slowest source:
12 months for 10 contenders is 120 requests, six minutes. `--since` narrows it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import Limit, Provider
from mindshare.observations import month_label, months_between, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source

API = "https://export.arxiv.org/api/query"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def search_expression(c: Contender) -> str:
    if c.arxiv_query:
        return c.arxiv_query
    phrases = c.patterns or (c.name,)
    return " OR ".join(f'{field}:"{p}"' for p in phrases for field in ("ti", "abs"))


def total_results(feed: str) -> int | None:
    """`opensearch:totalResults` of an arXiv Atom feed, or None when it is not there."""
    try:
        root = ET.fromstring(feed.encode("utf-8") if isinstance(feed, str) else feed)
    except ET.ParseError:
        return None
    found = root.find(f"{OPENSEARCH}totalResults")
    if found is None or not (found.text or "").strip().isdigit():
        return None
    return int(found.text.strip())


class ArxivSource(Source):
    name = "arxiv"
    title = "arXiv"
    provider = Provider(
        "arxiv", "arXiv API", "export.arxiv.org",
        # "no more than one request every three seconds, and ... a single connection at a time".
        limit=Limit(per_second=1 / 3, burst=1, concurrency=1),
        limits_doc="https://info.arxiv.org/help/api/tou.html",
        hint="arXiv allows one request every 3 seconds; try again later or narrow --since")
    signal = "research"
    source = "export.arxiv.org"
    method = "arxiv-api-ti-abs-v1"
    identifier = ""  # every contender has a name to search for
    metrics = (catalogue.PAPERS_MONTH,)
    measures = "papers per month whose title or abstract names the contender"

    def _calls(self, contenders: list[Contender], since: date, today: date) -> list[tuple]:
        return [(c, first, last, Call(self.provider, API, {
                    "search_query": f"({search_expression(c)}) AND "
                                    f"submittedDate:[{first:%Y%m%d}0000 TO {last:%Y%m%d}2359]",
                    "start": 0, "max_results": 0}, f"{c.id}: papers in {month_label(first)}"))
                for c in self.eligible(contenders) for first, last in months_between(since, today)]

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [call for *_, call in self._calls(contenders, since, today)]

    def collect(self, run: Run) -> pd.DataFrame:
        calls = self._calls(run.contenders, run.since, run.today)
        run.set_total(len(calls))

        def fetch(job) -> dict:
            c, first, last, call = job
            response = run.http.get(self.provider, call.url, call.params)
            count = total_results(response.text)
            if count is None:
                raise self.schema_error("<opensearch:totalResults> in an Atom feed", call.full_url)
            fetched = run.http.fetched_at(response)
            run.advance(1)
            return self.observation(
                contender=c, subject=c.name, metric="papers_month", value=count, period_start=first,
                period_end=last, period_label=month_label(first), unit="papers", reference=call.full_url,
                query=call.params["search_query"], collected_at=fetched,
                note=partial_note(first, last, counted_on=fetched.date()))

        return pd.DataFrame(run.map(self.provider, fetch, calls))
