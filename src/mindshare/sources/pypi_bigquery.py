"""PyPI downloads from Google BigQuery's public dataset, for the full history pypistats.org does not keep.

Where the number comes from: PyPI publishes one row per downloaded file in the public table
`bigquery-public-data.pypi.file_downloads` (https://docs.pypi.org/api/bigquery/). Querying it needs the user's own
Google Cloud project (which BigQuery bills for the bytes a query scans) and an OAuth access token:

    export BIGQUERY_PROJECT=my-project
    export BIGQUERY_TOKEN=$(gcloud auth print-access-token)
    mindshare collect pypi_bigquery --since 2019-01-01

Without both, `mindshare collect` skips this source with a note. The token only ever travels in the
Authorization header added below the HTTP cache, never in the store, the cache, logs or errors.

One request: `POST https://bigquery.googleapis.com/bigquery/v2/projects/{project}/queries` (jobs.query) with a
standard-SQL query that counts downloads per package and calendar month, filtered on the table's partitioning
column `timestamp` itself (a plain comparison, which BigQuery can prune partitions with; a function around the
column may defeat pruning) so it scans only the days asked for. `maximumBytesBilled` caps what one run may cost
(`MINDSHARE_BIGQUERY_MAX_GB`, default 300 GB; BigQuery refuses a query that would scan more, and the error says so).
If the job is not finished within `timeoutMs`, or its rows come in pages, the results are read with
`GET .../queries/{jobId}` (jobs.getQueryResults). Response shape (QueryResponse): `jobComplete`, `jobReference`
{projectId, jobId, location}, `schema.fields[].name`, `rows[].f[].v` (every value a string), `pageToken`,
`totalBytesProcessed`.

Observations: `downloads_month_bigquery` per package and calendar month (every installer and mirror, as the
table records them), contender from the field's `pypi` lists, and `downloads_month_bigquery_sum` per contender
(its packages summed; the report draws these); the current month is flagged PARTIAL.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from mindshare import catalogue
from mindshare.errors import SourceError
from mindshare.fields import Contender
from mindshare.http import BearerToken, Limit, Provider
from mindshare.observations import month_label, months_between, partial_note
from mindshare.settings import Settings
from mindshare.sources.base import Call, Run, Source, SourceSkipped, require

API = "https://bigquery.googleapis.com/bigquery/v2/projects/{project}/queries"
TABLE = "bigquery-public-data.pypi.file_downloads"
QUERY = f"""SELECT FORMAT_DATE('%Y-%m', DATE(timestamp)) AS month, file.project AS package, COUNT(*) AS downloads
FROM `{TABLE}`
WHERE timestamp >= TIMESTAMP(@since) AND timestamp < TIMESTAMP(DATE_ADD(@until, INTERVAL 1 DAY))
  AND file.project IN UNNEST(@packages)
