"""Wikipedia pageviews (Wikimedia Analytics REST API): monthly views of each contender's English article.

`GET https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/{title}/monthly/
{YYYYMMDD00}/{YYYYMMDD00}` answers `{"items": [{"project": "en.wikipedia", "article": "PyTorch",
"granularity": "monthly", "timestamp": "2024010100", "access": "all-access", "agent": "user", "views": N}]}`.
Human views only (`agent=user`: spiders and automated traffic excluded), all platforms. The always-available
proxy for search interest. The current month, if the API returns it, is PARTIAL. Wikimedia wants a
User-Agent with contact details: set `MINDSHARE_CONTACT`.
"""

from __future__ import annotations

import calendar
from datetime import date
from urllib.parse import quote

import pandas as pd

from mindshare.fields import Contender
from mindshare.sources.base import Call, Run, Source, month_label, partial_note, require

API = "https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user"


def article_url(title: str, since: date, today: date) -> str:
    article = quote(title.replace(" ", "_"), safe="")
    return f"{API}/{article}/monthly/{since:%Y%m}0100/{today:%Y%m%d}00"


class WikipediaSource(Source):
    name = "wikipedia"
    title = "Wikipedia pageviews"
    provider = "wikipedia"
    signal = "search"
    source = "wikimedia.org"
    method = "wikimedia-pageviews-user-v1"
    identifier = "wikipedia"
    measures = "monthly human views of each contender's English Wikipedia article"

    def plan(self, contenders: list[Contender], since: date, today: date) -> list[Call]:
        return [Call(self.provider, article_url(c.wikipedia, since, today), purpose=f"{c.id}: {c.wikipedia}")
                for c in self.eligible(contenders)]

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        run.set_total(len(contenders))

        def fetch(c: Contender) -> list[dict]:
            url = article_url(c.wikipedia, run.since, run.today)
            data, fetched = run.http.fetch_json(self.provider, url, ok=(404,))
            run.advance(1)
            if isinstance(data, dict) and "items" not in data and data.get("type", "").endswith("not_found"):
                run.skip(f"{c.id}: no pageviews for article {c.wikipedia!r} (check the title)")
                return []
            rows = []
            for item in require(data, "items", self, url, list):
                stamp = str(require(item, "timestamp", self, url, str))
                try:
                    first = date(int(stamp[:4]), int(stamp[4:6]), 1)
                except ValueError:
                    raise self.schema_error("readable 'timestamp'", url) from None
                last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
                rows.append(self.observation(
                    contender=c, subject=c.wikipedia, metric="pageviews_month",
                    value=require(item, "views", self, url, int), period_start=first, period_end=last,
                    period_label=month_label(first), unit="views", reference=url,
                    query=f"en.wikipedia article {c.wikipedia!r}: monthly views, all access, human users",
                    collected_at=fetched, note=partial_note(first, last, counted_on=fetched.date())))
            return rows

        return pd.DataFrame([row for rows in run.map(self.provider, fetch, contenders) for row in rows])
