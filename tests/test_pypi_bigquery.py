"""PyPI downloads from BigQuery (jobs.query over bigquery-public-data.pypi.file_downloads).

No recorded BigQuery response exists in ../shared/fixtures: every response here is BUILT from Google's documented
formats (QueryResponse / GetQueryResultsResponse: jobComplete, jobReference, schema.fields, rows[].f[].v,
pageToken; errors as {"error": {"code", "message", "errors": [{"reason"}]}}), with values chosen for the tests.
"""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
import stamina

from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http, Limit
from mindshare.sources.base import Run, SourceSkipped
from mindshare.sources.pypi_bigquery import PypiBigQuerySource, query_body
from mindshare.store import store_session

TOKEN = "ya29.secret-oauth-token"
ENV = {"BIGQUERY_TOKEN": TOKEN, "BIGQUERY_PROJECT": "proj"}
FAST = {"bigquery": Limit(per_second=1e6, burst=1000, concurrency=1)}
SCHEMA = {"fields": [{"name": "month", "type": "STRING"}, {"name": "package", "type": "STRING"},
                     {"name": "downloads", "type": "INTEGER"}]}
JOB = {"projectId": "proj", "jobId": "job_abc", "location": "US"}


def rows(*values):
    return [{"f": [{"v": month}, {"v": package}, {"v": str(count)}]} for month, package, count in values]


@pytest.fixture(autouse=True)
def no_stamina_waits():
    with stamina.set_testing(True, attempts=3):
        yield


def collect(handler, tmp_path, env=ENV, cache=False):
    seen = []

    def recording(request):
        seen.append(request)
        return handler(request)

    field = load_field("deep-learning")
    contenders = [field.contender("pytorch"), field.contender("tensorflow")]
    with Http(transport=httpx.MockTransport(recording), cache=cache, cache_dir=tmp_path / "cache", env=env,
              limits=FAST, sleep=lambda s: None) as http:
        run = Run(http, contenders, date(2024, 1, 1), date(2024, 3, 15))
        frame = PypiBigQuerySource().collect(run)
    return frame, seen, run


def test_waits_for_the_job_and_reads_every_page(tmp_path):
    def handler(request):
        if request.method == "POST":
            return httpx.Response(200, json={"kind": "bigquery#queryResponse", "jobComplete": False,
                                             "jobReference": JOB})
        if "pageToken" not in request.url.params:
            return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "schema": SCHEMA,
                                             "totalRows": "4", "pageToken": "page2",
                                             "rows": rows(("2024-01", "torch", 100), ("2024-01", "tensorflow", 80))})
        return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "schema": SCHEMA,
                                         "rows": rows(("2024-02", "tf-nightly", 5), ("2024-03", "torch", 40))})

    frame, seen, _ = collect(handler, tmp_path)
    assert [r.method for r in seen] == ["POST", "GET", "GET"]
    body = json.loads(seen[0].content)
    assert body["useLegacySql"] is False and int(body["maximumBytesBilled"]) == 300 * 10**9
    packages = [v["value"] for v in body["queryParameters"][0]["parameterValue"]["arrayValues"]]
    assert packages == ["torch", "tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tf-nightly"]
    # the partition column compared bare, so BigQuery prunes partitions and scans only the days asked for
    assert "timestamp >= TIMESTAMP(@since) AND timestamp < TIMESTAMP(DATE_ADD(@until, INTERVAL 1 DAY))" in body["query"]
    assert seen[1].url.path.endswith("/queries/job_abc") and seen[1].url.params["location"] == "US"
    assert seen[2].url.params["pageToken"] == "page2"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    by = {(r.subject, r.period_label): r for r in frame[frame["metric"] == "downloads_month_bigquery"].itertuples()}
    assert by[("torch", "2024-01")].value == 100 and by[("torch", "2024-01")].contender == "pytorch"
    assert by[("tf-nightly", "2024-02")].contender == "tensorflow"
    assert by[("torch", "2024-03")].note.startswith("PARTIAL")  # March was not over on the 15th
    assert not isinstance(by[("torch", "2024-01")].note, str)  # complete month: no flag
    assert set(frame["metric"]) == {"downloads_month_bigquery", "downloads_month_bigquery_sum"}
    assert all(TOKEN not in str(v) for v in frame.astype(str).to_numpy().ravel())


