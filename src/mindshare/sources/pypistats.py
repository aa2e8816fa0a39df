"""PyPI downloads from pypistats.org: daily downloads of the last 180 days, with and without mirrors.

Per package of each contender (`pypi` in the field: tensorflow, tensorflow-cpu, tf-nightly, ...), one request:
`GET https://pypistats.org/api/packages/{package}/overall` answers
`{"data": [{"category": "with_mirrors" | "without_mirrors", "date": "YYYY-MM-DD", "downloads": N}, ...],
"package": ..., "type": "overall_downloads"}` for the last 180 days.

Observations, without mirrors (what pypistats.org shows by default; segment `without mirrors`):

- `downloads_month` per package and per calendar month; the first month (cut by the 180-day window) and the
  current month are flagged PARTIAL;
- `downloads_30d` per package: the last 30 days in the data, the metric of the bundled history;
- `downloads_month_sum` and `downloads_30d_sum` per contender: its packages summed, subject = the contender's
  name, note = the packages. Per-package rows are kept, so a sum can always be checked.

The same with mirrors (segment `with mirrors`) carry the suffix `_with_mirrors` (`downloads_30d_with_mirrors`,
...), so that no reader adds the two segments together by accident.

Full history (before the 180-day window) needs Google BigQuery's public PyPI dataset (`bigquery-public-data.
pypi.file_downloads`) and the user's Google credentials: see `pypi_bigquery.py`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pandas as pd

from mindshare import catalogue
from mindshare.fields import Contender
from mindshare.http import Limit, Provider
from mindshare.observations import month_label, months_between, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, require

API = "https://pypistats.org/api/packages"
SEGMENTS = {"without_mirrors": "without mirrors", "with_mirrors": "with mirrors"}


class PypistatsSource(Source):
    name = "pypistats"
    title = "PyPI downloads"
    provider = Provider(
        "pypistats", "pypistats.org API", "pypistats.org",
        # No published number; it throttles by IP and fails on a handful of concurrent uncached requests.
        limit=Limit(per_second=1.0, burst=1, concurrency=1),
        limits_doc="https://pypistats.org/api/ (no published limit; one request a second is our choice)",
        hint="pypistats.org throttles by IP; wait a few minutes and run `mindshare collect pypistats` again")
    signal = "downloads"
    source = "pypistats.org"
    method = "pypistats-overall-v1"
    identifier = "pypi"
    metrics = (catalogue.DOWNLOADS_MONTH, catalogue.DOWNLOADS_30D, catalogue.DOWNLOADS_MONTH_SUM,
               catalogue.DOWNLOADS_30D_SUM, catalogue.DOWNLOADS_MONTH_WITH_MIRRORS,
               catalogue.DOWNLOADS_30D_WITH_MIRRORS, catalogue.DOWNLOADS_MONTH_SUM_WITH_MIRRORS,
               catalogue.DOWNLOADS_30D_SUM_WITH_MIRRORS)
    measures = "daily PyPI downloads for 180 days, with and without mirrors, per package and summed"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        return [Call(self.provider, f"{API}/{package}/overall", purpose=f"{c.id}: {package}")
                for c in self.eligible(contenders) for package in c.pypi]

    def collect(self, run: Run) -> pd.DataFrame:
        contenders = self.eligible(run.contenders)
        jobs = [(c, package) for c in contenders for package in c.pypi]
        run.set_total(len(jobs))

        def fetch(job):
            c, package = job
            url = f"{API}/{package}/overall"
            data, fetched = run.http.fetch_json(self.provider, url)
            run.advance(1)
            return c, package, url, fetched, self._daily(data, url)

        rows: list[dict] = []
        sums: dict[tuple, float] = defaultdict(float)
        sum_meta: dict[tuple, dict] = {}
        for c, package, url, fetched, daily in run.map(self.provider, fetch, jobs):
            for segment, days in daily.items():
                # Different metric names, not only segments, so nobody sums the two by accident.
                suffix = "" if segment == "without_mirrors" else "_with_mirrors"
                for base, period, value, note in self._aggregate(days):
                    metric = base + suffix
                    first, last, label = period
                    rows.append(self.observation(
                        contender=c, subject=package, metric=metric, value=value, period_start=first,
                        period_end=last, period_label=label, unit="downloads", reference=url,
                        query=f"package {package}: overall downloads, {SEGMENTS[segment]}", collected_at=fetched,
                        segment=SEGMENTS[segment], note=note))
                    key = (c.id, segment, f"{base}_sum{suffix}", first, last, label)
                    sums[key] += value
                    meta = sum_meta.setdefault(key, {"contender": c, "note": note, "fetched": fetched})
                    meta["fetched"] = max(meta["fetched"], fetched)
        for (cid, segment, metric, first, last, label), value in sums.items():
            meta = sum_meta[(cid, segment, metric, first, last, label)]
            c = meta["contender"]
            packages = ", ".join(c.pypi)
            note = f"sum of {packages}" + (f"; {meta['note']}" if meta["note"] else "")
            rows.append(self.observation(
                contender=c, subject=c.name, metric=metric, value=value, period_start=first,
                period_end=last, period_label=label, unit="downloads", reference=f"{API}/{{{packages}}}/overall",
                query=f"packages {packages}: overall downloads summed, {SEGMENTS[segment]}",
                collected_at=meta["fetched"], segment=SEGMENTS[segment], note=note))
        return pd.DataFrame(rows)

    def _daily(self, data, url: str) -> dict[str, dict[date, float]]:
        items = require(data, "data", self, url, list)
        daily: dict[str, dict[date, float]] = {segment: {} for segment in SEGMENTS}
        for item in items:
            category = require(item, "category", self, url, str)
            if category not in SEGMENTS:
                continue
            try:
                day = date.fromisoformat(require(item, "date", self, url, str))
            except ValueError:
                raise self.schema_error("readable 'date'", url) from None
            daily[category][day] = float(require(item, "downloads", self, url, (int, float)))
        return {segment: days for segment, days in daily.items() if days}

    def _aggregate(self, days: dict[date, float]):
        first_day, last_day = min(days), max(days)
        for first, last in months_between(first_day, last_day):
            value = sum(v for d, v in days.items() if first <= d <= last)
            note = partial_note(first, last, last_day, window_start=first_day)
            yield "downloads_month", (first, last, month_label(first)), value, note
        start = last_day - timedelta(days=29)
        if start >= first_day:
            value = sum(v for d, v in days.items() if start <= d <= last_day)
            yield "downloads_30d", (start, last_day, f"30 days to {last_day:%Y-%m-%d}"), value, None
