"""Google Trends: weekly search interest for each contender, all on one scale.

Client choice. pytrends is archived and trips Google's rate limit; trendspyg (maintained, pytrends-compatible)
and trendspy call the same two endpoints through their own HTTP stacks (requests / curl_cffi, plus Chrome for
trendspyg's CSV mode), which would bypass our cache, per-host limiter and backoff. So this module calls the
endpoints those clients use, through `mindshare.http`:

1. `GET /trends/api/explore?req={comparisonItem: [...], property}` -> widgets; the TIMESERIES widget carries a
   request and a token;
2. `GET /trends/api/widgetdata/multiline?req=<widget request>&token=<token>` -> `default.timelineData`:
   one point per week, `value` per item (0-100, 100 = the peak of that request), `isPartial` on a period
   that has not ended.
Both bodies start with the anti-JSON-hijacking prefix `)]}'`, removed before parsing. An item is a term in a
region (`geo`): several regions of one term in one request share one scale, as Google draws them.

One scale for more than five items. Google compares at most five items per request, each request scaled to
its own peak. With more, every request holds the same anchor item plus four others; each request is multiplied
by (anchor's total in the first request / anchor's total in this one), putting all on the first request's
scale. The anchor is part of the method string, since another anchor gives another scale. Values are Google's
rounded integers: a contender far below the anchor carries more rounding error.

The partial last period is kept, flagged in `note` (starting "PARTIAL"), so analyses can leave it out.
Repeated pulls of the same window are separate snapshots (Google samples its data, so two pulls differ);
`sample_spread` gives, per week, how many pulls there are and their mean, min, max and standard deviation.

What Google answers when it is not itself (the provider's rules below, seen live in 2026):
- `GET /trends/explore` (and the API) often answers **429 text/html**: rate limiting, not a change of format.
  It is waited out (a minute between attempts, on top of the backoff), then the run fails with one line.
- The 51-byte answer `)]}',\n{"default":{"timelineData":[],"averages":[]}}` comes back, also transiently: it
  is not "no interest" (terms with little interest get points with value 0), so it is asked again (and never
  kept in the HTTP cache); if it persists the run fails with one line. Never zero rows without an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pandas as pd

from mindshare import catalogue
from mindshare.errors import InputError, SourceError
from mindshare.fields import Contender
from mindshare.http import (
    RETRY_AFTER,
    TRANSIENT_STATUS,
    Backoff,
    Http,
    Limit,
    Provider,
    Retry,
)
from mindshare.observations import PARTIAL, Sources, month_end
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source

SOURCE = Sources.GOOGLE_TRENDS
PARTIAL_NOTE = f"{PARTIAL}: period not over when pulled (Google's isPartial); not a drop"
BASE = "https://trends.google.com/trends"
MAX_TERMS = 5
DEFAULT_TIMEFRAME = "today 5-y"
# Google's `property` (pytrends' gprop): which search the interest is of.
PROPERTIES = {"": "web search", "images": "Image search", "news": "News search", "youtube": "YouTube search",
              "froogle": "Google Shopping"}
RATE_LIMIT_WAIT = 60.0   # seconds between attempts after a 429 page (Google gives no Retry-After)


def rate_limit_page(response: httpx.Response) -> Retry | None:
    """A 429 (Google sends an HTML page, no Retry-After): rate limiting, waited out, not a format change."""
    if response.status_code == 429:
        return Retry(RATE_LIMIT_WAIT, "rate limited (Google's 429 page: not a change of format)")
    return None


def empty_timeline(response: httpx.Response) -> Retry | None:
    """The real empty answer of widgetdata/multiline, asked again (it is transient, and not 'no interest')."""
    if response.status_code != 200 or not response.url.path.endswith("/widgetdata/multiline"):
        return None
    try:
        data = strip_prefix(response.text)
    except SourceError:
        return None
    if isinstance(data, dict) and isinstance(data.get("default"), dict) \
            and data["default"].get("timelineData") == []:
        return Retry(None, "an empty timeline (Google's answer under load, not a measurement)")
    return None


def strip_prefix(text: str) -> object:
    """Parse a Trends body: drop the `)]}'` line before the JSON."""
    body = text.lstrip()
    if body.startswith(")]}'"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise SourceError("google_trends: a response is not the JSON Trends sends; the endpoint may have "
                          "changed or returned a consent page") from None


@dataclass(frozen=True)
class Item:
    """One line of a Trends comparison: a search term in a region ('' = worldwide)."""

    term: str
    geo: str = ""


@dataclass(frozen=True)
class Widget:
    request: dict
    token: str


@dataclass(frozen=True)
class Timeline:
    frame: pd.DataFrame      # item, period_start, period_end, value, partial
    fetched: datetime
    url: str


def term_of(contender: Contender) -> str:
    return contender.google_trends or contender.name


def explore(http: Http, items: list[Item], timeframe: str, search_property: str = "", hl: str = "en-US",
            tz: int = 0) -> Widget:
    req = {"comparisonItem": [{"keyword": i.term, "time": timeframe, "geo": i.geo} for i in items],
           "category": 0, "property": search_property}
    text = http.get_text(GoogleTrendsSource.provider, f"{BASE}/api/explore",
                         {"hl": hl, "tz": tz, "req": json.dumps(req, separators=(",", ":"))})
    data = strip_prefix(text)
    for widget in (data or {}).get("widgets", []) if isinstance(data, dict) else []:
        if widget.get("id") == "TIMESERIES" and widget.get("token"):
            return Widget(widget["request"], widget["token"])
    raise SourceError("google_trends: the explore response has no TIMESERIES widget; the endpoint may have changed")


def multiline(http: Http, widget: Widget, items: list[Item], hl: str = "en-US", tz: int = 0) -> Timeline:
    url = f"{BASE}/api/widgetdata/multiline"
    response = http.get(GoogleTrendsSource.provider, url,
                        {"hl": hl, "tz": tz, "req": json.dumps(widget.request, separators=(",", ":")),
                         "token": widget.token})
    data = strip_prefix(response.text)
    try:
        points = list(data["default"]["timelineData"])
    except (KeyError, TypeError):
        raise SourceError("google_trends: the multiline response has no timelineData") from None
    if not points:  # the retry rule asks again; a caller without it must still not read this as zero
        raise SourceError(f"google_trends: Google answered an empty timeline for {', '.join(i.term for i in items)}; "
                          f"nothing stored, try again later")
    return Timeline(timeline_frame(points, items), Http.fetched_at(response), str(response.request.url))


COLUMNS = ["item", "period_start", "period_end", "value", "partial"]


def timeline_frame(points: list[dict], items: list[Item]) -> pd.DataFrame:
    """Long frame: item, period_start, period_end, value (None where Google has no data), partial."""
    if any(not isinstance(p, dict) or not str(p.get("time", "")).isdigit() or not isinstance(p.get("value"), list)
           for p in points):
        raise SourceError("google_trends: the timeline's points have no 'time' and 'value' list (a multirange "
                          "answer, or the format changed); mindshare reads widgetdata/multiline")
    rows = []
    starts = [datetime.fromtimestamp(int(p["time"]), UTC).date() for p in points]
    step = (starts[1] - starts[0]).days if len(starts) > 1 else 7
    for start, point in zip(starts, points):
        if step >= 28:  # monthly points for windows longer than five years
            end = month_end(start)
        else:
            end = start + timedelta(days=max(step, 1) - 1)
        values, has = point["value"], point.get("hasData", [True] * len(items))
        if len(values) != len(items):
            raise SourceError(f"google_trends: a week has {len(values)} values for {len(items)} terms")
        for item, value, present in zip(items, values, has):
            rows.append({"item": item, "period_start": start, "period_end": end,
                         "value": float(value) if present else None, "partial": bool(point.get("isPartial"))})
    return pd.DataFrame(rows, columns=COLUMNS)


def batches(items: list[Item], anchor: Item | None) -> list[list[Item]]:
    """Requests of at most five items; with more than five, each holds the anchor and four others."""
    if len(items) <= MAX_TERMS and anchor is None:
        return [items]
    anchor = anchor or items[0]
    others = [i for i in items if i != anchor]
    size = MAX_TERMS - 1
    return [[anchor, *others[i:i + size]] for i in range(0, len(others), size)] or [[anchor]]


def rescale(timelines: list[Timeline], anchor: Item) -> pd.DataFrame:
    """Every batch on the first batch's scale through the anchor's total; the anchor is kept once. Each row
    keeps the time its own batch was fetched (`fetched`)."""
    def total(frame: pd.DataFrame) -> float:
        return float(frame.loc[(frame["item"] == anchor) & ~frame["partial"], "value"].sum())

    reference = total(timelines[0].frame)
    if reference <= 0:
        raise SourceError(f"google_trends: anchor {anchor.term!r} has no search interest in the window; "
                          f"choose a more searched anchor with --anchor")
    out = [timelines[0].frame.assign(fetched=timelines[0].fetched, url=timelines[0].url)]
    for timeline in timelines[1:]:
        own = total(timeline.frame)
        if own <= 0:
            raise SourceError(f"google_trends: anchor {anchor.term!r} has no interest in one request; "
                              f"choose another with --anchor")
        scaled = timeline.frame[timeline.frame["item"] != anchor].copy()
        scaled["value"] = scaled["value"] * (reference / own)
        out.append(scaled.assign(fetched=timeline.fetched, url=timeline.url))
    return pd.concat(out, ignore_index=True)


def sample_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Per contender and week, across repeated pulls (all snapshots): samples, mean, min, max, sd."""
    if frame.empty:
        return pd.DataFrame(columns=["contender", "period_start", "samples", "mean", "min", "max", "sd"])
    grouped = frame.dropna(subset=["value"]).groupby(["contender", "period_start"])["value"]
    return grouped.agg(samples="count", mean="mean", min="min", max="max", sd="std").reset_index()


