"""Google Trends: every recorded pytrends cassette replayed (tests/fixtures/google_trends, gzip bodies), and the
answers Google gives in 2026 when it is not itself: the real 51-byte empty timeline and 429 pages.

The replays match requests on their content: our explore request must carry the recorded comparison items
(keyword, region, time) and property, and our multiline request the recorded widget's request and token.
The multi-request (anchor) tests use responses BUILT here in the recorded format (the `)]}'` prefix,
`default.timelineData` with `value`/`hasData`/`isPartial`), with values chosen for the test; the 429 page is
BUILT too (text/html, as reported; no body was recorded).
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
import yaml
from conftest import FakeClock
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.commands import collect as collect_command
from mindshare.errors import InputError, SourceError
from mindshare.fields import load_field, parse_field
from mindshare.http import Http, Limit
from mindshare.session import session as store_session
from mindshare.sources import Run, google_trends
from mindshare.sources.google_trends import GoogleTrendsSource

FIXTURES = Path(__file__).parent / "fixtures" / "google_trends"
CASSETTES = sorted(p.name for p in FIXTURES.glob("*.yaml"))
EMPTY_ANSWER = (FIXTURES / "empty_timeline_answer.txt").read_bytes()
FAST = {"google_trends": Limit(per_second=1e6, burst=1000, concurrency=1)}
TODAY = date(2026, 11, 26)


pytestmark = pytest.mark.usefixtures("no_stamina_waits")


# -- replaying a cassette ------------------------------------------------------------------------------------
def unzip(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def recorded_json(body: bytes):
    return json.loads(unzip(body).decode().split("\n", 1)[1])


def cassette(name: str) -> dict[str, dict]:
    """path -> {status, headers, body (as recorded, gzip and all), params (the recorded query)}."""
    data = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    routes = {}
    for interaction in data["interactions"]:
        response, url = interaction["response"], httpx.URL(interaction["request"]["uri"])
        body = response["body"]["string"]
        body = body if isinstance(body, bytes) else body.encode()
        headers = {k: v[0] for k, v in response["headers"].items() if k.lower() in ("content-encoding", "content-type")}
        routes[url.path] = {"status": response["status"]["code"], "headers": headers, "body": body,
                            "params": dict(url.params)}
    return routes


def replay(routes: dict[str, dict], seen: list[str] | None = None):
    """A handler answering as recorded, after checking our request asks what the recorded one asked."""
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url.path)
        recorded = routes.get(request.url.path)
        if recorded is None:
            return httpx.Response(404, text="not recorded")
        if request.url.path.endswith("/api/explore"):
            ours, theirs = json.loads(request.url.params["req"]), json.loads(recorded["params"]["req"])
            assert ours["comparisonItem"] == theirs["comparisonItem"] and ours["property"] == theirs["property"]
        if "/widgetdata/" in request.url.path:
            assert json.loads(request.url.params["req"]) == json.loads(recorded["params"]["req"])
            assert request.url.params["token"] == recorded["params"]["token"]
        return httpx.Response(recorded["status"], headers=recorded["headers"], content=recorded["body"])

    return handler


def field_of(terms: list[str], tmp_path):
    text = "".join(f'[[contender]]\nid = "{t}"\nname = "{t.title()}"\ngoogle_trends = "{t}"\n' for t in terms)
    return parse_field('name = "food"\n' + text, tmp_path / "food.toml")


def asked(name: str) -> tuple[list[str], list[str], str, str]:
    """What a cassette's explore request asked: terms, regions, time, property."""
    req = json.loads(cassette(name)["/trends/api/explore"]["params"]["req"])
    items = req["comparisonItem"]
    return (list(dict.fromkeys(i["keyword"] for i in items)), list(dict.fromkeys(i["geo"] for i in items)),
            items[0]["time"], req["property"])


def pull(handler, contenders, clock: FakeClock | None = None, cache_dir=None, **source) -> pd.DataFrame:
    clock = clock or FakeClock()
    with Http(transport=httpx.MockTransport(handler), cache=cache_dir is not None, cache_dir=cache_dir,
              limits=FAST, clock=clock, sleep=clock.sleep, env={}) as http:
        return GoogleTrendsSource(**source).collect(Run(http, list(contenders), date(2021, 1, 1), TODAY))


