"""The report shows the live job, search and survey signals: per-site bars, shares and ratios; trend lines
without the partial week; survey bars with intervals for all respondents and professionals, every year.

Inputs: generated survey files (tests/survey_files.py, published column names), a hand-written job-counts CSV,
the recorded April 2011 HN thread, and Google Trends responses built in the recorded format.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from survey_files import write_kaggle, write_survey

from mindshare.fields import load_field
from mindshare.importers.job_counts import read_job_counts
from mindshare.importers.stackoverflow_survey import read_survey
from mindshare.report.build import build_report
from mindshare.report.render import results_document
from mindshare.session import session as store_session
from mindshare.sources import hn_hiring
from mindshare.sources.google_trends import PARTIAL_NOTE
from mindshare.sources.google_trends import SOURCE as TRENDS

FIXTURES = Path(__file__).parent / "fixtures"
COUNTS = """site,country,date,query,contender,count
Indeed,us,2019-09-01,tensorflow,tensorflow,3000
Indeed,us,2019-09-01,pytorch,pytorch,1000
Indeed,us,2020-02-01,tensorflow,tensorflow,4000
Indeed,us,2020-02-01,pytorch,pytorch,2000
LinkedIn,us,2020-02-01,tensorflow,tensorflow,5000
LinkedIn,us,2020-02-01,pytorch,pytorch,2500
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    field = load_field()
    db = folder / "s.duckdb"
    counts = folder / "counts.csv"
    counts.write_text(COUNTS, encoding="utf-8")
    thread = json.loads(gzip.decompress((FIXTURES / "hn_algolia" / "items_2396027_whoishiring_april2011.json.gz")
                                        .read_bytes()))
    weeks = pd.date_range("2024-01-07", periods=30, freq="7D")
    trends = []
    for i, week in enumerate(weeks):
        for contender, value in (("pytorch", 40 + i), ("tensorflow", 60 - i)):
            last = i == len(weeks) - 1
            trends.append({"signal": "search", "metric": "search_interest", "source": TRENDS, "contender": contender,
                           "subject": contender, "period_start": week.date(), "period_end": (week + pd.Timedelta(days=6)).date(),
                           "period_label": week.date().isoformat(), "value": 1.0 if last else float(value),
                           "unit": "index", "method": "google trends v1, 1 request(s)",
                           "note": PARTIAL_NOTE if last else None})
    with store_session(db) as store:
        for year in (2019, 2020):
            path = write_survey(folder / f"{year}.csv", year, 800, seed=year)
            store.add_snapshot(read_survey(path, year=year, field=field).observations, kind="import", source=str(year))
        kaggle = write_kaggle(folder / "kaggle_2021.csv", 2021, 500)
        from mindshare.importers.kaggle_survey import read_kaggle

        store.add_snapshot(read_kaggle(kaggle, year=2021, field=field).observations, kind="import", source="kaggle")
        store.add_snapshot(read_job_counts(counts, field), kind="import", source="counts")
        store.add_snapshot(hn_hiring.thread_observations(thread, field), kind="collect", source="hn")
        store.add_snapshot(pd.DataFrame(trends), kind="collect", source="trends")
        built = build_report(store, field)
    return results_document(built)


def section(document, name):
    return next(s for s in document["sections"] if s["id"] == name)


def table(sec, name):
    return next(t for t in sec["tables"] if t["name"] == name)


def test_job_listings_per_site_share_and_ratio(report):
    jobs = section(report, "jobs")
    latest = pd.DataFrame(table(jobs, "job_listings_latest")["rows"])
    assert set(latest["site"]) == {"Indeed (us)", "LinkedIn (us)"}
    indeed = latest[latest["site"] == "Indeed (us)"].set_index("framework")
    assert indeed.loc["TensorFlow", "share_pct"] == pytest.approx(66.7, abs=0.1)
    ratio = pd.DataFrame(table(jobs, "job_listings_ratio")["rows"])
    assert sorted(ratio[ratio["site"] == "Indeed (us)"]["ratio"]) == [2.0, 3.0]
    assert any("3.0x" in f["text"] and "2.0x" in f["text"] for f in jobs["findings"])
    assert any(c["name"] == "job_listings_by_site" for c in jobs["charts"])


def test_live_hn_month_replaces_the_bundled_copy(report):
    monthly = pd.DataFrame(table(section(report, "jobs"), "hn_hiring_monthly")["rows"])
    assert not monthly.duplicated(["month", "framework"]).any()


def test_search_trend_leaves_out_the_partial_week(report):
    search = section(report, "search")
    trends = pd.DataFrame(next(t for t in search["tables"] if t["name"].endswith("_trends"))["rows"])
    slopes = trends.set_index("framework")["slope_per_year"]
    # one index point per week: +52/year and -52/year; a partial week read as 1.0 would pull both down
    assert slopes["PyTorch"] == pytest.approx(52.14, rel=0.01)
    assert slopes["TensorFlow"] == pytest.approx(-52.14, rel=0.01)
    assert (trends["n"] == 29).all()


def test_survey_years_with_intervals_every_year_both_segments(report):
    """The imported files (2019 and 2020, 800 built respondents each) are samples beside the bundle's published
    readings of those years, whose larger bases win; the bundle's 2021-2024 stay, every share with its Wilson
    interval."""
    usage = section(report, "usage")
    rows = pd.DataFrame(table(usage, "so_survey_years")["rows"])
    assert {2019, 2020, 2024} <= set(rows["year"])
    assert {"all respondents", "professional developers"} <= set(rows["segment"])
    assert (rows["ci_low"] < rows["share_pct"]).all() and (rows["share_pct"] < rows["ci_high"]).all()
    assert (rows[rows["year"].isin([2019, 2020])]["n"] > 800).all()
    assert "Keras" in set(rows[rows["year"] == 2020]["framework"])
    compact = pd.DataFrame(table(usage, "survey_shares")["rows"])
    # the share of all respondents is not mixed into the per-survey table
    for survey in ("Stack Overflow Developer Survey 2019", "Stack Overflow Developer Survey 2019 (recounted from the file)"):
        mine = compact[compact["survey"].eq(survey) & compact["segment"].eq("all respondents")]
        assert len(mine) == 2 and not mine.duplicated(["framework"]).any()
    assert any("not an option" in n.lower() for n in usage["notes"])


def test_kaggle_bars_with_intervals(report):
    """The file imported here (2021, 500 built respondents) supersedes the bundle's real 2021 figures; the
    bundle's real 2019 ones (all respondents and data scientists, from Kaggle's raw file) stay beside it."""
    rows = pd.DataFrame(table(section(report, "usage"), "kaggle_survey_years")["rows"])
    assert set(rows["year"]) == {2019, 2021}
    imported = rows[(rows["year"] == 2021) & (rows["segment"] == "all respondents")]
    assert len(imported) and (imported["n"] <= 500).all()
    assert {"PyTorch", "TensorFlow", "Keras", "JAX", "MXNet"} <= set(imported["framework"])
    bundled = rows[rows["year"] == 2019]
    assert {"all respondents", "data scientists"} <= set(bundled["segment"]) and (bundled["n"] > 10_000).any()
    assert (rows["ci_low"] < rows["ci_high"]).all()