GROUP BY month, package
ORDER BY month, package"""
WAIT_MS = 60_000
MAX_POLLS = 30



class PypiBigQuerySource(Source):
    name = "pypi_bigquery"
    title = "PyPI downloads (BigQuery)"
    # BigQuery's API quotas are per user and generous (https://cloud.google.com/bigquery/quotas); one query and
    # a few polls a run need no more than a polite pace.
    provider = Provider(
        "bigquery", "Google BigQuery API", "bigquery.googleapis.com",
        limit=Limit(per_second=5.0, burst=5, concurrency=1),
        credential=BearerToken("BIGQUERY_TOKEN"),
        limits_doc="https://cloud.google.com/bigquery/quotas#api_request_quotas",
        hint="set BIGQUERY_TOKEN to a fresh OAuth access token (`gcloud auth print-access-token`, valid one hour) "
             "and BIGQUERY_PROJECT to a project with BigQuery enabled")
    signal = "downloads"
    source = f"Google BigQuery {TABLE}"
    method = "bigquery file_downloads monthly count v1 (all installers, mirrors included)"
    identifier = "pypi"
    metrics = (catalogue.DOWNLOADS_MONTH_BIGQUERY, catalogue.DOWNLOADS_MONTH_BIGQUERY_SUM)
    measures = "monthly PyPI downloads per package for any period, from BigQuery (needs BIGQUERY_TOKEN, BIGQUERY_PROJECT)"

    def plan(self, contenders: list[Contender], since: date, today: date, settings: Settings) -> list[Call]:
        project = settings.bigquery_project or "<BIGQUERY_PROJECT>"
        packages = _packages(self.eligible(contenders))
        return [Call(self.provider, API.format(project=project), verb="POST",
                     purpose=f"jobs.query: monthly downloads of {', '.join(packages)} from {since} to {today}")]

    def collect(self, run: Run) -> pd.DataFrame:
        project = run.settings.bigquery_project
        if not project or not run.http.has_credentials(self.provider):
            raise SourceSkipped("BIGQUERY_PROJECT and BIGQUERY_TOKEN are not both set "
                                "(BigQuery bills your own project)")
        contenders = self.eligible(run.contenders)
        packages = _packages(contenders)
        url = API.format(project=project)
        run.set_total(1)
        data, fetched = run.http.post_json(self.provider, url,
                                           query_body(packages, run.since, run.today, run.settings.bigquery_max_gb))
        rows = self._all_rows(run, project, data, url)
        run.advance(1)
        return pd.DataFrame(self._observations(rows, contenders, run, url, fetched))

    def _all_rows(self, run: Run, project: str, data, url: str) -> list[dict[str, str]]:
        """Every result row, waiting for the job and following pages as jobs.getQueryResults asks."""
        rows: list[dict[str, str]] = []
        polls = 0
        while True:
            if require(data, "jobComplete", self, url, bool):
                names = [require(f, "name", self, url, str)
                         for f in require(require(data, "schema", self, url, dict), "fields", self, url, list)]
                for row in data.get("rows", []):
                    cells = require(row, "f", self, url, list)
                    if len(cells) != len(names):
                        raise self.schema_error("rows with one cell per schema field", url)
                    rows.append({n: (c or {}).get("v") for n, c in zip(names, cells)})
                if not data.get("pageToken"):
                    return rows
            polls += 1
            if polls > MAX_POLLS:
                raise SourceError(f"{self.name}: the BigQuery job did not finish after {MAX_POLLS} waits of "
                                  f"{WAIT_MS // 1000} s; try a shorter --since")
            job = require(data, "jobReference", self, url, dict)
            job_id = require(job, "jobId", self, url, str)
            params = {"timeoutMs": WAIT_MS + polls}  # a different URL per poll: an HTTP cache never answers it
            if job.get("location"):
                params["location"] = job["location"]
            if data.get("jobComplete") and data.get("pageToken"):
                params["pageToken"] = data["pageToken"]
            data, _ = run.http.fetch_json(self.provider, f"{url}/{job_id}", params)

    def _observations(self, rows, contenders, run: Run, url: str, fetched: datetime) -> list[dict]:
        by_package = {p.lower(): c for c in contenders for p in c.pypi}
        months = {month_label(first): (first, last) for first, last in months_between(run.since, run.today)}
        out = []
        for row in rows:
            package, label = str(row.get("package") or "").lower(), str(row.get("month") or "")
            if package not in by_package or label not in months:
                raise self.schema_error(f"a known package and month (got {package!r}, {label!r})", url)
            try:
                value = float(row["downloads"])
            except (TypeError, ValueError, KeyError):
                raise self.schema_error("a numeric 'downloads'", url) from None
            first, last = months[label]
            out.append(self.observation(
                contender=by_package[package], subject=package, metric="downloads_month_bigquery", value=value,
                period_start=first, period_end=last, period_label=label, unit="downloads", reference=url,
                query=f"{QUERY} -- packages={package}", collected_at=fetched,
                note=partial_note(first, last, counted_on=run.today, window_start=run.since)))
        return out + self._sums(out, contenders, url, fetched)

    def _sums(self, rows: list[dict], contenders, url: str, fetched: datetime) -> list[dict]:
        """Per contender and month, its packages summed (the per-package rows stay, so a sum can be checked)."""
        by_id = {c.id: c for c in contenders}
        totals: dict[tuple, float] = {}
        first_row: dict[tuple, dict] = {}
        for row in rows:
            key = (row["contender"], row["period_label"])
            totals[key] = totals.get(key, 0.0) + row["value"]
            first_row.setdefault(key, row)
        out = []
        for (contender_id, label), value in totals.items():
            row, contender = first_row[(contender_id, label)], by_id[contender_id]
            packages = ", ".join(contender.pypi)
            note = f"sum of {packages}" + (f"; {row['note']}" if row["note"] else "")
            out.append(self.observation(
                contender=contender, subject=contender.name, metric="downloads_month_bigquery_sum", value=value,
                period_start=row["period_start"], period_end=row["period_end"], period_label=label,
                unit="downloads", reference=url, query=f"{QUERY} -- packages={packages}", collected_at=fetched,
                note=note))
        return out


def query_body(packages: list[str], since: date, until: date, max_gb: float) -> dict:
    """The jobs.query request; `max_gb` caps the bytes billed (MINDSHARE_BIGQUERY_MAX_GB)."""
    return {
        "query": QUERY, "useLegacySql": False, "parameterMode": "NAMED", "timeoutMs": WAIT_MS,
        "maximumBytesBilled": str(int(max_gb * 1e9)),
        "queryParameters": [
            {"name": "packages", "parameterType": {"type": "ARRAY", "arrayType": {"type": "STRING"}},
             "parameterValue": {"arrayValues": [{"value": p} for p in packages]}},
            {"name": "since", "parameterType": {"type": "DATE"}, "parameterValue": {"value": since.isoformat()}},
            {"name": "until", "parameterType": {"type": "DATE"}, "parameterValue": {"value": until.isoformat()}},
        ],
    }


def _packages(contenders: list[Contender]) -> list[str]:
    return list(dict.fromkeys(p.lower() for c in contenders for p in c.pypi))
