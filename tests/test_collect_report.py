"""Collected series in the report: beside the bundled history, each point marked with its snapshot, a month
still in progress flagged (hollow point, off the line), never drawn as a drop.

Responses here are BUILT from the providers' documented formats (GitHub /repos, Wikimedia per-article monthly
pageviews, Stack Exchange /tags/{tags}/info and /questions?filter=total); no recording of these exists.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import httpx
import pytest
import stamina

from mindshare.collection import run_collection
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.report.build import build_report
from mindshare.report.render import render_html, results_document
from mindshare.session import session as store_session
from mindshare.sources import SOURCES

TODAY = datetime.now(UTC).date()
SINCE = date(TODAY.year - 1, TODAY.month, 1)
STARS = {"pytorch/pytorch": 30_000, "tensorflow/tensorflow": 190_000}


def provider(request: httpx.Request, stars: dict[str, int] = STARS) -> httpx.Response:
    """Answers in the providers' documented formats; `stars` per repository (owner/name)."""
    host, path = request.url.host, request.url.path
    if host == "api.github.com":
        parts = path.strip("/").split("/")
        repo = f"{parts[1]}/{parts[2]}"
        if len(parts) == 3:
            return httpx.Response(200, json={"full_name": repo, "stargazers_count": stars[repo], "forks_count": 10,
                                             "subscribers_count": 5, "open_issues_count": 3})
        if parts[3] == "stargazers":  # oldest first; the newest page is asked first
            return httpx.Response(200, json=[{"starred_at": f"{TODAY:%Y-%m}-01T00:00:00Z"}] * 3
                                  + [{"starred_at": "2001-01-01T00:00:00Z"}])
        link = f'<https://api.github.com/x?per_page=1&page={40 if parts[3] == "contributors" else 9}>; rel="last"'
        return httpx.Response(200, json=[{}], headers={"link": link})
    if host == "wikimedia.org":
        article = path.split("/user/")[1].split("/")[0]
        months = [(SINCE.year + (SINCE.month - 1 + k) // 12, (SINCE.month - 1 + k) % 12 + 1) for k in range(13)]
        return httpx.Response(200, json={"items": [
            {"project": "en.wikipedia", "article": article, "granularity": "monthly", "timestamp": f"{y}{m:02d}0100",
             "access": "all-access", "agent": "user", "views": 50_000 + 100 * k} for k, (y, m) in enumerate(months)]})
    if host == "api.stackexchange.com":
        if "/tags/" in path:
            tags = path.split("/tags/")[1].split("/")[0].split(";")
            return httpx.Response(200, json={"items": [{"name": t, "count": 1000} for t in tags]})
        return httpx.Response(200, json={"total": 200})
    return httpx.Response(404)


@pytest.fixture(scope="module")
def report_with_collection(tmp_path_factory, bundled_store_path):
    path = tmp_path_factory.mktemp("collected") / "store.duckdb"
    shutil.copy(bundled_store_path, path)
    field = load_field("deep-learning")
    contenders = field.select(["pytorch", "tensorflow"])
    with stamina.set_testing(True, attempts=2), \
            Http(transport=httpx.MockTransport(provider), cache=False, env={"GITHUB_TOKEN": "t"}) as http:
        outcomes = run_collection([SOURCES[n] for n in ("github", "wikipedia", "stackexchange")], contenders, SINCE,
                                  TODAY, http, lambda: store_session(path), field, progress=False)
    assert [o.status for o in outcomes] == ["added"] * 3, [o.why for o in outcomes]
    with store_session(path) as store:
        report = build_report(store, field)
    return report


def section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def test_collected_stars_sit_beside_the_bundled_history(report_with_collection):
    collected = section(report_with_collection, "signals")
    table = next(t for t in collected.tables if t.name == "collected_github_stars").frame
    assert {"bundled history", "collected"} == set(table["origin"])
    mine = table[table["origin"] == "collected"]
    assert set(mine["value"]) == {30_000.0, 190_000.0}
    assert mine["snapshot"].str.startswith("collect-").all()
    assert not table[table["origin"] == "bundled history"]["snapshot"].str.startswith("collect-").any()
    assert any(c.name == "collected_github_stars" for c in collected.charts)


def test_partial_current_month_is_flagged_not_drawn_as_a_drop(report_with_collection):
    collected = section(report_with_collection, "signals")
    views = next(t for t in collected.tables if t.name == "collected_pageviews_month").frame
    current = views[views["date"] == f"{TODAY:%Y-%m}-01"]
    assert len(current) == 2 and (current["partial"] == "partial").all()
    assert (views[views["date"] < f"{TODAY:%Y-%m}-01"]["partial"] == "").all()
    chart = next(c for c in collected.charts if c.name == "collected_pageviews_month").spec
    line = chart["layer"][0]
    assert line["mark"]["type"] == "line" and {"filter": "!datum.partial"} in line["transform"]
    assert any("partial" in note for note in collected.notes)
    # the search section's trend lines leave the partial month out too
    search = section(report_with_collection, "search")
    data = next(t for t in search.tables if t.name.endswith("_data")).frame
    assert data["period_start"].max() < datetime(TODAY.year, TODAY.month, 1)


def test_over_40k_star_history_gap_is_a_note_and_report_renders(report_with_collection):
    collected = section(report_with_collection, "signals")
    assert any("TensorFlow, stars_new_month: not available" in n and "40,000" in n for n in collected.notes)
    totals = next(t for t in collected.tables if t.name == "collected_totals").frame
    assert set(totals["contributors"]) == {40.0} and set(totals["releases"]) == {9.0}
    document = results_document(report_with_collection)
    signals = next(s for s in document["sections"] if s["id"] == "signals")
    assert "collected_github_stars" in [t["name"] for t in signals["tables"]]
    assert "collected_github_stars" in render_html(report_with_collection)
