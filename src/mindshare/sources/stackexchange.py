"""Stack Overflow, through the Stack Exchange API: new questions per tag per month, and tag totals.

- Tag totals: `GET /2.3/tags/{tag;tag;...}/info?site=stackoverflow` (up to 100 tags in one request) answers
  `{"items": [{"name": "pytorch", "count": N, ...}], "quota_remaining": ...}`: questions ever tagged, as of the
  fetch (`questions_total`).
- New questions per month: `GET /2.3/questions?tagged={tag}&fromdate=&todate=&site=stackoverflow&filter=total`
  answers `{"total": N}` (the built-in `total` filter returns only the count): questions created in that month
  and still on the site (deleted questions are not counted; `questions_month`). The current month is PARTIAL.

Honours the API's `backoff` field and throttle errors (mindshare.http). Without `STACKEXCHANGE_KEY` the daily
quota is 300 requests per IP: one per tag per month plus one, so 10 tags over 12 months fit once a day.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time

import pandas as pd

from mindshare.fields import Contender
from mindshare.sources.base import (Call, Run, Source, iter_chunks, month_label, months_between, partial_note,
                                    require)

API = "https://api.stackexchange.com/2.3"
SITE = "stackoverflow"


def _epoch(day: date, end: bool = False) -> int:
    moment = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=UTC)
    return calendar.timegm(moment.utctimetuple())


class StackExchangeSource(Source):
    name = "stackexchange"
    title = "Stack Overflow"
    provider = "stackexchange"
    signal = "qa"
    source = "api.stackexchange.com"
    method = "stackexchange-2.3-v1"
    identifier = "stackoverflow_tag"
    measures = "questions per tag per month (still on the site), and questions ever tagged"

    def _month_calls(self, contenders: list[Contender], since: date, today: date) -> list[tuple]:
        return [(c, first, last, Call(self.provider, f"{API}/questions", {
                    "tagged": c.stackoverflow_tag, "fromdate": _epoch(first), "todate": _epoch(min(last, today), True),
                    "site": SITE, "filter": "total"}, f"{c.id}: questions in {month_label(first)}"))
                for c in contenders for first, last in months_between(since, today)]

    def plan(self, contenders: list[Contender], since: date, today: date) -> list[Call]:
        contenders = self.eligible(contenders)
        calls = [Call(self.provider, f"{API}/tags/{';'.join(c.stackoverflow_tag for c in chunk)}/info",
                      {"site": SITE}, "tag totals") for chunk in iter_chunks(contenders, 100)]
        return calls + [call for *_, call in self._month_calls(contenders, since, today)]

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        months = self._month_calls(contenders, run.since, run.today)
        run.set_total(len(months) + 1)
        rows: list[dict] = []
        for chunk in iter_chunks(contenders, 100):
            url = f"{API}/tags/{';'.join(c.stackoverflow_tag for c in chunk)}/info"
            data, fetched = run.http.fetch_json(self.provider, url, {"site": SITE})
            day = fetched.date()
            counts = {}
            for item in require(data, "items", self, url, list):
                counts[str(require(item, "name", self, url, str)).lower()] = require(item, "count", self, url, int)
            for c in chunk:
                tag = c.stackoverflow_tag.lower()
                common = dict(contender=c, subject=c.stackoverflow_tag, metric="questions_total",
                              period_start=day, period_end=day, period_label=f"{day:%Y-%m-%d}", unit="questions",
                              # the tag's own URL (answers the same count), so the reference does not depend
                              # on which other tags shared the batched request
                              reference=f"{API}/tags/{c.stackoverflow_tag}/info?site={SITE}",
                              query=f"tag {tag}: count", collected_at=fetched)
                if tag in counts:
                    rows.append(self.observation(value=counts[tag], **common))
                else:
                    run.skip(f"{c.id}: tag {tag!r} not found on Stack Overflow")
                    rows.append(self.observation(value=None, value_text=f"tag {tag!r} not found", **common))
        run.advance(1)

        def fetch(job):
            c, first, last, call = job
            data, fetched = run.http.fetch_json(self.provider, call.url, call.params)
            total = require(data, "total", self, call.url, int)
            run.advance(1)
            return self.observation(
                contender=c, subject=c.stackoverflow_tag, metric="questions_month", value=total, period_start=first,
                period_end=last, period_label=month_label(first), unit="questions", reference=call.full_url,
                query=f"questions tagged {c.stackoverflow_tag} created in {month_label(first)} (filter=total)",
                collected_at=fetched,
                note=partial_note(first, last, counted_on=fetched.date(),
                                  extra="questions still on the site; deleted ones are not counted"))

        rows += run.map(self.provider, fetch, months)
        return pd.DataFrame(rows)

