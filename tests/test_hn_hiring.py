"""Hacker News 'Who is hiring?' counts, replayed from recorded HN Algolia responses (tests/fixtures/hn_algolia)."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from pathlib import Path

import httpx
import pytest

from mindshare.errors import SourceError
from mindshare.fields import load_field
from mindshare.http import Http
from mindshare.sources import Run, hn_hiring
from mindshare.sources.hn_hiring import HnHiringSource

FIXTURES = Path(__file__).parent / "fixtures" / "hn_algolia"
# hiringtrends' 2024 dictionary entries for the terms in the bundled series ("term/alias[a|b]")
HIRINGTRENDS_TERMS = {"tensorflow": ["TensorFlow"], "pytorch": ["PyTorch"], "keras": ["Keras"],
                      "deep learning": ["Deep Learning"], "machine learning": ["Machine Learning", "ML"],
                      "transformers": ["Transformers"]}


@pytest.fixture(scope="module")
def april_2011():
    return json.loads(gzip.decompress((FIXTURES / "items_2396027_whoishiring_april2011.json.gz").read_bytes()))


@pytest.fixture(scope="module")
def published_row():
    with (FIXTURES / "hn_hiring_monthly_2011-04.csv").open(encoding="utf-8") as handle:
        return {(r["framework"], r["unit"]): float(r["value"]) for r in csv.DictReader(handle)}


def test_april_2011_reproduces_the_published_series(april_2011, published_row):
    frame = hn_hiring.thread_observations(april_2011, load_field())
    posts = frame[frame.metric == "job_posts"].iloc[0]
    assert posts["value"] == published_row[("_all_posts", "job_posts")] == 219
    assert posts["period_start"] == date(2011, 4, 1) and posts["period_end"] == date(2011, 4, 30)
    for contender in ("tensorflow", "pytorch", "keras"):
        for metric in ("posts_mentioning", "pct_of_posts"):
            ours = frame[(frame.contender == contender) & (frame.metric == metric)]["value"].iloc[0]
            assert ours == published_row[(contender, metric)]


def test_april_2011_term_counts_match_hiringtrends(april_2011, published_row):
    posts = hn_hiring.job_posts(april_2011)
    counts = hn_hiring.count_terms(posts, HIRINGTRENDS_TERMS)
    for term, count in counts.items():
        assert count == published_row[(term, "posts_mentioning")], term
        assert round(100 * count / len(posts), 2) == published_row[(term, "pct_of_posts")], term
    assert counts["machine learning"] > 0  # the one non-zero term that month: 7 posts, 3.2 %


def test_monthly_threads_are_found_in_the_recorded_search_page():
    page = json.loads((FIXTURES / "search_by_date_whoishiring_page0.json").read_text(encoding="utf-8"))
    threads = hn_hiring.threads_from_search([page])
    assert [t.month for t in threads] == sorted(t.month for t in threads)
    assert threads[-1].month == date(2023, 9, 1) and threads[-1].id == 37351667
    hiring_hits = [h for h in page["hits"] if "who is hiring?" in h["title"].lower()]
    assert len(threads) == len({hn_hiring.thread_month(h["title"]) for h in hiring_hits})
    assert hn_hiring.thread_month("Ask HN: Who wants to be hired? (September 2023)") is None
    assert hn_hiring.thread_month("Ask HN: Who is Hiring? (April 2011)") == date(2011, 4, 1)


# Posts written here to exercise the ambiguity rules (not recorded data).
@pytest.mark.parametrize("text, expected", [
    ("Backend engineer: Java 17, JAX-RS, Spring. Onsite.", set()),
    ("Office in Jacksonville (JAX), hiring React developers", set()),
    ("ML research engineer: JAX and Flax on TPUs", {"jax"}),
    ("We use jax.numpy for machine learning", set()),            # dotted compound: not the standalone word
    ("Research engineer, machine learning: we train in JAX.", {"jax"}),
    ("Paddle (payments) is hiring Go engineers", set()),
    ("Computer vision with Paddle and PyTorch", {"paddlepaddle", "pytorch"}),
    ("Gluon Mobile / JavaFX developer", set()),
    ("PyTorch or TensorFlow experience; Keras a plus", {"pytorch", "tensorflow", "keras"}),
    ("pytorch-lightning and tensorflow.js", {"pytorch", "tensorflow"}),  # unambiguous names count in compounds
    ("Experience with Torch/PyTorch", {"pytorch"}),
    ("Great Caffeine supply; we love Kerastase", set()),          # substrings are not words
])
def test_ambiguous_names_need_context(text, expected):
    counts = hn_hiring.count_mentions([text], load_field())
    assert {k for k, v in counts.items() if v} == expected


def mock_http(routes):
    def handler(request: httpx.Request) -> httpx.Response:
        for (path, page), body in routes.items():
            if request.url.path == path and (page is None or request.url.params.get("page") == page):
                return httpx.Response(200, json=body)
        return httpx.Response(404, json={"error": "not found"})

    return Http(transport=httpx.MockTransport(handler), cache=False, env={})


def collect(routes, since: date, today: date):
    with mock_http(routes) as http:
        return HnHiringSource().collect(Run(http, list(load_field().contenders), since, today)), http


def test_collect_end_to_end(april_2011):
    # a search page made from the recorded item's own fields, then the recorded item
    hit = {"title": april_2011["title"], "objectID": str(april_2011["id"]), "created_at": april_2011["created_at"],
           "author": "whoishiring"}
    routes = {("/api/v1/search_by_date", "0"): {"hits": [hit], "nbPages": 1, "page": 0},
              (f"/api/v1/items/{april_2011['id']}", None): april_2011}
    frame, http = collect(routes, date(2011, 1, 1), date(2026, 11, 1))
    assert frame[frame.metric == "job_posts"]["value"].tolist() == [219.0]
    assert frame["reference"].str.contains("2396027").all()
    assert frame["note"].fillna("").str.startswith("PARTIAL").sum() == 0
    # when the thread was fetched comes from the HTTP layer: one time for the thread's rows, never None
    # (on main the live source passed collected_at=None and the row builder put the clock in its place)
    assert frame["collected_at"].notna().all() and frame["collected_at"].nunique() == 1
    assert frame["published"].notna().all()
    assert http.requests[-1].url.endswith("/items/2396027")
    current, _ = collect(routes, date(2011, 1, 1), date(2011, 4, 15))
    assert current["note"].fillna("").str.contains("PARTIAL").all()


def test_no_threads_is_an_error():
    routes = {("/api/v1/search_by_date", "0"): json.loads(
        (FIXTURES / "search_by_date_whoishiring_page8_last.json").read_text(encoding="utf-8"))}
    with pytest.raises(SourceError, match="no 'Ask HN: Who is hiring\\?' threads"):
        collect(routes, date(2011, 4, 1), date(2026, 11, 1))
