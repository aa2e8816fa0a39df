"""Stack Overflow, through the Stack Exchange API: new questions per tag per month, and tag totals.

- Tag totals: `GET /2.3/tags/{tag;tag;...}/info?site=stackoverflow&pagesize=100` (up to 100 tags in one
  request) answers `{"items": [{"name": "pytorch", "count": N, ...}], "has_more": false, "quota_remaining": ...}`:
  questions ever tagged, as of the fetch (`questions_total`). The answer is paged like every list of the API,
  30 items a page by default, so `pagesize` is sent: without it tags 31 and up of a batch were missing from the
  answer and looked unknown. A tag missing from a full page (as many items as the page holds, or `has_more`)
  is *unknown*, not absent: it may be on the next page, and the note says so.
- New questions per month: `GET /2.3/questions?tagged={tag}&fromdate=&todate=&site=stackoverflow&filter=total`
  answers `{"total": N}` (the built-in `total` filter returns only the count): questions created in that month
  and still on the site (deleted questions are not counted; `questions_month`). The current month is PARTIAL.

The provider's own rules (`provider` below): the `backoff` field of any answer holds the next request to the
same host; a `throttle_violation` error (HTTP 400/502, "more requests available in N seconds") waits N seconds;
an HTTP 400 whose message names the key means STACKEXCHANGE_KEY was refused. Without `STACKEXCHANGE_KEY` the daily
quota is 300 requests per IP: one per tag per month plus one, so 10 tags over 12 months fit once a day.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time

import httpx
import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import (
    DEFAULT_RETRY_RULES,
    Limit,
    Provider,
    QueryParams,
    Retry,
    json_or_none,
    refused_with_status,
)
from mindshare.observations import month_label, months_between, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, iter_chunks, require

API = "https://api.stackexchange.com/2.3"
SITE = "stackoverflow"
PAGE_SIZE = 100   # the API's maximum, and the most tags /tags/{tags}/info takes at once


def throttle_violation(response: httpx.Response) -> Retry | None:
    """{"error_id": 502, "error_name": "throttle_violation", "error_message": "too many requests from this IP,
    more requests available in 73 seconds"}"""
    if response.status_code not in (400, 429, 502, 503):
        return None
    body = json_or_none(response)
    if not isinstance(body, dict) or body.get("error_name") != "throttle_violation":
        return None
    found = re.search(r"(\d+)\s*seconds", str(body.get("error_message", "")))
    return Retry(float(found.group(1)) if found else 60.0, "throttled (throttle_violation)")


def backoff_field(response: httpx.Response) -> float | None:
    """`"backoff": 10` in a wrapper: wait this many seconds before asking the same method again."""
    body = json_or_none(response)
    if isinstance(body, dict) and isinstance(body.get("backoff"), (int, float)):
        return float(body["backoff"])
    return None


def refuses_key(response: httpx.Response) -> bool:
    """401/403, or a 400 whose message names the key (the API's answer to a wrong or revoked key)."""
    if refused_with_status(response):
        return True
    body = json_or_none(response) if response.status_code == 400 else None
    return isinstance(body, dict) and "key" in str(body.get("error_message", "")).lower()


def _epoch(day: date, end: bool = False) -> int:
    moment = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=UTC)
    return calendar.timegm(moment.utctimetuple())


class StackExchangeSource(Source):
    name = "stackexchange"
    title = "Stack Overflow"
    provider = Provider(
        "stackexchange", "Stack Exchange API", "api.stackexchange.com",
        # 30 requests/second per IP at most; daily quota 300 without a key, 10,000 with one; obey `backoff`.
        limit=Limit(per_second=30.0, burst=30, concurrency=4),
        limit_with_credentials=Limit(per_second=30.0, burst=30, concurrency=4),
        credential=QueryParams((("key", "STACKEXCHANGE_KEY"),)),
        retry_rules=(throttle_violation, *DEFAULT_RETRY_RULES),
        pause_rules=(backoff_field,),
        refuses_credentials=refuses_key,
        limits_doc="https://api.stackexchange.com/docs/throttle",
        hint="set STACKEXCHANGE_KEY (a free app key) for 10,000 requests a day instead of 300")
    signal = "qa"
    source = "api.stackexchange.com"
    method = "stackexchange-2.3-v1"
    identifier = "stackoverflow_tag"
    metrics = (catalogue.QUESTIONS_MONTH, catalogue.QUESTIONS_TOTAL)
    measures = "questions per tag per month (still on the site), and questions ever tagged"

    def _month_calls(self, contenders: list[Contender], since: date, today: date) -> list[tuple]:
        return [(c, first, last, Call(self.provider, f"{API}/questions", {
                    "tagged": c.stackoverflow_tag, "fromdate": _epoch(first), "todate": _epoch(min(last, today), True),
                    "site": SITE, "filter": "total"}, f"{c.id}: questions in {month_label(first)}"))
                for c in contenders for first, last in months_between(since, today)]

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        contenders = self.eligible(contenders)
        calls = [Call(self.provider, f"{API}/tags/{';'.join(c.stackoverflow_tag for c in chunk)}/info",
                      {"site": SITE, "pagesize": PAGE_SIZE}, "tag totals")
                 for chunk in iter_chunks(contenders, PAGE_SIZE)]
        return calls + [call for *_, call in self._month_calls(contenders, since, today)]

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        months = self._month_calls(contenders, run.since, run.today)
        run.set_total(len(months) + 1)
        rows: list[dict] = []
        for chunk in iter_chunks(contenders, PAGE_SIZE):
            url = f"{API}/tags/{';'.join(c.stackoverflow_tag for c in chunk)}/info"
            data, fetched = run.http.fetch_json(self.provider, url, {"site": SITE, "pagesize": PAGE_SIZE})
            day = fetched.date()
            counts = {}
            items = require(data, "items", self, url, list)
            for item in items:
                counts[str(require(item, "name", self, url, str)).lower()] = require(item, "count", self, url, int)
            # a tag missing from a full page may be on the next one: unknown, not absent
            full_page = len(items) >= PAGE_SIZE or bool(data.get("has_more"))
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
                elif full_page:
                    run.skip(f"{c.id}: tag {tag!r} unknown (not on the first, full page of the answer)")
                    rows.append(self.observation(
                        value=None, value_text=f"unknown: tag {tag!r} not on the first page of a full answer",
                        **common))
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