def replay_cassette(name: str, tmp_path, seen=None) -> tuple[pd.DataFrame, dict]:
    terms, geos, time, prop = asked(name)
    routes = cassette(name)
    field = field_of(terms, tmp_path)
    frame = pull(replay(routes, seen), field.contenders, timeframe=time, geos=tuple(geos), search_property=prop)
    return frame, routes


# -- every cassette ---------------------------------------------------------------------------------------------
def test_the_fixture_folder_holds_the_ten_recorded_cassettes():
    assert len(CASSETTES) == 10


@pytest.mark.parametrize("name", ["test_interest_over_time_ok.yaml", "test_interest_over_time_partial.yaml",
                                  "test_interest_over_time_images.yaml", "test_interest_over_time_youtube.yaml",
                                  "test_interest_over_time_multiple_regions.yaml"])
def test_recorded_timelines_replay_value_for_value(name, tmp_path):
    frame, routes = replay_cassette(name, tmp_path)
    recorded = recorded_json(routes["/trends/api/widgetdata/multiline"]["body"])
    points = recorded["default"]["timelineData"]
    terms, geos, _, prop = asked(name)
    items = [(t, g) for t in terms for g in geos]
    assert len(frame) == len(points) * len(items)
    for column, (term, geo) in enumerate(items):
        rows = frame[(frame.subject == term) & (frame.segment.str.startswith(geo or "worldwide"))]
        rows = rows.sort_values("period_start")
        assert rows["value"].tolist() == [float(p["value"][column]) for p in points]
    flagged = frame[frame["note"].fillna("").str.startswith("PARTIAL")]
    assert len(flagged) == len(items) * sum(bool(p.get("isPartial")) for p in points)
    assert frame["collected_at"].notna().all()          # the fetch time, from the HTTP layer
    assert (frame["query"].str.contains("property=" + prop) if prop else ~frame["query"].str.contains("property")).all()


def test_four_items_over_261_weeks_share_one_scale(tmp_path):
    """multiple_regions: pizza and bagel in New York and Illinois, one request, one scale, 261 weeks."""
    frame, _ = replay_cassette("test_interest_over_time_multiple_regions.yaml", tmp_path)
    assert len(frame) == 4 * 261
    assert set(frame["segment"]) == {"US-NY", "US-IL"}
    assert frame.groupby(["subject", "segment"]).size().eq(261).all()
    weekly = pd.to_datetime(frame["period_end"]) - pd.to_datetime(frame["period_start"])
    assert weekly.dt.days.eq(6).all()
    assert frame["method"].eq("google trends v1, 1 request(s)").all()   # no anchor: four items fit one request
    first = frame[frame.period_start == frame.period_start.min()].set_index(["subject", "segment"])["value"]
    assert first.to_dict() == {("pizza", "US-NY"): 67.0, ("pizza", "US-IL"): 69.0, ("bagel", "US-NY"): 5.0,
                               ("bagel", "US-IL"): 2.0}


@pytest.mark.parametrize("name", ["test_build_payload.yaml", "test_tokens.yaml",
                                  "test_related_queries_result_top.yaml"])
def test_explore_only_cassettes_give_the_recorded_token_and_then_a_clear_line(name, tmp_path):
    """These recorded the token request only (or went on to related queries): the token is read as recorded;
    the timeline that was never recorded is a clear one-line failure, never zero rows."""
    terms, geos, time, prop = asked(name)
    routes = cassette(name)
    widgets = recorded_json(routes["/trends/api/explore"]["body"])["widgets"]
    with Http(transport=httpx.MockTransport(replay(routes)), cache=False, limits=FAST, env={}) as http:
        widget = google_trends.explore(http, [google_trends.Item(t, g) for t in terms for g in geos], time, prop)
    assert widget.token == next(w["token"] for w in widgets if w["id"] == "TIMESERIES")
    with pytest.raises(SourceError, match=r"^google_trends: GET https://trends.google.com/trends/api/widgetdata/"
                                          r"multiline\S* -> HTTP 404") as caught:
        replay_cassette(name, tmp_path)
    assert "\n" not in str(caught.value)


