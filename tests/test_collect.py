"""Live sources and `mindshare collect`, replayed without the network.

Recorded responses (copied from ../shared/fixtures into tests/fixtures/, see SOURCES.txt there):
- github/*.txt: PyGithub ReplayData (real api.github.com responses: /repos/PyGithub/PyGithub, its contributors,
  /repos/danvk/comparea and its stargazers with starred_at).
- arxiv/*.json: arxiv.py golden files (real export.arxiv.org Atom feeds).
- pypistats/pip_python_minor_data_array.json: the `data` array of a real pypistats.org response for pip
  (2018-04..09, per Python version); the `/overall` answer below is DERIVED from it by summing each day's
  versions into the `without_mirrors` category (the same downloads, split another way).
- stackexchange/test_stackoverflow_exists.json: a real Stack Exchange API wrapper (items, has_more, quota_*).

BUILT from the providers' documented formats, because no public recording exists (../shared/README.md):
GitHub contributors/releases pages with a `Link` header and a >40k-star repository; Stack Exchange
`/tags/{tags}/info` items and `/questions?filter=total` ({"total": N}); Hugging Face `models-json`
({"models", "numItemsPerPage", "numTotalItems", "pageIndex"}); Wikimedia per-article monthly pageviews
({"items": [{"project", "article", "granularity", "timestamp", "access", "agent", "views"}]}).
"""

from __future__ import annotations

import ast
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import time_machine
from conftest import FakeClock
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.commands import collect as collect_command
from mindshare.errors import MindshareError, SourceError
from mindshare.fields import Contender, parse_field
from mindshare.http import Http
from mindshare.sources import SOURCES, Run
from mindshare.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"

FIELD_TOML = """
name = "test-field"
title = "Test field"

[[contender]]
id = "alpha"
name = "Alpha"
patterns = ["alpha"]
pypi = ["pip", "pip-tools"]
github = "danvk/comparea"
stackoverflow_tag = "alpha-tag"
wikipedia = "Alpha (software)"
huggingface_library = "alphalib"

[[contender]]
id = "beta"
name = "Beta"
patterns = ["beta"]
pypi = ["betapkg"]
github = "PyGithub/PyGithub"
stackoverflow_tag = "beta-tag"
wikipedia = "Beta"
huggingface_library = "betalib"
"""

# The sources this file tests (other modules register more in SOURCES).
MINE = ("github", "pypistats", "stackexchange", "huggingface", "wikipedia", "arxiv")
SINCE = date(2026, 8, 1)
TODAY = date(2026, 11, 26)


# -- recorded and built responses ---------------------------------------------------------------------------
def pygithub_replay(name: str) -> dict[str, tuple[int, dict, str]]:
    """PyGithub ReplayData: 11 lines per request; path -> (status, headers, body)."""
    lines = (FIXTURES / "github" / name).read_text().split("\n")
    found = {}
    for start in range(0, len(lines) - 9, 11):
        path = lines[start + 4].split("?")[0]
        status = int(lines[start + 7])
        headers = dict(ast.literal_eval(lines[start + 8]))
        found[path] = (status, headers, lines[start + 9])
    return found


GITHUB = {**pygithub_replay("Repository.setUp.txt"), **pygithub_replay("Repository.testGetContributors.txt"),
          **pygithub_replay("Repository.testGetStargazersWithDates.txt")}
ARXIV = json.loads((FIXTURES / "arxiv" / "q_testing_s0_m10_bc5a6c384fe9.json").read_text())
PIP_DAILY: dict[str, int] = defaultdict(int)
for _item in json.loads((FIXTURES / "pypistats" / "pip_python_minor_data_array.json").read_text()):
    PIP_DAILY[_item["date"]] += _item["downloads"]
SE_WRAPPER = json.loads((FIXTURES / "stackexchange" / "test_stackoverflow_exists.json").read_text())
HF_COUNTS = {"alphalib": 1200, "betalib": 800, "alphalib,betalib": 150}
TAG_COUNTS = {"alpha-tag": 4321, "beta-tag": 987}


def questions_total(params: dict) -> int:
    """A built answer that depends on the request, so a wrong mapping of months shows."""
    month = datetime.utcfromtimestamp(int(params["fromdate"][0])).month
    return month * 10 + (1 if params["tagged"][0] == "alpha-tag" else 2)


def wikimedia_items(article: str) -> list[dict]:
    return [{"project": "en.wikipedia", "article": article, "granularity": "monthly",
             "timestamp": f"2026{m:02d}0100", "access": "all-access", "agent": "user", "views": 1000 * m}
            for m in range(8, 12)]


