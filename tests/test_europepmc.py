"""Europe PMC full-text counts, replayed (tests/fixtures/europepmc/SOURCES.txt says where each answer is from).

- search_cancer_idlist.json / search_no_results.json: real recorded answers (pyEuropePMC's fixtures);
- answers with other hitCounts are the recorded answer with only "hitCount" changed per query (`answer`);
- the 503 page and the truncated body are built (documented HTTP semantics / the recorded body cut short).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pandas as pd
import pytest
import time_machine
from conftest import FakeClock

from mindshare.analysis.research_shares import research_shares
from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.observations import is_partial
from mindshare.research import ResearchSources
from mindshare.sources import SOURCES, Run
from mindshare.sources.europepmc import API

FIXTURES = Path(__file__).parent / "fixtures" / "europepmc"
RECORDED = json.loads((FIXTURES / "search_cancer_idlist.json").read_text())
NO_RESULTS = (FIXTURES / "search_no_results.json").read_text()
SINCE, TODAY = date(2024, 1, 1), date(2025, 6, 30)


pytestmark = pytest.mark.usefixtures("no_stamina_waits")


@pytest.fixture
def two():
    field = load_field("deep-learning")
    return [field.contender("pytorch"), field.contender("tensorflow")]


def answer(hits: int) -> httpx.Response:
    """The recorded answer with only its hitCount changed (DERIVED; see SOURCES.txt)."""
    return httpx.Response(200, json={**RECORDED, "hitCount": hits})


def query_of(request: httpx.Request) -> str:
    return parse_qs(request.url.query.decode())["query"][0]


# Counts that depend on the query, so a mix-up of metric, contender or year shows.
def by_query(request: httpx.Request) -> httpx.Response:
    query = query_of(request)
    year = int(query.rsplit("PUB_YEAR:", 1)[1])
    bump = year - 2024
    if query.startswith("OPEN_ACCESS"):
        return answer(1000 + bump)
    pt, tf = 'BODY:"pytorch"' in query, 'BODY:"tensorflow"' in query
    if pt and tf and " NOT " not in query:
        return answer(150 + bump)                           # any contender
    if query.startswith('(BODY:"pytorch"'):
        return answer(90 + bump if " NOT " in query else 120 + bump)
    return answer(30 + bump if " NOT " in query else 60 + bump)


def collect(contenders, handler, clock: FakeClock | None = None) -> pd.DataFrame:
    clock = clock or FakeClock()
    with Http(transport=httpx.MockTransport(handler), cache=False, env={}, clock=clock, sleep=clock.sleep) as http:
        return SOURCES["europepmc"].collect(Run(http, contenders, SINCE, TODAY))


def test_recorded_answer_gives_its_hit_count_with_provenance(two):
    with time_machine.travel(datetime(2025, 6, 30, 12, tzinfo=UTC), tick=False):   # counted mid-2025
        frame = collect(two, lambda r: httpx.Response(200, text=json.dumps(RECORDED)))
    counts = frame[frame.metric != "pct_papers_mentioning"]
    assert (counts.value == RECORDED["hitCount"]).all()
    # per year: population, 2 x (mentioning, only), any
    assert sorted(counts.groupby("period_label").size().to_dict().items()) == [("2024", 6), ("2025", 6)]
    assert (frame.source == ResearchSources.EUROPE_PMC).all() and frame.collected_at.notna().all()
    assert frame.reference.str.startswith(API + "?query=").all()
    assert set(frame[frame.metric == "population_papers"]["query"]) == {
        "OPEN_ACCESS:y AND HAS_FT:y AND PUB_YEAR:2024", "OPEN_ACCESS:y AND HAS_FT:y AND PUB_YEAR:2025"}
    # the year still running when counted is PARTIAL; the finished one is not
    partial = frame[is_partial(frame)].period_label.unique().tolist()
    assert partial == ["2025"]


def test_each_count_is_its_query_and_the_share_uses_the_same_runs_population(two):
    frame = collect(two, by_query)
    y24 = frame[frame.period_label == "2024"]
    got = {(m, c): v for m, c, v in zip(y24.metric, y24.contender.fillna("-"), y24.value)}
    assert got[("population_papers", "-")] == 1000 and got[("papers_any", "-")] == 150
    assert got[("papers_mentioning", "pytorch")] == 120 and got[("papers_only", "pytorch")] == 90
    assert got[("papers_mentioning", "tensorflow")] == 60 and got[("papers_only", "tensorflow")] == 30
    assert got[("pct_papers_mentioning", "pytorch")] == pytest.approx(12.0)
    share = y24[y24.metric == "pct_papers_mentioning"].iloc[0]
    assert "of 1,000 papers in the population" in share.note
    only = y24[(y24.metric == "papers_only") & (y24.contender == "pytorch")].iloc[0]
    assert 'NOT (BODY:"tensorflow" OR BODY:"tensor-flow")' in only["query"]
    # the report's shape: only-PyTorch among papers naming any, no interval (nothing was sampled)
    shares = research_shares(frame.assign(period_start=pd.to_datetime(frame.period_start),
                                          period_end=pd.to_datetime(frame.period_end)))
    row = shares[(shares.period_label == "2024") & (shares.contender == "pytorch")].iloc[0]
    assert row.share_pct == pytest.approx(60.0) and row.papers_any == 150 and row.population == 1000
    assert pd.isna(row.low_pct) and row.interval is None


def test_zero_hits_is_a_count_not_a_failure(two):
    def handler(request):
        if query_of(request).startswith("OPEN_ACCESS"):
            return answer(500)
        return httpx.Response(200, text=NO_RESULTS)   # recorded zero-hit answer

    frame = collect(two, handler)
    counts = frame[frame.metric.isin(["papers_mentioning", "papers_only", "papers_any"])]
    assert len(counts) == 10 and (counts.value == 0).all() and counts.value.notna().all()
    assert (frame[frame.metric == "pct_papers_mentioning"].value == 0).all()


def test_an_answer_without_hit_count_is_a_failed_query(two):
    body = {k: v for k, v in RECORDED.items() if k != "hitCount"}
    with pytest.raises(SourceError, match=r"^europepmc: the response from GET .* has no 'hitCount'"):
        collect(two, lambda r: httpx.Response(200, json=body))


def test_a_malformed_body_fails_the_source(two):
    truncated = (FIXTURES / "truncated_body.json").read_bytes()
    with pytest.raises(SourceError, match=r"^europepmc: the response is not valid JSON"):
        collect(two, lambda r: httpx.Response(200, content=truncated))


def test_rate_limited_answer_is_waited_out_and_retried(two):
    asked = []

    def handler(request):
        asked.append(query_of(request))
        if len(asked) == 1:
            return httpx.Response(429, headers={"retry-after": "7"}, text="Too Many Requests")
        return by_query(request)

    clock = FakeClock()
    frame = collect(two[:1], handler, clock)
    assert asked.count(asked[0]) == 2               # the refused request was asked again
    assert 7 in [round(s) for s in clock.sleeps]    # after the wait the provider asked for
    assert len(frame[frame.metric == "population_papers"]) == 2


def test_server_errors_that_persist_fail_with_one_line_and_no_rows(two):
    page = (FIXTURES / "service_unavailable_503.html").read_text()
    with pytest.raises(SourceError) as failed:
        collect(two, lambda r: httpx.Response(503, text=page))
    message = str(failed.value)
    assert message.startswith("europepmc: GET https://www.ebi.ac.uk/europepmc/webservices/rest/search?")
    assert "HTTP 503" in message and "still failing after 3 attempts" in message and "\n" not in message