def test_bad_property_is_refused_before_any_request_and_the_recorded_404_page_is_accepted(tmp_path):
    """bad_gprop: pytrends refused the property before asking anything; so do we. The only interaction it
    recorded, the explore page's 404, is what Google serves for the cookie request: accepted, not a failure."""
    routes = cassette("test_interest_over_time_bad_gprop.yaml")
    assert list(routes) == ["/trends/explore/"] and routes["/trends/explore/"]["status"] == 404
    with pytest.raises(InputError, match="unknown Google Trends property 'shopping'"):
        GoogleTrendsSource(search_property="shopping")
    seen: list[str] = []
    with pytest.raises(SourceError, match="api/explore"):
        pull(replay(routes, seen), field_of(["pizza"], tmp_path).contenders)
    assert seen == ["/trends/explore/", "/trends/api/explore"]   # went past the 404 page


def test_a_multirange_answer_is_refused_in_one_line(tmp_path):
    """multirange: per-item time ranges (`columnData` points); mindshare reads multiline only, and says so."""
    routes = cassette("test_multirange_interest_over_time_ok.yaml")
    points = recorded_json(routes["/trends/api/widgetdata/multirange"]["body"])["default"]["timelineData"]
    with pytest.raises(SourceError, match="multirange") as caught:
        google_trends.timeline_frame(points, [google_trends.Item("pizza"), google_trends.Item("bagel")])
    assert "\n" not in str(caught.value)


# -- the empty answer -------------------------------------------------------------------------------------------
def partial_routes_with(multiline_body: bytes) -> dict[str, dict]:
    routes = cassette("test_interest_over_time_partial.yaml")
    recorded = routes["/trends/api/widgetdata/multiline"]
    routes["/trends/api/widgetdata/multiline"] = {**recorded, "headers": {"content-type": "application/json"},
                                                  "body": multiline_body}
    return routes