@pytest.mark.parametrize("env", [{}, {"BIGQUERY_TOKEN": TOKEN}, {"BIGQUERY_PROJECT": "proj"}])
def test_without_credentials_it_is_skipped_and_says_what_to_set(tmp_path, env):
    seen = []
    with pytest.raises(SourceSkipped, match="BIGQUERY_PROJECT and BIGQUERY_TOKEN are not both set"):
        collect(lambda r: seen.append(r) or httpx.Response(500), tmp_path, env=env)
    assert seen == []


def test_the_byte_cap_comes_from_the_settings():
    from mindshare.settings import SettingsError, load

    assert load({"MINDSHARE_BIGQUERY_MAX_GB": "2.5"}).bigquery_max_gb == 2.5
    body = query_body(["torch"], date(2024, 1, 1), date(2024, 1, 31), load({}).bigquery_max_gb)
    assert body["maximumBytesBilled"] == str(300 * 10**9)
    with pytest.raises(SettingsError, match="MINDSHARE_BIGQUERY_MAX_GB='lots' is not a number of GB"):
        load({"MINDSHARE_BIGQUERY_MAX_GB": "lots"})


@pytest.mark.parametrize("status, payload, expected", [
    (401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                     "errors": [{"reason": "authError"}]}}, "BIGQUERY_TOKEN was rejected"),
    (403, {"error": {"code": 403, "message": "Query exceeded limit for bytes billed: 300000000000. "
                     "412000000000 or higher required.", "errors": [{"reason": "bytesBilledLimitExceeded"}]}},
     "HTTP 403"),
    (400, {"error": {"code": 400, "message": "Unrecognized name: projet at [1:8]",
                     "errors": [{"reason": "invalidQuery"}]}}, "HTTP 400"),
])
def test_provider_errors_are_one_clear_line_without_the_token(tmp_path, status, payload, expected):
    with pytest.raises(SourceError) as caught:
        collect(lambda r: httpx.Response(status, json=payload), tmp_path)
    message = str(caught.value)
    assert message.startswith("bigquery: POST https://bigquery.googleapis.com/bigquery/v2/projects/proj/queries")
    assert expected in message and TOKEN not in message and "\n" not in message


def test_timeouts_are_retried_then_reported(tmp_path):
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SourceError, match="timed out after 3 attempts"):
        collect(handler, tmp_path)


def test_schema_drift_is_named(tmp_path):
    def handler(request):
        return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "rows": []})

    with pytest.raises(SourceError, match="has no 'schema'"):
        collect(handler, tmp_path)


def test_malformed_rows_are_refused_not_half_read(tmp_path):
    def handler(request):
        return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "schema": SCHEMA,
                                         "rows": rows(("2024-01", "torch", 100)) + [{"f": [{"v": "2024-01"}]}]})

    with pytest.raises(SourceError, match="one cell per schema field"):
        collect(handler, tmp_path)


def test_the_token_reaches_neither_the_cache_nor_the_store(tmp_path):
    def handler(request):
        if request.method == "POST":
            return httpx.Response(200, json={"jobComplete": False, "jobReference": JOB})
        return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "schema": SCHEMA,
                                         "rows": rows(("2024-01", "torch", 100))})

    frame, _, _ = collect(handler, tmp_path, cache=True)
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes()
    db = tmp_path / "s.duckdb"
    with store_session(db) as store:
        store.add_snapshot(frame, kind="collect", source="pypi_bigquery")
    assert TOKEN.encode() not in db.read_bytes()


def test_contender_sums_are_drawn_in_the_report(tmp_path):
    from mindshare.report.build import build_report

    def handler(request):
        return httpx.Response(200, json={"jobComplete": True, "jobReference": JOB, "schema": SCHEMA,
                                         "rows": rows(("2024-01", "torch", 100), ("2024-01", "tensorflow", 80),
                                                      ("2024-01", "tf-nightly", 5), ("2024-02", "torch", 120),
                                                      ("2024-02", "tensorflow", 70))})

    frame, _, _ = collect(handler, tmp_path)
    sums = frame[frame["metric"] == "downloads_month_bigquery_sum"].set_index(["contender", "period_label"])["value"]
    assert sums[("tensorflow", "2024-01")] == 85 and sums[("pytorch", "2024-02")] == 120
    with store_session(tmp_path / "s.duckdb") as store:
        store.add_snapshot(frame, kind="collect", source="pypi_bigquery")
        report = build_report(store, load_field("deep-learning"))
    signals = next(s for s in report.sections if s.id == "signals")
    chart = next(c for c in signals.charts if c.name == "collected_downloads_month_bigquery_sum")
    table = next(t for t in signals.tables if t.name == chart.table).frame
    assert set(table["framework"]) == {"PyTorch", "TensorFlow"} and len(table) == 4