def normal(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    params = parse_qs(request.url.query.decode())
    if host == "api.github.com":
        if path.endswith("/contributors") and path.startswith("/repos/danvk"):
            link = '<https://api.github.com/repositories/1/contributors?per_page=1&anon=true&page=3>; rel="last"'
            return httpx.Response(200, json=[{"login": "x", "contributions": 5}], headers={"link": link})
        if path.endswith("/releases"):
            link = '<https://api.github.com/repositories/1/releases?per_page=1&page=17>; rel="last"'
            return httpx.Response(200, json=[{"tag_name": "v1"}], headers={"link": link})
        if path.endswith("/stargazers") and path.startswith("/repos/PyGithub"):
            return httpx.Response(200, json=[{"starred_at": "2012-01-01T00:00:00Z", "user": {}}])
        if path in GITHUB:
            status, headers, body = GITHUB[path]
            headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "status", "content-encoding", "transfer-encoding")}
            return httpx.Response(status, headers=headers, content=body.encode())
    if host == "pypistats.org":
        package = path.split("/")[3]
        scale = {"pip": 1, "pip-tools": 2, "betapkg": 3}[package]
        data = [{"category": category, "date": d, "downloads": n * scale * factor}
                for category, factor in (("without_mirrors", 1), ("with_mirrors", 2))  # with_mirrors: BUILT
                for d, n in sorted(PIP_DAILY.items())]
        return httpx.Response(200, json={"data": data, "package": package, "type": "overall_downloads"})
    if host == "api.stackexchange.com":
        if "/tags/" in path:
            tags = path.split("/tags/")[1].split("/")[0].split(";")
            items = [{"name": t, "count": TAG_COUNTS[t], "has_synonyms": False, "is_moderator_only": False,
                      "is_required": False} for t in tags]
            return httpx.Response(200, json={**SE_WRAPPER, "items": items})
        return httpx.Response(200, json={"total": questions_total(params)})
    if host == "huggingface.co":
        return httpx.Response(200, json={"models": [], "numItemsPerPage": 30,
                                         "numTotalItems": HF_COUNTS[params["library"][0]], "pageIndex": 0})
    if host == "wikimedia.org":
        article = path.split("/user/")[1].split("/")[0]
        return httpx.Response(200, json={"items": wikimedia_items(article)})
    if host == "export.arxiv.org":
        return httpx.Response(200, content=ARXIV["body"].encode("latin-1"),
                              headers={"content-type": "application/atom+xml"})
    return httpx.Response(404, json={"message": "Not Found"})




def make_http(handler=normal, cache_dir=None, env=None) -> tuple[Http, FakeClock]:
    clock = FakeClock()
    http = Http(transport=httpx.MockTransport(handler), cache=cache_dir is not None, cache_dir=cache_dir,
                env={"GITHUB_TOKEN": "test-token"} if env is None else env, clock=clock, sleep=clock.sleep)
    return http, clock


pytestmark = pytest.mark.usefixtures("no_stamina_waits")


@pytest.fixture
def contenders(tmp_path) -> list[Contender]:
    return list(parse_field(FIELD_TOML, tmp_path / "test-field.toml").contenders)


def collect_one(name: str, contenders, handler=normal, env=None):
    http, clock = make_http(handler, env=env)
    with http:
        run = Run(http, SOURCES[name].eligible(contenders), SINCE, TODAY)
        return SOURCES[name].collect(run), run, clock


# -- each source on recorded / documented responses ----------------------------------------------------------
def test_github_totals_counts_and_star_history(contenders):
    frame, run, _ = collect_one("github", contenders)
    beta = frame[frame.contender == "beta"].set_index("metric")
    repo = json.loads(GITHUB["/repos/PyGithub/PyGithub"][2])
    assert beta.loc["github_stars", "value"] == repo["stargazers_count"]
    assert beta.loc["forks", "value"] == repo["forks_count"]
    assert beta.loc["watchers", "value"] == repo["subscribers_count"]
    assert beta.loc["open_issues", "value"] == repo["open_issues_count"]
    assert beta.loc["contributors", "value"] == len(json.loads(GITHUB["/repos/PyGithub/PyGithub/contributors"][2]))
    alpha = frame[frame.contender == "alpha"]
    single = alpha[alpha.metric != "stars_new_month"].set_index("metric")
    assert single.loc["contributors", "value"] == 3 and single.loc["releases", "value"] == 17
    assert (frame.reference.str.startswith("https://api.github.com/repos/")).all()
    assert frame.collected_at.notna().all() and (frame.method == "github-rest-v1").all()


def test_github_star_history_counts_recorded_stargazers_by_month(contenders):
    alpha = [c for c in contenders if c.id == "alpha"]
    http, _ = make_http()
    with http:
        run = Run(http, alpha, date(2014, 1, 1), TODAY)
        frame = SOURCES["github"].collect(run)
    history = frame[frame.metric == "stars_new_month"]
    recorded = json.loads(GITHUB["/repos/danvk/comparea/stargazers"][2])
    expected = Counter(item["starred_at"][:7] for item in recorded)
    got = {label: v for label, v in zip(history.period_label, history.value) if v}
    assert got == expected
    assert history.iloc[-1].note.startswith("PARTIAL")  # the current month
    assert not history.iloc[0].note.startswith("PARTIAL")