def test_the_real_empty_answer_is_asked_again_then_a_clear_line_never_zero_rows(tmp_path):
    seen: list[str] = []
    routes = partial_routes_with(EMPTY_ANSWER)
    with pytest.raises(SourceError) as caught:
        pull(replay(routes, seen), field_of(["pizza", "bagel"], tmp_path).contenders, timeframe="today 5-y",
             cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith("google_trends: GET https://trends.google.com/trends/api/widgetdata/multiline")
    assert "empty timeline" in message and "after 3 attempts" in message and "\n" not in message
    assert seen.count("/trends/api/widgetdata/multiline") == 3
    # the empty answer was not kept: once Google answers again, a re-run gets the real timeline
    recorded = cassette("test_interest_over_time_partial.yaml")
    frame = pull(replay(recorded), field_of(["pizza", "bagel"], tmp_path).contenders, timeframe="today 5-y",
                 cache_dir=tmp_path / "cache")
    assert len(frame) == 2 * len(recorded_json(recorded["/trends/api/widgetdata/multiline"]["body"])
                                 ["default"]["timelineData"])


def test_a_transient_empty_answer_is_retried_into_the_real_one(tmp_path):
    recorded = cassette("test_interest_over_time_partial.yaml")
    answers = iter([EMPTY_ANSWER])

    def handler(request):
        if request.url.path.endswith("/multiline"):
            body = next(answers, None)
            if body is not None:
                return httpx.Response(200, content=body)
        return replay(recorded)(request)

    frame = pull(handler, field_of(["pizza", "bagel"], tmp_path).contenders, timeframe="today 5-y")
    points = recorded_json(recorded["/trends/api/widgetdata/multiline"]["body"])["default"]["timelineData"]
    assert len(frame) == 2 * len(points) and next(answers, None) is None


# -- more than five contenders ----------------------------------------------------------------------------------
def built_timeline(values: dict, partial_last=True) -> str:
    weeks = len(next(iter(values.values())))
    points = []
    for i in range(weeks):
        point = {"time": str(1522540800 + i * 7 * 86400), "value": [v[i] for v in values.values()],
                 "hasData": [True] * len(values)}
        if partial_last and i == weeks - 1:
            point["isPartial"] = True
        points.append(point)
    return ")]}',\n" + json.dumps({"default": {"timelineData": points}})


def anchored_handler(levels: dict[int, int], empty_for: set[int] = frozenset()):
    """Explore answers a token per batch; multiline answers the anchor at `levels[batch]`, the others 10, 12, 5."""
    served: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/trends/explore/":
            return httpx.Response(404)
        if request.url.path == "/trends/api/explore":
            batch = [item["keyword"] for item in json.loads(request.url.params["req"])["comparisonItem"]]
            served.append(batch)
            widget = {"id": "TIMESERIES", "token": f"t{len(served) - 1}", "request": {"batch": batch}}
            return httpx.Response(200, text=")]}'\n" + json.dumps({"widgets": [widget]}))
        index = int(request.url.params["token"][1:])
        if index in empty_for:
            return httpx.Response(200, content=EMPTY_ANSWER)
        batch = served[index]
        anchor = served[0][0]
        return httpx.Response(200, text=built_timeline(
            {t: ([levels[index]] * 3 if t == anchor else [10, 12, 5]) for t in batch}))

    return handler, served


def test_more_than_five_contenders_share_one_scale_through_the_anchor():
    field = load_field()  # ten contenders: three requests of anchor + four
    terms = [google_trends.term_of(c) for c in field.contenders]
    items = [google_trends.Item(t) for t in terms]
    planned = google_trends.batches(items, items[0])
    assert len(planned) == 3 and all(b[0] == items[0] and len(b) <= 5 for b in planned)
    handler, served = anchored_handler({0: 80, 1: 40, 2: 20})   # the second doubles, the third quadruples
    frame = pull(handler, field.contenders)
    assert len(served) == 3
    week = frame[frame.period_start == frame.period_start.min()].set_index("contender")["value"]
    assert week[field.contenders[1].id] == 10
    assert week[field.find(planned[1][1].term).id] == 20
    assert week[field.find(planned[2][1].term).id] == 40
    assert frame.groupby("period_start")["contender"].nunique().eq(len(field.contenders)).all()
    assert frame["method"].str.contains("anchor 'PyTorch'").all()


def test_an_empty_answer_in_one_of_several_requests_is_a_clear_line_not_a_keyerror():
    """On main, an empty timeline in the second request raised KeyError: 'term' in the rescaling."""
    handler, served = anchored_handler({0: 80, 1: 40, 2: 20}, empty_for={1})
    with pytest.raises(SourceError, match="empty timeline") as caught:
        pull(handler, load_field().contenders)
    assert "\n" not in str(caught.value)


# -- 429 pages --------------------------------------------------------------------------------------------------
RATE_LIMIT_PAGE = ("<html><head><title>Error 429 (Too Many Requests)!!1</title></head><body><p><b>429.</b> That’s "
                   "an error.</p><p>We're sorry, but you have sent too many requests to us recently.</p></body></html>")


def test_a_429_page_is_rate_limiting_waited_out_then_a_clear_line(tmp_path):
    calls = []

    def storm(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(429, text=RATE_LIMIT_PAGE, headers={"content-type": "text/html; charset=UTF-8"})

    clock = FakeClock()
    with pytest.raises(SourceError) as caught:
        pull(storm, field_of(["pizza"], tmp_path).contenders, clock=clock)
    message = str(caught.value)
    assert message.startswith("google_trends: GET https://trends.google.com/trends/explore/?geo=US -> HTTP 429")
    assert "rate limited" in message and "not a change of format" in message and "\n" not in message
    assert "wait an hour" in message
    assert calls == ["/trends/explore/"] * 3                     # asked again, not given up at once
    assert sum(s for s in clock.sleeps if s >= 59) >= 2 * 60     # and waited a minute between attempts


def test_a_429_then_the_recorded_answers_succeeds(tmp_path):
    routes = cassette("test_interest_over_time_partial.yaml")
    first = iter([httpx.Response(429, text=RATE_LIMIT_PAGE, headers={"content-type": "text/html"})])

    def handler(request):
        if request.url.path == "/trends/api/explore":
            answer = next(first, None)
            if answer is not None:
                return answer
        return replay(routes)(request)

    frame = pull(handler, field_of(["pizza", "bagel"], tmp_path).contenders, timeframe="today 5-y")
    assert len(frame) > 0 and frame["value"].notna().all()


# -- the command ------------------------------------------------------------------------------------------------
@pytest.fixture
def trends_cli(tmp_path, monkeypatch):
    state = {"handler": None}

    def make(cache: bool = True, verbose: bool = False, settings=None) -> Http:
        clock = FakeClock()
        return Http(transport=httpx.MockTransport(lambda r: state["handler"](r)), cache=False, limits=FAST,
                    clock=clock, sleep=clock.sleep, env={},
                    on_request=collect_command.print_request if verbose else None)

    monkeypatch.setattr(collect_command, "make_http", make)
    db = tmp_path / "s.duckdb"
    field_path = tmp_path / "food.toml"
    field_path.write_text('name = "food"\n[[contender]]\nid = "pizza"\nname = "Pizza"\ngoogle_trends = "pizza"\n'
                          '[[contender]]\nid = "bagel"\nname = "Bagel"\ngoogle_trends = "bagel"\n')

    def invoke(*args):
        return CliRunner().invoke(app, ["--db", str(db), "trends", "collect", "--field", str(field_path), *args])

    return invoke, db, state


def trends_snapshots(db):
    with store_session(db) as store:
        snapshots = store.snapshots()
    return snapshots[snapshots["kind"] == "collect"]


def test_trends_collect_of_an_empty_answer_exits_non_zero_without_a_traceback(trends_cli):
    """On main: `KeyError 'note'` traceback from `mindshare trends collect` on the empty answer."""
    invoke, db, state = trends_cli
    state["handler"] = replay(partial_routes_with(EMPTY_ANSWER))
    result = invoke()
    assert isinstance(result.exception, SourceError) and result.exception.exit_code == 7
    assert "failed: google_trends: GET https://trends.google.com/trends/api/widgetdata/multiline" in result.output
    assert "empty timeline" in result.output and "Traceback" not in result.output
    assert not db.exists() or trends_snapshots(db).empty


def test_trends_collect_stores_under_the_collect_source_name_and_sees_the_same_pull(trends_cli):
    invoke, db, state = trends_cli
    state["handler"] = replay(cassette("test_interest_over_time_partial.yaml"))
    first = invoke("--verbose")
    assert first.exit_code == 0, first.output
    assert "GET https://trends.google.com/trends/api/widgetdata/multiline?" in first.output and "-> 200" in first.output
    assert list(trends_snapshots(db)["source"]) == ["google_trends"]   # as `mindshare collect google_trends`
    again = invoke()
    assert again.exit_code == 0 and "unchanged" in again.output
    assert len(trends_snapshots(db)) == 1


def test_trends_collect_on_a_429_storm_fails_in_one_line_and_stores_nothing(trends_cli):
    invoke, db, state = trends_cli
    state["handler"] = lambda r: httpx.Response(429, text=RATE_LIMIT_PAGE, headers={"content-type": "text/html"})
    result = invoke()
    assert isinstance(result.exception, SourceError) and result.exception.exit_code == 7
    assert "rate limited" in result.output
    assert not db.exists() or trends_snapshots(db).empty


# -- samples ----------------------------------------------------------------------------------------------------
def _store_with_pulls(db, field, pulls):
    """A store holding one Google Trends snapshot per pull (responses built in the recorded format)."""
    from mindshare.store import open_store

    store = open_store(db)
    for pull_values in pulls:
        def handler(request, values=pull_values):
            if request.url.path == "/trends/api/explore":
                widget = {"id": "TIMESERIES", "token": "t", "request": {}}
                return httpx.Response(200, text=")]}'\n" + json.dumps({"widgets": [widget]}))
            if request.url.path == "/trends/api/widgetdata/multiline":
                return httpx.Response(200, text=built_timeline({"pizza": values, "bagel": [1, 1, 1]}))
            return httpx.Response(404)

        frame = pull(handler, field.contenders, timeframe="today 5-y")
        store.add_snapshot(frame, kind="collect", source="google_trends")
    return store


@pytest.fixture
def pizza_field(tmp_path):
    return field_of(["pizza", "bagel"], tmp_path)


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
