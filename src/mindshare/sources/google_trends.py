"""Google Trends: weekly search interest for each contender, all on one scale.

Client choice. pytrends is archived and trips Google's rate limit; trendspyg (maintained, pytrends-compatible)
and trendspy call the same two endpoints through their own HTTP stacks (requests / curl_cffi, plus Chrome for
trendspyg's CSV mode), which would bypass our cache, per-host limiter and backoff. So this module calls the
endpoints those clients use, through `mindshare.http`:

1. `GET /trends/api/explore?req={comparisonItem: [...]}` -> widgets; the TIMESERIES widget carries a
   request and a token;
2. `GET /trends/api/widgetdata/multiline?req=<widget request>&token=<token>` -> `default.timelineData`:
   one point per week, `value` per keyword (0-100, 100 = the peak of that request), `isPartial` on a period
   that has not ended.
Both bodies start with the anti-JSON-hijacking prefix `)]}'`, removed before parsing.

One scale for more than five contenders. Google compares at most five terms per request, each request scaled
to its own peak. With more contenders, every request holds the same anchor term plus four contenders; each
request is multiplied by (anchor's total in the first request / anchor's total in this one), putting all on
the first request's scale. The anchor is part of the method string, since another anchor gives another scale.
Values are Google's rounded integers: a contender far below the anchor carries more rounding error.

The partial last period is kept, flagged in `note` (starting "PARTIAL"), so analyses can leave it out.
Repeated pulls of the same window are separate snapshots (Google samples its data, so two pulls differ);
`sample_spread` gives, per week, how many pulls there are and their mean, min, max and standard deviation.

A 429 from Google is retried with exponential backoff by the HTTP layer; if it persists the run fails with
one line and stores nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd

from mindshare.errors import SourceError
from mindshare.fields import Contender, Field
from mindshare.http import PROVIDERS, Http, Limit, Provider
from mindshare.sources.base import PARTIAL, Call, Run, Source

SOURCE = "Google Trends"
PARTIAL_NOTE = f"{PARTIAL}: period not over when pulled (Google's isPartial); not a drop"
BASE = "https://trends.google.com/trends"
MAX_TERMS = 5
DEFAULT_TIMEFRAME = "today 5-y"

# Google publishes no limit; its 429s come after a few dozen quick requests. One request every 4 s is ours.
PROVIDERS.setdefault("google_trends", Provider(
    "google_trends", "Google Trends (explore / widgetdata endpoints)", "trends.google.com",
    limit=Limit(per_second=0.25, burst=2, concurrency=1),
    limits_doc="no published limit; https://support.google.com/trends/ (one request every 4 s is our choice)",
    hint="Google Trends is rate limiting this address; wait an hour and run `mindshare trends collect` again"))


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
class Widget:
    request: dict
    token: str


def term_of(contender: Contender) -> str:
    return contender.google_trends or contender.name


def explore(http: Http, terms: list[str], timeframe: str, geo: str, hl: str = "en-US", tz: int = 0) -> Widget:
    req = {"comparisonItem": [{"keyword": t, "time": timeframe, "geo": geo} for t in terms],
           "category": 0, "property": ""}
    text = http.get_text("google_trends", f"{BASE}/api/explore",
                         {"hl": hl, "tz": tz, "req": json.dumps(req, separators=(",", ":"))})
    data = strip_prefix(text)
    for widget in (data or {}).get("widgets", []) if isinstance(data, dict) else []:
        if widget.get("id") == "TIMESERIES" and widget.get("token"):
            return Widget(widget["request"], widget["token"])
    raise SourceError("google_trends: the explore response has no TIMESERIES widget; the endpoint may have changed")


def multiline(http: Http, widget: Widget, hl: str = "en-US", tz: int = 0) -> list[dict]:
    text = http.get_text("google_trends", f"{BASE}/api/widgetdata/multiline",
                         {"hl": hl, "tz": tz, "req": json.dumps(widget.request, separators=(",", ":")),
                          "token": widget.token})
    data = strip_prefix(text)
    try:
        return list(data["default"]["timelineData"])
    except (KeyError, TypeError):
        raise SourceError("google_trends: the multiline response has no timelineData") from None


def timeline_frame(points: list[dict], terms: list[str]) -> pd.DataFrame:
    """Long frame: term, period_start, period_end, value (None where Google has no data), partial."""
    rows = []
    starts = [datetime.fromtimestamp(int(p["time"]), UTC).date() for p in points]
    step = (starts[1] - starts[0]).days if len(starts) > 1 else 7
    for start, point in zip(starts, points):
        if step >= 28:  # monthly points for windows longer than five years
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
        else:
            end = start + timedelta(days=max(step, 1) - 1)
        values, has = point.get("value", []), point.get("hasData", [True] * len(terms))
        if len(values) != len(terms):
            raise SourceError(f"google_trends: a week has {len(values)} values for {len(terms)} terms")
        for term, value, present in zip(terms, values, has):
            rows.append({"term": term, "period_start": start, "period_end": end,
                         "value": float(value) if present else None, "partial": bool(point.get("isPartial"))})
    return pd.DataFrame(rows)


def batches(terms: list[str], anchor: str | None) -> list[list[str]]:
    """Requests of at most five terms; with more than five, each holds the anchor and four others."""
    if len(terms) <= MAX_TERMS and anchor is None:
        return [terms]
    anchor = anchor or terms[0]
    others = [t for t in terms if t != anchor]
    size = MAX_TERMS - 1
    return [[anchor, *others[i:i + size]] for i in range(0, len(others), size)] or [[anchor]]


def rescale(frames: list[pd.DataFrame], anchor: str) -> pd.DataFrame:
    """Put every batch on the first batch's scale through the anchor's total; the anchor is kept once."""
    def total(frame: pd.DataFrame) -> float:
        return float(frame.loc[(frame["term"] == anchor) & ~frame["partial"], "value"].sum())

    reference = total(frames[0])
    if reference <= 0:
        raise SourceError(f"google_trends: anchor {anchor!r} has no search interest in the window; "
                          f"choose a more searched anchor with --anchor")
    out = [frames[0]]
    for frame in frames[1:]:
        own = total(frame)
        if own <= 0:
            raise SourceError(f"google_trends: anchor {anchor!r} has no interest in one request; choose another")
        scaled = frame[frame["term"] != anchor].copy()
        scaled["value"] = scaled["value"] * (reference / own)
        out.append(scaled)
    return pd.concat(out, ignore_index=True)


def collect(field: Field | list[Contender], *, contenders: list[Contender] | None = None, timeframe: str = DEFAULT_TIMEFRAME,
            geo: str = "", anchor: str | None = None, http: Http | None = None) -> pd.DataFrame:
    """Weekly interest per contender on one scale; raises SourceError (nothing returned) on any failure."""
    chosen = contenders or (list(field.contenders) if isinstance(field, Field) else list(field))
    by_term = {term_of(c): c for c in chosen}
    terms = list(by_term)
    anchor_term = None
    if anchor:
        found = field.find(anchor) if isinstance(field, Field) else None
        anchor_term = term_of(found) if found else anchor
    elif len(terms) > MAX_TERMS:
        anchor_term = terms[0]
    own = http is None
    http = http or Http()
    collected = datetime.now(UTC).replace(tzinfo=None)
    try:
        http.get("google_trends", f"{BASE}/explore/", {"geo": geo or "US"}, ok=(404,))  # sets the NID cookie
        frames = []
        for batch in batches(terms, anchor_term):
            widget = explore(http, batch, timeframe, geo)
            frames.append(timeline_frame(multiline(http, widget), batch))
    finally:
        if own:
            http.close()
    merged = rescale(frames, anchor_term) if anchor_term else frames[0]
    method = f"google trends v1, {len(frames)} request(s)" + (f", anchor {anchor_term!r}" if anchor_term else "")
    rows = []
    for row in merged.itertuples(index=False):
        contender = by_term.get(row.term)
        rows.append({
            "signal": "search", "metric": "search_interest", "source": SOURCE,
            "contender": contender.id if contender else None, "subject": row.term,
            "period_start": row.period_start, "period_end": row.period_end,
            "period_label": row.period_start.isoformat(),
            "value": None if pd.isna(row.value) else round(float(row.value), 4),
            "value_text": "no data" if pd.isna(row.value) else None,
            "unit": "index (100 = peak of the first request)", "segment": geo or "worldwide", "method": method,
            "reference": f"{BASE}/explore?date={timeframe.replace(' ', '%20')}&geo={geo}",
            "query": f"time={timeframe}; terms={', '.join(terms)}",
            "note": PARTIAL_NOTE if row.partial else None, "collected_at": collected,
        })
    return pd.DataFrame(rows)


def sample_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """Per contender and week, across repeated pulls (all snapshots): samples, mean, min, max, sd."""
    if frame.empty:
        return pd.DataFrame(columns=["contender", "period_start", "samples", "mean", "min", "max", "sd"])
    grouped = frame.dropna(subset=["value"]).groupby(["contender", "period_start"])["value"]
    return grouped.agg(samples="count", mean="mean", min="min", max="max", sd="std").reset_index()


class GoogleTrendsSource(Source):
    """`mindshare collect google_trends`: interest from --since to today, one scale for all contenders."""

    name = "google_trends"
    title = "Google Trends"
    provider = "google_trends"
    signal = "search"
    source = SOURCE
    method = "google trends v1"
    identifier = ""
    measures = "search interest per week (monthly beyond five years), all contenders on one scale via an anchor"

    def plan(self, contenders, since, today):
        terms = [term_of(c) for c in contenders]
        anchor = terms[0] if len(terms) > MAX_TERMS else None
        return [Call("google_trends", f"{BASE}/api/explore", {"terms": ", ".join(batch)}, "token for one request")
                for batch in batches(terms, anchor)]

    def collect(self, run: Run) -> pd.DataFrame:
        return collect(list(run.contenders), contenders=list(run.contenders),
                       timeframe=f"{run.since:%Y-%m-%d} {run.today:%Y-%m-%d}", http=run.http)