class GoogleTrendsSource(Source):
    """Interest from --since to today (`mindshare collect google_trends`), or over `timeframe` in `geos`
    (`mindshare trends collect`), all contenders on one scale."""

    name = "google_trends"
    title = "Google Trends"
    # Google publishes no limit; its 429s come after a few dozen quick requests. One request every 4 s is ours.
    provider = Provider(
        "google_trends", "Google Trends (explore / widgetdata endpoints)", "trends.google.com",
        limit=Limit(per_second=0.25, burst=2, concurrency=1),
        retry_rules=(RETRY_AFTER, rate_limit_page, empty_timeline, TRANSIENT_STATUS),
        backoff=Backoff(initial=5.0, max=60.0, jitter=5.0),
        limits_doc="no published limit; https://support.google.com/trends/ (one request every 4 s is our choice)",
        hint="Google Trends is rate limiting this address; wait an hour and run `mindshare trends collect` again")
    signal = "search"
    source = SOURCE
    method = "google trends v1"
    identifier = ""
    metrics = (catalogue.SEARCH_INTEREST,)
    measures = "search interest per week (monthly beyond five years), all contenders on one scale via an anchor"

    def __init__(self, timeframe: str | None = None, geos: tuple[str, ...] = ("",), anchor: str | None = None,
                 search_property: str = ""):
        if search_property not in PROPERTIES:
            raise InputError(f"unknown Google Trends property {search_property!r}; use one of "
                             f"{', '.join(p or 'web' for p in PROPERTIES)}")
        self.timeframe = timeframe
        self.geos = tuple(dict.fromkeys(g.strip().upper() for g in geos)) or ("",)
        self.anchor = anchor
        self.search_property = search_property

    def window(self, since) -> str:
        return (f"time={self.timeframe or f'{since:%Y-%m-%d} to today'} "
                f"geo={', '.join(g or 'worldwide' for g in self.geos)}"
                + (f" property={self.search_property}" if self.search_property else ""))

    def _timeframe(self, since, today) -> str:
        return self.timeframe or f"{since:%Y-%m-%d} {today:%Y-%m-%d}"

    def _items(self, contenders: list[Contender]) -> tuple[list[Item], dict[str, Contender], Item | None]:
        by_term = {term_of(c): c for c in contenders}
        items = [Item(term, geo) for term in by_term for geo in self.geos]
        anchor_term = None
        if self.anchor:
            wanted = self.anchor.casefold()
            found = next((c for c in contenders if wanted in {c.id.casefold(), c.name.casefold()}), None)
            anchor_term = term_of(found) if found else self.anchor
        elif len(items) > MAX_TERMS:
            anchor_term = items[0].term
        return items, by_term, Item(anchor_term, self.geos[0]) if anchor_term else None

    def plan(self, contenders: list[Contender], since, today, settings: Settings) -> list[Call]:
        items, _, anchor = self._items(list(contenders))
        timeframe = self._timeframe(since, today)
        return [Call(self.provider, f"{BASE}/api/explore",
                     {"terms": ", ".join(f"{i.term}{f' ({i.geo})' if i.geo else ''}" for i in batch),
                      "time": timeframe}, "token for one request")
                for batch in batches(items, anchor)]

    def collect(self, run: Run) -> pd.DataFrame:
        items, by_term, anchor = self._items(list(run.contenders))
        timeframe = self._timeframe(run.since, run.today)
        planned = batches(items, anchor)
        run.set_total(1 + 2 * len(planned))
        # the explore page sets Google's NID cookie; it answers 404 (as recorded) or 429 when rate limiting
        run.http.get(self.provider, f"{BASE}/explore/", {"geo": self.geos[0] or "US"}, ok=(404,))
        run.advance(1)
        timelines = []
        for batch in planned:
            widget = explore(run.http, batch, timeframe, self.search_property)
            run.advance(1)
            timelines.append(multiline(run.http, widget, batch))
            run.advance(1)
        if anchor:
            merged = rescale(timelines, anchor)
        else:
            merged = timelines[0].frame.assign(fetched=timelines[0].fetched, url=timelines[0].url)
        method = f"{self.method}, {len(timelines)} request(s)" + (f", anchor {anchor.term!r}" if anchor else "")
        return pd.DataFrame([self._row(row, by_term, timeframe, items, method) for row in merged.itertuples()])

    def _row(self, row, by_term: dict[str, Contender], timeframe: str, items: list[Item], method: str) -> dict:
        item: Item = row.item
        searched = PROPERTIES[self.search_property]
        segment = item.geo or "worldwide"
        if self.search_property:
            segment = f"{segment}, {searched}"
        gprop = f"&gprop={self.search_property}" if self.search_property else ""
        query = f"time={timeframe}; terms={', '.join(dict.fromkeys(i.term for i in items))}"
        if any(i.geo for i in items):
            query += f"; geo={', '.join(dict.fromkeys(i.geo for i in items))}"
        if self.search_property:
            query += f"; property={self.search_property}"
        value = None if pd.isna(row.value) else round(float(row.value), 4)
        return self.observation(
            contender=by_term.get(item.term), subject=item.term, metric="search_interest", value=value,
            value_text="no data" if value is None else None, period_start=row.period_start,
            period_end=row.period_end, period_label=row.period_start.isoformat(),
            unit="index (100 = peak of the first request)", segment=segment, method=method,
            reference=f"{BASE}/explore?date={timeframe.replace(' ', '%20')}&geo={item.geo}{gprop}",
            query=query, note=PARTIAL_NOTE if row.partial else None, collected_at=row.fetched)