def test_github_over_40k_stars_is_a_note_not_a_history(contenders):
    def handler(request):
        if request.url.path == "/repos/danvk/comparea":
            body = json.loads(GITHUB["/repos/danvk/comparea"][2]) | {"stargazers_count": 90_000}
            return httpx.Response(200, json=body)
        assert "stargazers" not in request.url.path or "PyGithub" in request.url.path
        return normal(request)

    frame, run, _ = collect_one("github", contenders, handler)
    note = frame[(frame.contender == "alpha") & (frame.metric == "stars_new_month")]
    assert len(note) == 1 and note.value.isna().all() and "40,000" in note.value_text.iloc[0]
    assert any("40,000" in n for n in run.notes)


def test_github_without_token_skips_history(contenders):
    frame, run, _ = collect_one("github", contenders, env={})
    assert "stars_new_month" not in set(frame.metric)
    assert any("GITHUB_TOKEN" in n for n in run.notes)


def test_pypistats_months_30d_and_sums_from_recorded_data(contenders):
    frame, _, _ = collect_one("pypistats", contenders)
    months = frame[(frame.metric == "downloads_month") & (frame.subject == "pip")].set_index("period_label")
    by_month = defaultdict(int)
    for day, n in PIP_DAILY.items():
        by_month[day[:7]] += n
    assert months.value.to_dict() == {k: float(v) for k, v in by_month.items()}
    assert months.loc["2018-04", "note"].startswith("PARTIAL")   # the 180-day window starts mid-month
    assert months.loc["2018-09", "note"].startswith("PARTIAL")   # data ends 2018-09-23
    assert not isinstance(months.loc["2018-06", "note"], str)
    last_day = max(PIP_DAILY)
    thirty = frame[(frame.metric == "downloads_30d") & (frame.subject == "pip")].value.iloc[0]
    window = sorted(PIP_DAILY)[-30:]
    assert window[-1] == last_day and thirty == sum(PIP_DAILY[d] for d in window)
    summed = frame[(frame.metric == "downloads_month_sum") & (frame.contender == "alpha")].set_index("period_label")
    assert summed.loc["2018-06", "value"] == 3 * by_month["2018-06"]  # pip (x1) + pip-tools (x2)
    assert "pip, pip-tools" in summed.loc["2018-06", "note"]
    plain = frame[~frame.metric.str.endswith("_with_mirrors")]
    mirrored = frame[frame.metric.str.endswith("_with_mirrors")]
    assert set(plain.segment) == {"without mirrors"} and set(mirrored.segment) == {"with mirrors"}
    mirrored_30d = mirrored[(mirrored.metric == "downloads_30d_with_mirrors") & (mirrored.subject == "pip")]
    assert mirrored_30d.value.iloc[0] == 2 * thirty
    assert {"downloads_month_sum_with_mirrors", "downloads_30d_sum"} <= set(frame.metric)


def test_stackexchange_totals_and_months(contenders):
    frame, _, _ = collect_one("stackexchange", contenders)
    totals = frame[frame.metric == "questions_total"].set_index("subject").value
    assert totals.to_dict() == {k: float(v) for k, v in TAG_COUNTS.items()}
    months = frame[(frame.metric == "questions_month") & (frame.subject == "alpha-tag")].set_index("period_label")
    assert list(months.index) == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert months.loc["2026-09", "value"] == 91 and months.loc["2026-10", "value"] == 101
    assert frame[frame.metric == "questions_month"].reference.str.contains("filter=total").all()


def test_huggingface_counts_and_overlap(contenders):
    frame, _, _ = collect_one("huggingface", contenders)
    values = dict(zip(frame.subject, frame.value))
    assert values == {"alphalib": 1200, "betalib": 800, "alphalib+betalib": 150}
    overlap = frame[frame.metric == "models_overlap"]
    assert len(overlap) == 1 and overlap.contender.isna().all()


def test_wikipedia_monthly_views(contenders):
    frame, _, _ = collect_one("wikipedia", contenders)
    alpha = frame[frame.contender == "alpha"].set_index("period_label")
    assert alpha.value.to_dict() == {f"2026-{m:02d}": 1000.0 * m for m in range(8, 12)}
    assert (frame.reference.str.contains("/Alpha_%28software%29/monthly/")).any()


def test_arxiv_counts_from_golden_feed(contenders):
    frame, _, clock = collect_one("arxiv", contenders)
    assert len(frame) == 2 * 4
    assert (frame.value == 214881).all()  # opensearch:totalResults of the recorded feed
    assert frame["query"].str.contains('ti:"alpha" OR abs:"alpha"').any()
    assert frame["query"].str.contains(r"submittedDate:\[202608010000 TO 202608312359\]").any()
    # arXiv's one-request-every-three-seconds rule was kept (on the fake clock)
    assert sum(clock.sleeps) == pytest.approx(3.0 * (len(frame) - 1))


