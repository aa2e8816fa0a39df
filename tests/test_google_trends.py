"""Google Trends: replayed from pytrends' recorded cassettes (tests/fixtures/google_trends, gzip bodies).

The multi-request (anchor) and 429 tests use responses BUILT here in the format of the recorded ones (the
`)]}'` prefix, `default.timelineData` with `value`/`hasData`/`isPartial`), with values chosen for the test.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import httpx
import pandas as pd
import pytest
import stamina
import yaml
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http, Limit
from mindshare.sources import google_trends

FIXTURES = Path(__file__).parent / "fixtures" / "google_trends"

FAST = {"google_trends": Limit(per_second=1e6, burst=1000, concurrency=1)}


def cassette(name: str) -> dict[str, tuple[int, dict, bytes]]:
    """path -> (status, headers, body as recorded, gzip and all)."""
    data = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    routes = {}
    for interaction in data["interactions"]:
        response = interaction["response"]
        body = response["body"]["string"]
        body = body if isinstance(body, bytes) else body.encode()
        headers = {k: v[0] for k, v in response["headers"].items() if k.lower() in ("content-encoding", "content-type")}
        routes[httpx.URL(interaction["request"]["uri"]).path] = (response["status"]["code"], headers, body)
    return routes


def replay(routes) -> Http:
    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = routes[request.url.path]
        return httpx.Response(status, headers=headers, content=body)

    return Http(transport=httpx.MockTransport(handler), cache=False, limits=FAST)


@pytest.fixture
def pizza_field(tmp_path):
    path = tmp_path / "food.toml"
    path.write_text('name = "food"\n[[contender]]\nid = "pizza"\nname = "Pizza"\ngoogle_trends = "pizza"\n'
                    '[[contender]]\nid = "bagel"\nname = "Bagel"\ngoogle_trends = "bagel"\n', encoding="utf-8")
    return load_field(path)


def test_recorded_weekly_series_with_partial_last_week(pizza_field):
    routes = cassette("test_interest_over_time_partial.yaml")
    assert routes["/trends/api/widgetdata/multiline"][2][:2] == b"\x1f\x8b"  # really gzip on the wire
    with replay(routes) as http:
        frame = google_trends.collect(pizza_field, http=http)
    recorded = json.loads(gzip.decompress(routes["/trends/api/widgetdata/multiline"][2]).decode().split("\n", 1)[1])
    points = recorded["default"]["timelineData"]
    assert len(frame) == 2 * len(points)
    pizza = frame[frame.contender == "pizza"].sort_values("period_start")
    assert pizza["value"].tolist() == [float(p["value"][0]) for p in points]
    assert (pd.to_datetime(pizza["period_end"]) - pd.to_datetime(pizza["period_start"])).dt.days.eq(6).all()
    flagged = frame[frame["note"].fillna("").str.startswith("PARTIAL")]
    assert len(flagged) == 2 and flagged["period_start"].nunique() == 1
    assert flagged["period_start"].iloc[0] == pizza["period_start"].max()
    assert sum(bool(p.get("isPartial")) for p in points) == 1


def test_recorded_daily_series_without_partial(pizza_field):
    with replay(cassette("test_interest_over_time_ok.yaml")) as http:
        frame = google_trends.collect(pizza_field, http=http, timeframe="2021-01-01 2021-01-05")
    assert frame["note"].isna().all()
    assert (frame["period_end"] == frame["period_start"]).all()  # daily points


def built_timeline(terms_values: dict[str, list[int]], partial_last=True) -> str:
    weeks = len(next(iter(terms_values.values())))
    points = []
    for i in range(weeks):
        point = {"time": str(1522540800 + i * 7 * 86400), "value": [v[i] for v in terms_values.values()],
                 "hasData": [True] * len(terms_values)}
        if partial_last and i == weeks - 1:
            point["isPartial"] = True
        points.append(point)
    return ")]}',\n" + json.dumps({"default": {"timelineData": points}})


def test_more_than_five_contenders_share_one_scale_through_the_anchor():
    field = load_field()  # ten contenders: three requests of anchor + four
    terms = [google_trends.term_of(c) for c in field.contenders]
    batches = google_trends.batches(terms, terms[0])
    assert len(batches) == 3 and all(b[0] == terms[0] and len(b) <= 5 for b in batches)
    # the anchor reads 80 in the first request, 40 in the second and 20 in the third: the second's values
    # must double and the third's quadruple
    anchor_level = {0: 80, 1: 40, 2: 20}
    served = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/trends/explore/":
            return httpx.Response(404)
        if request.url.path == "/trends/api/explore":
            req = json.loads(request.url.params["req"])
            batch = [item["keyword"] for item in req["comparisonItem"]]
            served.append(batch)
            widget = {"id": "TIMESERIES", "token": f"t{len(served) - 1}", "request": {"batch": batch}}
            return httpx.Response(200, text=")]}'\n" + json.dumps({"widgets": [widget]}))
        index = int(request.url.params["token"][1:])
        batch = served[index]
        values = {t: ([anchor_level[index]] * 3 if t == terms[0] else [10, 12, 5]) for t in batch}
        return httpx.Response(200, text=built_timeline(values))

    with Http(transport=httpx.MockTransport(handler), cache=False, limits=FAST) as http:
        frame = google_trends.collect(field, http=http)
    assert len(served) == 3
    week = frame[frame.period_start == frame.period_start.min()].set_index("contender")["value"]
    assert week[field.contenders[1].id] == 10            # first request: as served
    assert week[field.find(batches[1][1]).id] == 20      # doubled
    assert week[field.find(batches[2][1]).id] == 40      # quadrupled
    assert frame.groupby("period_start")["contender"].nunique().eq(len(field.contenders)).all()
    assert frame["method"].str.contains("anchor 'PyTorch'").all()


def test_a_429_storm_fails_with_one_line_and_stores_nothing(tmp_path, monkeypatch):
    calls = []

    def storm(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(429, text="Too Many Requests")

    monkeypatch.setattr(google_trends, "Http",
                        lambda: Http(transport=httpx.MockTransport(storm), cache=False, limits=FAST))
    db = tmp_path / "s.duckdb"
    with stamina.set_testing(True, attempts=3):
        with pytest.raises(SourceError) as caught:
            google_trends.collect(load_field())
        result = CliRunner().invoke(app, ["--db", str(db), "trends", "collect"])
    assert "429" in str(caught.value) and "\n" not in str(caught.value)
    assert len(calls) >= 3  # retried, not given up at once
    assert result.exit_code != 0 and isinstance(result.exception, SourceError)
    from mindshare.store import store_session

    with store_session(db) as store:
        assert store.observations(signal="search", source=google_trends.SOURCE).empty


def _store_with_pulls(db, field, pulls):
    """A store holding one Google Trends snapshot per pull (responses built in the recorded format)."""
    from mindshare.store import open_store

    store = open_store(db)
    for pull in pulls:
        def handler(request, pull=pull):
            if request.url.path == "/trends/api/explore":
                widget = {"id": "TIMESERIES", "token": "t", "request": {}}
                return httpx.Response(200, text=")]}'\n" + json.dumps({"widgets": [widget]}))
            if request.url.path == "/trends/api/widgetdata/multiline":
                return httpx.Response(200, text=built_timeline({"pizza": pull, "bagel": [1, 1, 1]}))
            return httpx.Response(404)

        with Http(transport=httpx.MockTransport(handler), cache=False, limits=FAST) as http:
            frame = google_trends.collect(field, http=http)
        store.add_snapshot(frame, kind="collect", source=google_trends.SOURCE)
    return store


def test_repeated_pulls_are_kept_as_samples_with_their_spread(tmp_path, pizza_field):
    store = _store_with_pulls(tmp_path / "s.duckdb", pizza_field, [[50, 60, 70], [54, 58, 70], [52, 62, 71]])
    try:
        every = store.observations(signal="search", source=google_trends.SOURCE, all_snapshots=True)
    finally:
        store.close()
    spread = google_trends.sample_spread(every)
    first = spread[(spread.contender == "pizza")].sort_values("period_start").iloc[0]
    assert first["samples"] == 3 and first["min"] == 50 and first["max"] == 54
    assert first["mean"] == pytest.approx(52) and first["sd"] == pytest.approx(2)


def test_the_report_shows_the_spread_of_repeated_pulls(tmp_path, pizza_field):
    """Three pulls of the same weeks: the Search interest section gets a table of the per-week spread and a
    sentence that says how large differences must be to mean anything."""
    from mindshare.report.build import build_report

    store = _store_with_pulls(tmp_path / "s.duckdb", pizza_field, [[50, 60, 70], [54, 58, 70], [52, 62, 71]])
    try:
        report = build_report(store, pizza_field)
    finally:
        store.close()
    search = next(s for s in report.sections if s.id == "search")
    table = next(t for t in search.tables if t.name == "search_interest_samples").frame
    pizza = table[table["framework"] == "Pizza"].sort_values("period_start")
    assert pizza["samples"].tolist()[0] == 3
    assert pizza["range_pts"].tolist()[:2] == [4, 4]   # 50..54 and 58..62
    finding = next(f for f in search.findings if "pulls overlap" in f.text)
    assert finding.text.startswith("3 Google Trends pulls")
    assert {f["name"]: f["value"] for f in finding.figures}["max_range"] == 4
