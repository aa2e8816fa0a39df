"""Issue 21: `--as-of 2020-01-26` is what the 2020 article knew, and says what it said, point by point (jobs about
2x for TensorFlow and narrowing; NeurIPS 2019, 166 vs 74; Stack Overflow 2019, 10.3% vs 3.3% and 9.4% vs 2.9%;
search interest: no series bundled), with no figure published after that day; and every row compares the field's
own pair."""

from __future__ import annotations

import pytest

AS_OF = "2020-01-26"


@pytest.fixture(scope="module")
def report_2020(bundled_store_path):
    """The bundled report as of the article's day: results.json as a dict, and its answer section."""
    from datetime import date

    from mindshare.fields import load_field
    from mindshare.report.build import build_report
    from mindshare.report.render import results_document
    from mindshare.session import session as store_session

    with store_session(bundled_store_path) as store:
        report = build_report(store, load_field("deep-learning"), as_of=date.fromisoformat(AS_OF))
    results = results_document(report)
    return results, next(s for s in results["sections"] if s["id"] == "headline")


def _rows(answer):
    return {r["signal"]: r for r in next(t for t in answer["tables"] if t["name"] == "scoreboard")["rows"]}


def _texts(answer, *roles):
    return [f["text"] for f in answer["findings"] if not roles or f["role"] in roles]


def _article(answer) -> str:
    return next(f["text"] for f in answer["findings"] if f["role"] == "article")


# -- the four signals, point by point ---------------------------------------------------------------------------
def test_jobs_are_about_2x_for_tensorflow_and_narrowing(report_2020):
    _, answer = report_2020
    jobs = _rows(answer)["jobs"]
    # the article's own figure (four US job boards), not a second-hand six-month increase labelled as listings
    assert jobs["leader_name"] == "TensorFlow" and jobs["runner_up_name"] == "PyTorch"
    assert jobs["lead"] == "about 2x (as published, without its counts)" and jobs["lead_status"] == "as published"
    assert jobs["trend"] == "narrowing: nearly 3x (2019-03) to about 2x (2020-01)"
    assert "Indeed, Monster, SimplyHired, LinkedIn" in jobs["label"]
    assert any("about 2 times as many job listings as PyTorch" in t and "down from nearly 3 times in 2019-03" in t
               for t in _texts(answer, "sentence"))
    assert ("job listings: TensorFlow about 2x PyTorch on four US job boards (Indeed, Monster, SimplyHired, "
            "LinkedIn) (2020-01-26), down from nearly 3x (2019-03)") in _article(answer)


def test_neurips_2019_is_166_papers_for_pytorch_and_74_for_tensorflow(report_2020):
    _, answer = report_2020
    assert ("research: NeurIPS 2019, 166 papers named only PyTorch and 74 only TensorFlow (Horace He's 2019-11 rules)"
            in _article(answer))
    research = _rows(answer)["research"]
    assert research["leader_name"] == "PyTorch" and research["current"]
    assert any(t.startswith("PyTorch had 2.2 times as many conference papers") for t in _texts(answer, "sentence"))


def test_stack_overflow_2019_is_10_3_vs_3_3_and_9_4_vs_2_9(report_2020):
    _, answer = report_2020
    usage = next(t for t in _texts(answer, "sentence") if "Stack Overflow Developer Survey 2019" in t)
    assert "10.3% use TensorFlow and 3.3% PyTorch" in usage and "(professional developers: 9.4% and 2.9%)" in usage
    assert ("surveys: Stack Overflow 2019, TensorFlow and PyTorch used by 10.3% and 3.3% of all respondents, 9.4% "
            "and 2.9% of professional developers") in _article(answer)


def test_search_interest_says_no_series_is_bundled(report_2020):
    _, answer = report_2020
    assert "search interest: no series in these data" in _article(answer)
    through = next(f["text"] for f in answer["findings"] if f["role"] == "data_through")
    assert "not measured here: dependent repositories and search interest" in through.lower()
    assert not _rows(answer)["search"]["current"]              # Google's page counts are never search interest


# -- like for like: the field's own pair on every row -----------------------------------------------------------
def test_downloads_compare_tensorflow_with_pytorch_not_keras(report_2020):
    _, answer = report_2020
    downloads = _rows(answer)["downloads"]
    assert (downloads["leader_name"], downloads["runner_up_name"]) == ("TensorFlow", "PyTorch")
    assert downloads["lead"] == "6.8x (complete count)"
    sentence = next(t for t in _texts(answer, "sentence") if "downloads from PyPI" in t)
    assert "Keras, 2.1 million, lies between them" in sentence      # the contender outside the pair is not hidden
    assert "in the 30 days to January 16, 2020 (" in sentence       # a window of days, not "in 2019-12-18 to ..."
    # PyTorch's share of the two's downloads: 6% (2018-01) to 13% (2019-12), not "TensorFlow's share rising"
    assert "PyTorch 6% then 13% of the two" in downloads["trend"]
    assert "TensorFlow's share" not in " ".join(_texts(answer))


def test_the_lead_lag_says_pytorch_passed_tensorflow_in_papers_in_2019(report_2020):
    _, answer = report_2020
    lead_lag = next(f["text"] for f in answer["findings"] if f["role"] == "lead_lag")
    assert "PyTorch passed TensorFlow on conference papers 2019" in lead_lag and "not crossed" not in lead_lag
    row = next(r for r in next(t for t in answer["tables"] if t["name"] == "lead_lag")["rows"]
               if r["signal"] == "research")
    assert (row["passer"], row["passed"], row["when"]) == ("pytorch", "tensorflow", "2019")


# -- nothing published after the day ------------------------------------------------------------------------------
def _sources(results) -> set[str]:
    return {r["source"] for s in results["sections"] if s["id"] == "sources" for t in s["tables"] for r in t["rows"]}


def test_no_series_recounted_after_the_day_reaches_the_report(report_2020):
    results, answer = report_2020
    # the two Hacker News recounts came out in 2024 and 2026; the AI Index's question series on 2020-03-03
    assert _rows(answer)["jobs"]["source"].startswith("Jeff Hale")
    assert not any("hiringtrends" in s or "hn-hiring-analysis" in s for s in _sources(results))
    assert _rows(answer)["qa"]["metric"] != "questions_per_year"
    assert "Keras 3" not in str(results)                          # released 2023-11-28


def test_no_fact_published_after_the_day_reaches_the_report(report_2020):
    results, answer = report_2020
    # the Python Developers Survey 2019 (fielded 2019-11) came out in 2020; the AI Index 2020 on 2020-03-03
    assert "Python Developers Survey 2019" not in str(results)
    assert not any("AI Index 2020" in s for s in _sources(results))
    assert _rows(answer)["qa"]["period"] != "2019"