def test_arxiv_error_feed_is_schema_drift(contenders):
    body = json.loads((FIXTURES / "arxiv" / "id_abc_s0_m100_b79c8dcf6bc3.json").read_text())["body"]
    feed_without_total = body.replace("<opensearch:totalResults>1</opensearch:totalResults>", "")
    with pytest.raises(SourceError, match=r"^arxiv: the response .* has no <opensearch:totalResults>"):
        collect_one("arxiv", contenders[:1], lambda r: httpx.Response(200, text=feed_without_total))


# -- faults, for every source ------------------------------------------------------------------------------------
HOSTS = {"github": "api.github.com", "pypistats": "pypistats.org", "stackexchange": "api.stackexchange.com",
         "huggingface": "huggingface.co", "wikipedia": "wikimedia.org", "arxiv": "export.arxiv.org"}
MISSING = {"github": "stargazers_count", "pypistats": "downloads", "stackexchange": "total",
           "huggingface": "numTotalItems", "wikipedia": "views", "arxiv": "totalResults"}
TOKENS = {"github": "GITHUB_TOKEN", "stackexchange": "STACKEXCHANGE_KEY", "huggingface": "HF_TOKEN"}


def faulty(name: str, fault, at: int = 2):
    """`normal`, except that the `at`-th request to the source's host gets `fault(request, normal_response)`."""
    seen = Counter()

    def handler(request):
        if request.url.host == HOSTS[name]:
            seen["n"] += 1
            if seen["n"] == at or (at == 0):
                return fault(request, normal(request))
        return normal(request)

    return handler


def drop_field(name):
    key = MISSING[name]

    def fault(request, response):
        text = response.content.decode("latin-1")
        if name == "arxiv":
            return httpx.Response(200, text=text.replace("opensearch:totalResults", "opensearch:other"))
        data = json.loads(text)

        def strip(node):
            if isinstance(node, dict):
                return {k: strip(v) for k, v in node.items() if k != key}
            if isinstance(node, list):
                return [strip(v) for v in node]
            return node

        return httpx.Response(200, json=strip(data))

    return fault


@pytest.mark.parametrize("name", MINE)
def test_429_with_retry_after_then_success(name, contenders):
    once = faulty(name, lambda r, ok: httpx.Response(429, headers={"Retry-After": "5"}))
    frame, _, clock = collect_one(name, contenders, once)
    reference, *_ = collect_one(name, contenders)
    assert len(frame) == len(reference) and frame.value.equals(reference.value)
    assert any(abs(s - 5) < 1e-6 for s in clock.sleeps)


@pytest.mark.parametrize("name", MINE)
def test_server_error_then_success(name, contenders):
    frame, *_ = collect_one(name, contenders, faulty(name, lambda r, ok: httpx.Response(503)))
    reference, *_ = collect_one(name, contenders)
    assert frame.value.equals(reference.value)


@pytest.mark.parametrize("name", MINE)
def test_timeout_is_a_clear_error(name, contenders):
    def fault(request, ok):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(SourceError, match=rf"^{name}: GET https://{HOSTS[name]}/\S* timed out after 3 attempts"):
        collect_one(name, contenders, faulty(name, fault, at=0))


@pytest.mark.parametrize("name", MINE)
def test_malformed_body_is_a_clear_error(name, contenders):
    with pytest.raises(SourceError, match=rf"^{name}: ") as caught:
        collect_one(name, contenders, faulty(name, lambda r, ok: httpx.Response(200, text='{"items": [trunc')))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", MINE)
def test_missing_field_is_schema_drift(name, contenders):
    with pytest.raises(SourceError, match=rf"^{name}: the response from GET .* has no .*{MISSING[name]}"):
        collect_one(name, contenders, faulty(name, drop_field(name), at=0))


@pytest.mark.parametrize("name", MINE)
def test_wrong_token_or_refusal_names_what_to_do(name, contenders):
    secret = "wrong-secret-123"
    env = {TOKENS[name]: secret} if name in TOKENS else {}
    refuse = faulty(name, lambda r, ok: httpx.Response(401, json={"message": "Bad credentials"}), at=0)
    with pytest.raises(SourceError) as caught:
        collect_one(name, contenders, refuse, env=env)
    message = str(caught.value)
    assert message.startswith(f"{name}: GET https://{HOSTS[name]}") and "HTTP 401" in message
    assert secret not in message
    if name in TOKENS:
        assert f"{TOKENS[name]} was rejected" in message


