"""OpenAlex full-text counts per year, replayed (tests/fixtures/openalex/SOURCES.txt says where each is from).

- group_by_publication_year.json / group_by_zero.json: real recorded group_by=publication_year answers;
- per-query answers are the recorded answer with its counts divided by a per-query factor (`scaled`: DERIVED);
- the 429 and 400 bodies are OpenAlex's documented error format; the truncated body is the recorded one cut.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from conftest import FakeClock

from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.research import ResearchSources
from mindshare.sources import SOURCES, Run

FIXTURES = Path(__file__).parent / "fixtures" / "openalex"
RECORDED = json.loads((FIXTURES / "group_by_publication_year.json").read_text())
BY_YEAR = {int(g["key"]): g["count"] for g in RECORDED["group_by"]}
SINCE, TODAY = date(2019, 1, 1), date(2025, 12, 31)


pytestmark = pytest.mark.usefixtures("no_stamina_waits")


@pytest.fixture
def two():
    field = load_field("deep-learning")
    return [field.contender("pytorch"), field.contender("tensorflow")]


def params_of(request: httpx.Request) -> dict:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}


def scaled(divisor: int) -> httpx.Response:
    """The recorded answer with every year's count divided by `divisor` (DERIVED; see SOURCES.txt)."""
    groups = [{**g, "count": g["count"] // divisor} for g in RECORDED["group_by"]]
    return httpx.Response(200, json={**RECORDED, "group_by": groups})


def by_query(request: httpx.Request) -> httpx.Response:
    search = params_of(request).get("search")
    if search is None:
        return httpx.Response(200, json=RECORDED)            # coverage: works with full text per year
    if '"pytorch"' in search and '"tensorflow"' in search and " NOT " not in search:
        return scaled(2)                                     # any contender
    if search.startswith('("pytorch"'):
        return scaled(5 if " NOT " in search else 4)
    return scaled(20 if " NOT " in search else 10)


def collect(contenders, handler) -> "pd.DataFrame":  # noqa: F821
    clock = FakeClock()
    with Http(transport=httpx.MockTransport(handler), cache=False, env={}, clock=clock, sleep=clock.sleep) as http:
        return SOURCES["openalex"].collect(Run(http, contenders, SINCE, TODAY))


def test_coverage_per_year_is_stored_beside_each_count(two):
    frame = collect(two, by_query)
    population = frame[frame.metric == "population_papers"].set_index("period_label").value
    assert population.to_dict() == {str(y): BY_YEAR[y] for y in range(2019, 2026)}
    pytorch = frame[(frame.contender == "pytorch") & (frame.metric == "papers_mentioning")]
    assert pytorch.set_index("period_label").value["2020"] == BY_YEAR[2020] // 4
    share = frame[(frame.contender == "pytorch") & (frame.metric == "pct_papers_mentioning")
                  & (frame.period_label == "2020")].iloc[0]
    assert share.value == pytest.approx(100 * (BY_YEAR[2020] // 4) / BY_YEAR[2020])
    assert f"of {BY_YEAR[2020]:,} papers in the population (has_fulltext:true" in share.note
    assert (frame.source == ResearchSources.OPENALEX).all() and frame.collected_at.notna().all()
    assert frame.reference.str.startswith("https://api.openalex.org/works?").all()


def test_one_request_per_count_for_all_years(two):
    asked = []

    def handler(request):
        asked.append(params_of(request))
        return by_query(request)

    collect(two, handler)
    # coverage, mentioning and only for two contenders, any: 6 requests for 7 years
    assert len(asked) == 6
    assert all(p["group_by"] == "publication_year" for p in asked)
    assert all(p["filter"] == "has_fulltext:true,publication_year:2019-2025" for p in asked)
    only = [p["search"] for p in asked if p.get("search", "").startswith('("pytorch"') and " NOT " in p["search"]]
    assert only == ['("pytorch" OR "py-torch") NOT ("tensorflow" OR "tensor-flow")']


def test_zero_hit_answer_is_zero_for_every_year(two):
    zero = (FIXTURES / "group_by_zero.json").read_text()

    def handler(request):
        return httpx.Response(200, json=RECORDED) if "search" not in params_of(request) else \
            httpx.Response(200, text=zero)

    frame = collect(two, handler)
    counts = frame[frame.metric.isin(["papers_mentioning", "papers_only", "papers_any"])]
    assert len(counts) == 5 * 7 and (counts.value == 0).all()


def test_an_answer_without_group_by_is_a_failed_query_not_zero(two):
    with pytest.raises(SourceError, match=r"^openalex: the response from GET .* has no 'group_by'"):
        collect(two, lambda r: httpx.Response(200, json={"meta": RECORDED["meta"], "results": []}))


def test_a_group_that_is_not_a_year_is_schema_drift(two):
    body = {**RECORDED, "group_by": [{"key": "unknown", "key_display_name": "unknown", "count": 3}]}
    with pytest.raises(SourceError, match=r"'group_by' entries of a year and a count"):
        collect(two, lambda r: httpx.Response(200, json=body))


def test_a_malformed_body_fails_the_source(two):
    truncated = (FIXTURES / "truncated_body.json").read_bytes()
    with pytest.raises(SourceError, match=r"^openalex: the response is not valid JSON"):
        collect(two, lambda r: httpx.Response(200, content=truncated))


def test_rate_limit_that_persists_fails_with_the_providers_words(two):
    body = (FIXTURES / "rate_limited_429.json").read_text()
    with pytest.raises(SourceError) as failed:
        collect(two, lambda r: httpx.Response(429, text=body, headers={"content-type": "application/json"}))
    message = str(failed.value)
    assert message.startswith("openalex: GET https://api.openalex.org/works?") and "HTTP 429" in message
    assert "(Too many requests. Please wait before retrying.)" in message and "daily budget" in message


def test_rate_limited_once_then_answers(two):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, text=(FIXTURES / "rate_limited_429.json").read_text())
        return by_query(request)

    frame = collect(two[:1], handler)
    assert len(calls) == 3 and len(frame[frame.metric == "population_papers"]) == 7


def test_a_refused_query_says_what_openalex_said(two):
    body = (FIXTURES / "bad_request_400.json").read_text()
    with pytest.raises(SourceError, match=r"HTTP 400 \(Unknown filter field: author_name"):
        collect(two, lambda r: httpx.Response(400, text=body, headers={"content-type": "application/json"}))


def test_the_api_key_is_sent_to_openalex_and_never_stored(two):
    """OPENALEX_API_KEY (OpenAlex meters its API per key since 2026) goes out as `api_key` on every request and
    appears in no stored column."""
    key = "oa-key-0123456789abcdef"
    sent = []

    def handler(request):
        sent.append(params_of(request).get("api_key"))
        return by_query(request)

    clock = FakeClock()
    with Http(transport=httpx.MockTransport(handler), cache=False, env={"OPENALEX_API_KEY": key}, clock=clock,
              sleep=clock.sleep) as http:
        frame = SOURCES["openalex"].collect(Run(http, two, SINCE, TODAY))
    assert sent and all(value == key for value in sent)
    text = frame.astype(str).to_csv()
    assert key not in text and "api_key" not in text


def test_without_a_key_nothing_is_signed(two):
    sent = []

    def handler(request):
        sent.append(params_of(request))
        return by_query(request)

    collect(two, handler)
    assert sent and not any("api_key" in params for params in sent)
