"""npm downloads from npm's download-counts API (api.npmjs.org, no key).

Per package of each contender (`npm` in the field: "express", a scoped one as "@nestjs/core"), two requests:

- `GET https://api.npmjs.org/downloads/range/{since}:{today}/{package}` answers `{"start": "YYYY-MM-DD", "end":
  ..., "package": ..., "downloads": [{"downloads": N, "day": "YYYY-MM-DD"}, ...]}`, every day of the range (npm
  serves at most 18 months per request: a longer range is asked in pieces);
- `GET https://api.npmjs.org/downloads/point/last-month/{package}` answers `{"downloads": N, "start": ...,
  "end": ..., "package": ...}`: the last 30 days npm has counted.

Observations (signal `downloads`, one row per package; the analysis adds up a contender's packages):

- `npm_downloads_month` per calendar month; a month the range cut, or still running, is flagged PARTIAL;
- `npm_downloads_30d`, the point API's last 30 days.

A package npm does not know (HTTP 404, `{"error": "package ... not found"}`) is said in the run's notes and left
out, so one wrong name in a field loses nothing of the others. Their names differ from PyPI's metrics on purpose:
PyPI and npm downloads are both the `downloads` signal, for different contenders, and never one series.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import quote

import pandas as pd

from mindshare.catalogue import DOWNLOADS, NPM_DOWNLOADS_30D, NPM_DOWNLOADS_MONTH
from mindshare.fields import Contender
from mindshare.http import Limit, Provider
from mindshare.observations import month_end, month_label, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require

API = "https://api.npmjs.org/downloads"
MAX_RANGE_DAYS = 540          # npm serves at most 18 months of days per range request


def package_path(package: str) -> str:
    """A package as it stands in the URL: a scoped one keeps its '@' and its one '/' (npm reads them so)."""
    return quote(package, safe="@/")


def ranges(since: date, today: date) -> list[tuple[date, date]]:
    """[since, today] in pieces npm serves in one request each."""
    pieces, start = [], since
    while start <= today:
        end = min(start + timedelta(days=MAX_RANGE_DAYS - 1), today)
        pieces.append((start, end))
        start = end + timedelta(days=1)
    return pieces


class NpmSource(Source):
    name = "npm"
    title = "npm downloads"
    provider = Provider(
        "npm", "npm download counts API", "api.npmjs.org",
        # npm publishes no number; it answers 429 to bursts. One request a second is our choice.
        limit=Limit(per_second=1.0, burst=2, concurrency=1),
        limits_doc="https://github.com/npm/registry/blob/main/docs/download-counts.md (no published limit)",
        hint="api.npmjs.org limits bursts; wait a minute and run `mindshare collect npm` again")
    signal = DOWNLOADS.name
    source = "api.npmjs.org"
    method = "npm-downloads-v1"
    identifier = "npm"
    metrics = (NPM_DOWNLOADS_MONTH, NPM_DOWNLOADS_30D)
    measures = "daily npm downloads per package, as calendar months and the last 30 days"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        calls = []
        for c in self.eligible(contenders):
            for package in c.npm:
                calls += [Call(self.provider, self._range_url(package, first, last), purpose=f"{c.id}: {package}")
                          for first, last in ranges(since, today)]
                calls.append(Call(self.provider, self._point_url(package), purpose=f"{c.id}: {package}, 30 days"))
        return calls

    def collect(self, run: Run) -> pd.DataFrame:
        jobs = [(c, package) for c in self.eligible(run.contenders) for package in c.npm]
        run.set_total(len(jobs))
        rows: list[dict] = []
        for c, package, found in run.map(self.provider, lambda job: (*job, self._fetch(run, *job)), jobs):
            rows += found
        return pd.DataFrame(rows)

    # -- one package ------------------------------------------------------------------------------------------
    def _fetch(self, run: Run, contender: Contender, package: str) -> list[dict]:
        daily: dict[date, float] = {}
        fetched_at = None
        for first, last in ranges(run.since, run.today):
            url = self._range_url(package, first, last)
            response = run.http.get(self.provider, url, headers={"accept": "application/json"}, ok=(404,))
            if response.status_code == 404:
                run.skip(f"npm has no package {package!r} ({contender.id}): {_error_words(response)}")
                run.advance(1)
                return []
            data = run.http.parse_json(self.provider, response)
            fetched_at = run.http.fetched_at(response)
            for item in require(data, "downloads", self, url, list):
                try:
                    day = date.fromisoformat(require(item, "day", self, url, str))
                except ValueError:
                    raise self.schema_error("readable 'day'", url) from None
                daily[day] = float(require(item, "downloads", self, url, (int, float)))
        rows = self._months(contender, package, daily, run, fetched_at)
        url = self._point_url(package)
        data, fetched = run.http.fetch_json(self.provider, url)
        value = float(require(data, "downloads", self, url, (int, float)))
        start, end = (date.fromisoformat(require(data, key, self, url, str)) for key in ("start", "end"))
        rows.append(self.observation(
            contender=contender, subject=package, metric=NPM_DOWNLOADS_30D.name, value=value, period_start=start,
            period_end=end, period_label=f"30 days to {end:%Y-%m-%d}", unit="downloads", reference=url,
            query=f"package {package}: downloads, last month", collected_at=fetched))
        run.advance(1)
        return rows

    def _months(self, contender: Contender, package: str, daily: dict[date, float], run: Run,
                fetched_at) -> list[dict]:
        if not daily:
            return []
        first_day, last_day = min(daily), max(daily)
        sums: dict[tuple[date, date], float] = defaultdict(float)
        for day, value in daily.items():
            first = day.replace(day=1)
            sums[(first, month_end(first))] += value
        url = self._range_url(package, run.since, run.today)
        return [self.observation(
            contender=contender, subject=package, metric=NPM_DOWNLOADS_MONTH.name, value=value, period_start=first,
            period_end=last, period_label=month_label(first), unit="downloads", reference=url,
            query=f"package {package}: daily downloads, summed per month", collected_at=fetched_at,
            note=partial_note(first, last, last_day, window_start=first_day))
            for (first, last), value in sorted(sums.items())]

    @staticmethod
    def _range_url(package: str, first: date, last: date) -> str:
        return f"{API}/range/{first:%Y-%m-%d}:{last:%Y-%m-%d}/{package_path(package)}"

    @staticmethod
    def _point_url(package: str) -> str:
        return f"{API}/point/last-month/{package_path(package)}"


def _error_words(response) -> str:
    """npm's own words for a refusal ({"error": "package x not found"}), or the status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    said = body.get("error") if isinstance(body, dict) else None
    return str(said) if said else f"HTTP {response.status_code}"