# -- the command ---------------------------------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `mindshare collect` against replayed responses; yields (invoke, db path, handler holder).

    The clock stays on one day, at noon (ticking): a collection depends on its day, and a test whose two
    collections fell either side of midnight saw the second add snapshots."""
    field_path = tmp_path / "test-field.toml"
    field_path.write_text(FIELD_TOML)
    db = tmp_path / "store.duckdb"
    state = {"handler": normal, "requests": 0, "urls": []}

    def counting(request):
        state["requests"] += 1
        state["urls"].append(str(request.url))
        return state["handler"](request)

    def make(cache: bool = True, verbose: bool = False, settings=None) -> Http:
        clock = FakeClock()
        return Http(transport=httpx.MockTransport(counting), cache=cache, cache_dir=tmp_path / "http-cache",
                    env={"GITHUB_TOKEN": "t", **state.get("env", {})}, clock=clock, sleep=clock.sleep,
                    on_request=collect_command.print_request if verbose else None)

    monkeypatch.setattr(collect_command, "make_http", make)

    def invoke(*args):
        names = [a for a in args if not a.startswith("-")] or list(MINE)
        options = [a for a in args if a.startswith("-")]
        return run_cli("--db", str(db), "collect", *names, "--field", str(field_path), "--since", "2026-09-01",
                       *options)

    noon = datetime.combine(date.today(), time(12), tzinfo=UTC)
    with time_machine.travel(noon, tick=True):
        yield invoke, db, state


class CliResult:
    def __init__(self, exit_code: int, output: str):
        self.exit_code, self.output = exit_code, output


def run_cli(*args) -> CliResult:
    """Like the `mindshare` entry point: a MindshareError becomes `error: ...` and its exit code."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, MindshareError):
        return CliResult(result.exception.exit_code, result.output + f"error: {result.exception}\n")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.output)


def collect_snapshots(db: Path):
    with _open(db) as store:
        return store.snapshots().query("kind == 'collect'")


class _open:
    def __init__(self, db):
        self.store = open_store(db)

    def __enter__(self):
        return self.store

    def __exit__(self, *a):
        self.store.close()


def test_collect_stores_one_snapshot_per_source_and_rerun_adds_nothing(cli):
    invoke, db, state = cli
    result = invoke()
    assert result.exit_code == 0, result.output
    first = collect_snapshots(db)
    assert sorted(first.source) == sorted(MINE)
    with _open(db) as store:
        collected = store.observations(source="api.github.com")
    assert {"github_stars", "forks", "contributors", "releases"} <= set(collected.metric)
    requests_first = state["requests"]

    again = invoke()  # within the cache's lifetime: replayed, identical, nothing added
    assert again.exit_code == 0 and "unchanged" in again.output
    assert len(collect_snapshots(db)) == len(first)
    assert state["requests"] == requests_first  # nothing asked of the providers again

    fresh = invoke("--no-cache")  # asked again, same numbers, later fetch time: still nothing added
    assert fresh.exit_code == 0 and state["requests"] > requests_first
    assert len(collect_snapshots(db)) == len(first)


def test_one_failing_source_keeps_the_others_and_a_rerun_resumes(cli):
    invoke, db, state = cli
    state["handler"] = faulty("arxiv", lambda r, ok: httpx.Response(500), at=0)
    result = invoke()
    assert result.exit_code == 7
    assert "arxiv: GET https://export.arxiv.org" in result.output
    stored = collect_snapshots(db)
    assert "arxiv" not in set(stored.source) and len(stored) == len(MINE) - 1  # no partial arXiv snapshot

    state["handler"] = normal
    resumed = invoke()
    assert resumed.exit_code == 0, resumed.output
    after = collect_snapshots(db)
    assert len(after) == len(MINE)  # only arXiv added; the others unchanged, not duplicated
    assert set(after.snapshot_id) > set(stored.snapshot_id)


def test_changed_numbers_make_a_new_snapshot(cli):
    invoke, db, state = cli
    assert invoke("huggingface").exit_code == 0
    HF_COUNTS["alphalib"] += 1
    try:
        assert invoke("huggingface", "--no-cache").exit_code == 0
    finally:
        HF_COUNTS["alphalib"] -= 1
    assert len(collect_snapshots(db)) == 2


