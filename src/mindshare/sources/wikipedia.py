"""Wikipedia pageviews (Wikimedia Analytics REST API): monthly views of each contender's English article.

`GET https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/{title}/monthly/
{YYYYMMDD00}/{YYYYMMDD00}` answers `{"items": [{"project": "en.wikipedia", "article": "PyTorch",
"granularity": "monthly", "timestamp": "2024010100", "access": "all-access", "agent": "user", "views": N}]}`.
Human views only (`agent=user`: spiders and automated traffic excluded), all platforms. The always-available
proxy for search interest. The current month, if the API returns it, is PARTIAL. Wikimedia wants a
User-Agent with contact details: set `MINDSHARE_CONTACT`.

What the API says when it has nothing (real answers in tests/fixtures/wikimedia):

- An article or a range with no data is HTTP 404 with an `application/problem+json` body whose `type` is
  `about:blank` today (the old RESTBase answer had a `.../not_found` type): no data for that article, not a
  failed source. The run notes it ("check the title in the field") and the other articles are kept.
- Months without views are *omitted* from `items`, not listed as 0. A gap is missing data, not a zero: each
  omitted month that was over when fetched gets a note row (value empty, `value_text` saying so), and the run
  says which months.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

import httpx
import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import Limit, Provider, provider_detail
from mindshare.observations import (
    month_label,
    month_period,
    months_between,
    partial_note,
)
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require

API = "https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user"
NO_DATA_TYPES = ("about:blank",)   # and any type ending in "not_found" (the RESTBase answer)
OMITTED = "no data: Wikimedia lists no views for this month (missing, not zero)"


def article_url(title: str, since: date, today: date) -> str:
    article = quote(title.replace(" ", "_"), safe="")
    return f"{API}/{article}/monthly/{since:%Y%m}0100/{today:%Y%m%d}00"


def is_no_data(response: httpx.Response, body) -> bool:
    """A 404 whose problem+json body says the API has no data for the article or range."""
    if response.status_code != 404 or not isinstance(body, dict) or "items" in body:
        return False
    kind = str(body.get("type", ""))
    return kind in NO_DATA_TYPES or kind.endswith("not_found")


def omitted_months(listed: set[date], since: date, until: date) -> list[date]:
    """First days of the months from `since` that were over by `until` (the window's end, or the fetch if
    earlier) and that the answer does not list."""
    return [first for first, last in months_between(since, until) if last < until and first not in listed]


def month_ranges(firsts: list[date]) -> str:
    """'2024-10..2025-03, 2025-11': runs of consecutive months, for a one-line note."""
    runs: list[list[date]] = []
    for first in firsts:
        if runs and (runs[-1][-1].year * 12 + runs[-1][-1].month + 1) == first.year * 12 + first.month:
            runs[-1].append(first)
        else:
            runs.append([first])
    return ", ".join(month_label(r[0]) + (f"..{month_label(r[-1])}" if len(r) > 1 else "") for r in runs)


class WikipediaSource(Source):
    name = "wikipedia"
    title = "Wikipedia pageviews"
    provider = Provider(
        "wikipedia", "Wikimedia REST API (pageviews)", "wikimedia.org",
        # "Limit your clients to no more than 100 requests/s"; a User-Agent with contact details is required.
        limit=Limit(per_second=100.0, burst=10, concurrency=4),
        limits_doc="https://doc.wikimedia.org/generated-data-platform/aqs/analytics-api/",
        hint="Wikimedia asks for a User-Agent with contact details: set MINDSHARE_CONTACT to an e-mail or URL")
    signal = "search"
    source = "wikimedia.org"
    method = "wikimedia-pageviews-user-v1"
    identifier = "wikipedia"
    metrics = (catalogue.PAGEVIEWS_MONTH,)
    measures = "monthly human views of each contender's English Wikipedia article"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [Call(self.provider, article_url(c.wikipedia, since, today), purpose=f"{c.id}: {c.wikipedia}")
                for c in self.eligible(contenders)]

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        run.set_total(len(contenders))

        def fetch(c: Contender) -> list[dict]:
            url = article_url(c.wikipedia, run.since, run.today)
            response = run.http.get(self.provider, url, headers={"accept": "application/json"}, ok=(404,))
            data, fetched = run.http.parse_json(self.provider, response), run.http.fetched_at(response)
            run.advance(1)
            if response.status_code == 404:
                if not is_no_data(response, data):
                    raise self.schema_error("pageviews (HTTP 404 without the API's no-data answer)", url)
                run.skip(f"{c.id}: no pageviews for article {c.wikipedia!r} from {run.since:%Y-%m} "
                         f"(Wikimedia {provider_detail(response) or 'has no data'}); check the title in the field")
                return []
            return self._rows(run, c, url, data, fetched)

        return pd.DataFrame([row for rows in run.map(self.provider, fetch, contenders) for row in rows])

    def _rows(self, run: Run, c: Contender, url: str, data, fetched: datetime) -> list[dict]:
        query = f"en.wikipedia article {c.wikipedia!r}: monthly views, all access, human users"
        rows, listed = [], set()
        for item in require(data, "items", self, url, list):
            stamp = str(require(item, "timestamp", self, url, str))
            try:
                first, last, label = month_period(date(int(stamp[:4]), int(stamp[4:6]), 1))
            except ValueError:
                raise self.schema_error("readable 'timestamp'", url) from None
            listed.add(first)
            rows.append(self.observation(
                contender=c, subject=c.wikipedia, metric="pageviews_month",
                value=require(item, "views", self, url, int), period_start=first, period_end=last,
                period_label=label, unit="views", reference=url, query=query, collected_at=fetched,
                note=partial_note(first, last, counted_on=fetched.date())))
        omitted = omitted_months(listed, run.since, min(run.today, fetched.date()))
        if omitted:
            run.skip(f"{c.id}: Wikimedia lists no views for {month_ranges(omitted)} (missing, not zero)")
        for first in omitted:
            first, last, label = month_period(first)
            rows.append(self.observation(
                contender=c, subject=c.wikipedia, metric="pageviews_month", value=None, value_text=OMITTED,
                period_start=first, period_end=last, period_label=label, unit="views", reference=url,
                query=query, collected_at=fetched))
        return rows