def test_no_network_fails_fast_and_leaves_no_store(cli):
    invoke, db, state = cli

    def offline(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    state["handler"] = offline
    result = invoke()
    assert result.exit_code == 7
    for name in MINE:
        assert f"failed: {name}: cannot connect to {HOSTS[name]}" in result.output
    assert len(state["urls"]) == len(set(state["urls"]))  # nothing retried
    assert state["requests"] <= 2 * len(MINE)  # and nothing much started after the first failure
    assert not db.exists()


@pytest.mark.parametrize("today, months", [("2026-11-26", 3), ("2026-12-31", 4), ("2027-12-01", 16)])
def test_dry_run_prints_requests_and_touches_nothing(cli, today, months):
    """--since 2026-09-01: one arXiv request per contender and month, through the month the clock is in."""
    invoke, db, state = cli
    with time_machine.travel(datetime.fromisoformat(f"{today}T12:00:00+00:00"), tick=False):
        result = invoke("--dry-run", "wikipedia", "arxiv")
    assert result.exit_code == 0
    assert "GET https://wikimedia.org/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/Beta/monthly/" in result.output
    assert result.output.count("GET https://export.arxiv.org/api/query") == 2 * months
    assert f"(window 2026-09-01..{today})" in result.output
    assert state["requests"] == 0 and not db.exists()


def test_unknown_source_is_a_clear_error(cli):
    invoke, db, _ = cli
    result = run_cli("--db", str(db), "collect", "gitlab")
    # exit code 2, as every unknown name (issue 24: an unknown -c gave 2, an unknown source 6)
    assert result.exit_code == 2 and "error: unknown source 'gitlab'; known sources: github," in result.output


@pytest.mark.parametrize("name", MINE)
def test_a_source_failing_midway_leaves_no_partial_snapshot(name, cli):
    invoke, db, state = cli
    state["handler"] = faulty(name, lambda r, ok: httpx.Response(200, text="{not json"), at=2)
    result = invoke()
    assert result.exit_code == 7 and f"failed: {name}: " in result.output
    stored = collect_snapshots(db)
    assert name not in set(stored.source) and set(stored.source) == set(MINE) - {name}
    with _open(db) as store:
        assert store.observations(source=SOURCES[name].source).empty


def test_a_subset_collected_again_adds_nothing(cli):
    invoke, db, state = cli
    assert invoke("wikipedia", "stackexchange").exit_code == 0
    before = len(collect_snapshots(db))
    again = run_cli("--db", str(db), "collect", "wikipedia", "stackexchange", "-c", "beta", "--no-cache",
                    "--field", str(db.parent / "test-field.toml"), "--since", "2026-09-01")
    assert again.exit_code == 0 and again.output.count("unchanged") >= 2
    assert len(collect_snapshots(db)) == before


@pytest.mark.parametrize("counted_on, partial", [(date(2026, 12, 30), True), (date(2026, 12, 31), True),
                                                 (date(2027, 1, 1), False)])
def test_a_month_counted_on_its_last_day_is_partial(counted_on, partial):
    from mindshare.observations import partial_note

    note = partial_note(date(2026, 12, 1), date(2026, 12, 31), counted_on=counted_on)
    assert (note is not None and note.startswith("PARTIAL")) is partial
    # a provider's daily data that ends at its last whole day: complete once that day is the period's last
    assert partial_note(date(2026, 12, 1), date(2026, 12, 31), date(2026, 12, 31)) is None
    assert partial_note(date(2026, 12, 1), date(2026, 12, 31), date(2026, 12, 30)).startswith("PARTIAL")


# -- issue 13: what the real services answer in 2026 -------------------------------------------------------------
SE_TAG = json.loads((FIXTURES / "stackexchange" / "tags_inname_openshift_v2.2.json").read_text())["items"][0]
SE_STRIPE = json.loads((FIXTURES / "stackexchange" / "tags_info_stripe-payments_curl.json").read_text())
ABOUT_BLANK = json.loads((FIXTURES / "wikimedia" / "aqs2_404_about_blank.json").read_text())
RESTBASE_404 = json.loads((FIXTURES / "wikimedia" / "restbase_404_hyperswitch_imitation.json").read_text())
NICKMAD = json.loads((FIXTURES / "wikimedia" / "nickmad_per_article_monthly_user.json").read_text())


def many_tags(tmp_path, n: int) -> list[Contender]:
    text = "".join(f'[[contender]]\nid = "c{i}"\nname = "C{i}"\nstackoverflow_tag = "tag-{i}"\n' for i in range(n))
    return list(parse_field('name = "many"\n' + text, tmp_path / "many.toml").contenders)


def tag_server(honour_pagesize: bool = True):
    """/tags/{tags}/info as documented: a page of `pagesize` items (default 30) and `has_more`; items in the
    real Tag shape (tests/fixtures/stackexchange), one per tag asked."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "/tags/" not in request.url.path:
            return httpx.Response(200, json={"total": 1})
        tags = request.url.path.split("/tags/")[1].split("/")[0].split(";")
        size = int(request.url.params.get("pagesize", 30)) if honour_pagesize else 30
        items = [{**SE_TAG, "name": t, "count": 1000 + i} for i, t in enumerate(tags)]
        return httpx.Response(200, json={"items": items[:size], "has_more": len(items) > size,
                                         "quota_max": 300, "quota_remaining": 290})

    return handler, seen


def test_stackexchange_sends_pagesize_so_tags_31_and_up_are_counted(tmp_path):
    """On main the request had no pagesize: the API's default page of 30 left tags 31-35 'not found'."""
    handler, seen = tag_server()
    frame, run, _ = collect_one("stackexchange", many_tags(tmp_path, 35), handler)
    totals = frame[frame.metric == "questions_total"].set_index("subject")["value"]
    assert len(totals) == 35 and totals.notna().all() and totals["tag-34"] == 1034
    assert seen[0].url.params["pagesize"] == "100"
    assert not any("not found" in n or "unknown" in n for n in run.notes)


def test_a_tag_missing_from_a_full_page_is_unknown_not_absent(tmp_path):
    handler, _ = tag_server(honour_pagesize=False)        # a server that still pages by 30
    frame, run, _ = collect_one("stackexchange", many_tags(tmp_path, 35), handler)
    totals = frame[frame.metric == "questions_total"].set_index("subject")
    assert totals.loc["tag-29", "value"] == 1029
    missing = totals.loc[[f"tag-{i}" for i in range(30, 35)]]
    assert missing["value"].isna().all() and missing["value_text"].str.startswith("unknown:").all()
    assert not any("not found" in n for n in run.notes) and sum("unknown" in n for n in run.notes) == 5


def test_stackexchange_real_tag_info_answer(tmp_path):
    field = parse_field('name = "s"\n[[contender]]\nid = "stripe"\nname = "Stripe"\n'
                        'stackoverflow_tag = "stripe-payments"\n', tmp_path / "s.toml")
    total = json.loads((FIXTURES / "stackexchange" / "questions_filter_total_stripe-payments_curl.json").read_text())

    def handler(request):
        return httpx.Response(200, json=SE_STRIPE if "/tags/" in request.url.path else total)

    frame, _, _ = collect_one("stackexchange", list(field.contenders), handler)
    assert frame[frame.metric == "questions_total"]["value"].tolist() == [12549.0]
    assert set(frame[frame.metric == "questions_month"]["value"]) == {13163.0}


def wikimedia(answers: dict[str, tuple[int, dict]]):
    def handler(request):
        if request.url.host != "wikimedia.org":
            return normal(request)
        article = request.url.path.split("/user/")[1].split("/")[0]
        status, body = answers.get(article, (200, {"items": wikimedia_items(article)}))
        return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"}
                              if status == 404 else {})

    return handler


@pytest.mark.parametrize("body", [ABOUT_BLANK, RESTBASE_404], ids=["aqs2-about-blank", "restbase-not-found"])
def test_wikipedia_404_no_data_is_a_note_for_that_article_not_a_failed_source(contenders, body):
    """On main only the old `.../not_found` type was 'no data': today's about:blank failed the whole source."""
    frame, run, _ = collect_one("wikipedia", contenders, wikimedia({"Beta": (404, body)}))
    assert set(frame["contender"]) == {"alpha"} and len(frame) == 4
    note = next(n for n in run.notes if n.startswith("beta:"))
    assert "no pageviews for article 'Beta'" in note and "check the title" in note


def test_wikipedia_404_without_the_no_data_answer_is_still_an_error(contenders):
    with pytest.raises(SourceError, match="wikipedia: the response from GET .* has no pageviews"):
        collect_one("wikipedia", contenders, wikimedia({"Beta": (404, {"message": "something else"})}))


def test_wikipedia_months_the_api_omits_are_missing_not_zero(tmp_path):
    """The recorded pl.wikipedia answer (nick-mad/wikipedia-pageviews-skill) omits the months without views."""
    recorded = NICKMAD[1]["body"]
    field = parse_field('name = "w"\n[[contender]]\nid = "g"\nname = "G"\nwikipedia = "Glodowka"\n',
                        tmp_path / "w.toml")
    http, _ = make_http(lambda r: httpx.Response(200, json=recorded))
    with http:
        run = Run(http, list(field.contenders), date(2024, 9, 1), date(2026, 9, 15))
        frame = SOURCES["wikipedia"].collect(run)
    numbers = frame[frame.value.notna()].set_index("period_label")["value"]
    listed = {item["timestamp"][:4] + "-" + item["timestamp"][4:6]: item["views"] for item in recorded["items"]}
    assert numbers.to_dict() == {k: float(v) for k, v in listed.items()}       # real zeros stay zeros
    assert numbers["2024-09"] == 0.0
    gaps = frame[frame.value.isna()]
    assert list(gaps.period_label) == ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-11",
                                       "2026-02", "2026-04", "2026-07", "2026-08"]
    assert gaps["value_text"].str.contains("missing, not zero").all()
    assert any("2024-10..2025-03, 2025-11, 2026-02, 2026-04, 2026-07..2026-08" in n for n in run.notes)


def test_huggingface_sends_withcount_and_reads_a_missing_count_honestly(contenders):
    seen = []

    def without_count(models: int, per_page: int = 30):
        def handler(request):
            seen.append(request)
            return httpx.Response(200, json={"models": [{"id": f"m{i}"} for i in range(models)],
                                             "numItemsPerPage": per_page, "pageIndex": 0})
        return handler

    frame, _, _ = collect_one("huggingface", contenders)
    frame, _, _ = collect_one("huggingface", contenders, without_count(7))
    assert all(r.url.params["withCount"] == "true" for r in seen)
    assert set(frame["value"]) == {7.0} and frame["note"].str.contains("no numTotalItems").all()
    for models in (30, 0):   # a full page, or an empty one: the count cannot be known, and 0 is not it
        with pytest.raises(SourceError, match="numTotalItems"):
            collect_one("huggingface", contenders, without_count(models))


def test_github_last_page_is_read_from_real_link_headers():
    from mindshare.sources.github import last_page

    headers = (FIXTURES / "github" / "link_headers_real.txt").read_text().splitlines()
    assert [last_page(httpx.Response(200, headers={"link": h})) for h in headers] == [400, 359, 400]
    assert last_page(httpx.Response(200)) is None


def test_github_contributors_too_large_is_a_note(contenders):
    too_large = json.loads((FIXTURES / "github" / "contributors_too_large_403.json").read_text())

    def handler(request):
        if request.url.path.endswith("/contributors"):
            return httpx.Response(403, json=too_large)
        return normal(request)

    frame, _, _ = collect_one("github", contenders, handler)
    notes = frame[frame.metric == "contributors"]
    assert notes["value"].isna().all() and notes["value_text"].str.contains("too large").all()


def test_zero_rows_where_the_last_snapshot_had_many_is_an_error_unless_allowed(cli):
    invoke, db, state = cli
    assert invoke("wikipedia").exit_code == 0
    before = collect_snapshots(db)
    state["handler"] = wikimedia({"Alpha_(software)": (404, ABOUT_BLANK), "Beta": (404, ABOUT_BLANK)})
    result = invoke("wikipedia", "--no-cache")
    assert result.exit_code == 7
    assert "wikipedia: returned 0 rows where the previous snapshot" in result.output and "--allow-empty" in result.output
    assert len(collect_snapshots(db)) == len(before)
    allowed = invoke("wikipedia", "--no-cache", "--allow-empty")
    assert allowed.exit_code == 0 and "skipped" in allowed.output
    assert len(collect_snapshots(db)) == len(before)


def test_verbose_prints_each_url_and_status_with_keys_masked(cli):
    invoke, db, state = cli
    state["env"] = {"STACKEXCHANGE_KEY": "SEKEY-0123456789"}
    result = invoke("stackexchange", "huggingface", "--verbose")
    assert result.exit_code == 0, result.output
    assert "GET https://api.stackexchange.com/2.3/tags/alpha-tag;beta-tag/info?site=stackoverflow&pagesize=100" \
           "&key=***" in result.output
    assert "GET https://huggingface.co/models-json?library=alphalib&withCount=true -> 200" in result.output
    assert "SEKEY-0123456789" not in result.output


def test_quiet_prints_nothing_and_format_json_gives_the_summary(cli):
    invoke, db, state = cli
    quiet = invoke("huggingface", "--quiet")
    assert quiet.exit_code == 0 and quiet.output.strip() == ""
    shown = invoke("huggingface", "--format=json")
    assert "[" in shown.output, shown.output
    summary = json.loads(shown.output[shown.output.index("["):])
    assert summary[0]["source"] == "huggingface" and summary[0]["status"] == "unchanged"


def hn_routes(request: httpx.Request) -> httpx.Response:
    import gzip

    thread = json.loads(gzip.decompress((FIXTURES / "hn_algolia" / "items_2396027_whoishiring_april2011.json.gz")
                                        .read_bytes()))
    if request.url.path == "/api/v1/search_by_date":
        hit = {"title": thread["title"], "objectID": str(thread["id"]), "created_at": thread["created_at"]}
        return httpx.Response(200, json={"hits": [hit], "nbPages": 1, "page": 0})
    if request.url.path == f"/api/v1/items/{thread['id']}":
        return httpx.Response(200, json=thread)
    return normal(request)


def test_jobs_collect_goes_through_the_one_path_and_collect_sees_its_snapshot(cli):
    invoke, db, state = cli
    state["handler"] = hn_routes
    field = str(db.parent / "test-field.toml")
    jobs = run_cli("--db", str(db), "jobs", "collect", "-s", "hn", "--since", "2011-04", "--field", field,
                   "--verbose")
    assert jobs.exit_code == 0, jobs.output
    assert "GET https://hn.algolia.com/api/v1/items/2396027 -> 200" in jobs.output
    assert list(collect_snapshots(db)["source"]) == ["hn_hiring"]
    again = run_cli("--db", str(db), "collect", "hn_hiring", "--since", "2011-04-01", "--field", field, "--no-cache")
    assert again.exit_code == 0 and "unchanged" in again.output
    assert len(collect_snapshots(db)) == 1


def test_jobs_collect_adzuna_without_keys_says_what_to_set_and_exits_non_zero(cli):
    invoke, db, state = cli
    field = str(db.parent / "test-field.toml")
    result = run_cli("--db", str(db), "jobs", "collect", "-s", "adzuna", "--field", field)
    assert result.exit_code == 7
    assert "adzuna did not run: ADZUNA_APP_ID and ADZUNA_APP_KEY are not set" in result.output
    assert state["requests"] == 0 and not db.exists()
