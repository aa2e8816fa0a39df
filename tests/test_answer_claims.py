"""Issue 21: the answer signed line by line. Each claim a statistician or a newcomer struck in the report at
2026-12-06, on the bundled data and on hand-checked cases; each test fails on the old wording or figure."""

from __future__ import annotations

import pandas as pd
import pytest

from mindshare.analysis.leads import ABOUT_LEVEL, AS_COUNTED, CLEAR, WITHIN_CHANCE, counted_lead, survey_lead

REPORT_DATE = "2026-12-06"


@pytest.fixture(scope="module")
def names():
    from mindshare.fields import load_field

    field = load_field()
    return {c.id: c.name for c in field.contenders}


@pytest.fixture(scope="module")
def observations(bundled_store_path):
    from mindshare.session import session as store_session

    with store_session(bundled_store_path) as store:
        return store.observations()


@pytest.fixture(scope="module")
def answer(observations, names):
    from mindshare.analysis.answer import build_answer

    return build_answer(observations, contenders=list(names), report_date=REPORT_DATE,
                        names=lambda k: names.get(k, k), draws=300)


def _row(answer, signal):
    return next(r for r in answer.scoreboard if r.signal == signal)


def _sentences(answer) -> str:
    return " ".join(s.text for s in answer.sentences)


# -- 1. a lead must be material as well as beyond chance ----------------------------------------------------------
def test_a_lead_beyond_chance_but_too_small_to_matter_is_about_level():
    shares = pd.DataFrame({"contender": ["a", "b"], "share_pct": [30.0, 28.0], "count": [30000, 28000],
                           "n": [100000, 100000]})
    lead = survey_lead(shares)                       # 2 points apart, far beyond chance, but only 1.07x
    assert lead.ci_low > 0 and lead.status == ABOUT_LEVEL and not lead.claimed
    shares = shares.assign(share_pct=[11.0, 10.0], count=[11000, 10000])
    assert survey_lead(shares).status == CLEAR       # 1.10x and 1 point: material, and beyond chance
    shares = shares.assign(share_pct=[2.0, 1.5], count=[2000, 1500])
    assert survey_lead(shares).status == ABOUT_LEVEL  # 1.33x but half a point of share
    counts = pd.Series({"a": 105.0, "b": 100.0})
    assert counted_lead(counts).status == ABOUT_LEVEL                   # a complete count 5% apart
    assert counted_lead(counts.replace(105.0, 111.0)).status == AS_COUNTED
    sampled = counted_lead(pd.Series({"a": 10500.0, "b": 10000.0}), sampled=True)
    assert sampled.ci_low > 1 and sampled.status == ABOUT_LEVEL         # beyond chance, 1.05x
    assert counted_lead(pd.Series({"a": 4.0, "b": 3.0}), sampled=True).status == WITHIN_CHANCE


def test_stack_overflow_2024_is_about_level_not_a_clear_lead(answer):
    usage = _row(answer, "usage")
    figures = {f.name: f.value for f in usage.figures}
    assert (figures["leader_value"], figures["runner_up_value"]) == (10.57, 10.12)
    assert usage.lead_status == ABOUT_LEVEL and usage.lead.startswith("about level")
    assert "clear lead" not in _sentences(answer)
    assert "10.6% use PyTorch and 10.1% TensorFlow: about level" in _sentences(answer)
    assert "about level on all respondents in the Stack Overflow Developer Survey" in answer.headline.text
    assert "usage" not in next(f for f in answer.headline.figures if f.name == "measures_led").detail["signals"]


# -- 7. confidence from a written rubric -------------------------------------------------------------------------
def test_confidence_is_graded_on_five_checks_by_a_written_rubric():
    from mindshare.analysis.confidence import CHECKS, Facts, confidence_of

    facts = Facts(lead_status=CLEAR, sampled=True, proxy="", variation_pts=None, age_years=0.3,
                  age_words="4 months", current=True, not_current_reason="", single_reading=False, venues=0,
                  coverage="", events_a_month=120.0, unit="posts")
    assert confidence_of(facts).level == "high"
    assert [c.criterion for c in confidence_of(facts).checks] == list(CHECKS)
    one_weak = confidence_of(Facts(**{**facts.__dict__, "proxy": "bookmarks, not use"}))
    assert (one_weak.level, one_weak.reason) == ("medium", "bookmarks, not use")
    few = confidence_of(Facts(**{**facts.__dict__, "events_a_month": 9.3, "coverage": "one forum"}))
    assert few.level == "medium" and few.reason == "one forum, about 9 posts a month name either"
    three = confidence_of(Facts(**{**facts.__dict__, "proxy": "x", "variation_pts": 4.3, "age_years": 2.5}))
    assert three.level == "low"
    chance = confidence_of(Facts(**{**facts.__dict__, "lead_status": WITHIN_CHANCE}))
    assert chance.level == "low" and chance.reason == "the lead is within chance"


def test_downloads_and_hn_jobs_are_not_high_confidence_and_say_why(answer):
    downloads, jobs = _row(answer, "downloads"), _row(answer, "jobs")
    assert downloads.confidence.level != "high" and jobs.confidence.level != "high"
    # PyPI: installs, not use; and two 30-day readings two days apart (2024-08-30, 2024-09-01) differ by over 4
    # points of PyTorch's share of the two
    assert "CI and dependency pulls" in downloads.confidence.reason
    variation = next(c for c in downloads.confidence.checks if c.criterion == "variation")
    assert variation.grade == "weak" and "4.3 points" in variation.words
    assert "one forum" in jobs.confidence.reason and "about 9 posts a month" in jobs.confidence.reason
    for row in answer.scoreboard:
        assert len(row.confidence.checks) == 5 and row.as_dict()["confidence_checks"]
    assert any(note.startswith("Confidence is graded on five checks") for note in answer.method_notes)


# -- 3. a trend says what its latest stretch shows, beside the long slope ------------------------------------------
def _monthly(rows, *, metric, signal, source="src", method="m1"):
    """Observation rows from (month 'YYYY-MM', contender, value)."""
    out = []
    for when, contender, value in rows:
        start = pd.Timestamp(when + "-01")
        out.append({"signal": signal, "metric": metric, "source": source, "contender": contender,
                    "subject": contender, "period_start": start, "period_end": start + pd.offsets.MonthEnd(0),
                    "value": float(value), "segment": "all", "method": method, "note": None,
                    "collected_at": pd.Timestamp("2030-01-01"), "kind": "number", "unit": metric})
    return pd.DataFrame(out)


def _built_answer(frame, report_date="2026-09-01"):
    from mindshare.analysis.answer import build_answer

    return build_answer(frame, contenders=sorted(frame["contender"].unique()), report_date=report_date, draws=50)


def test_a_share_that_slowed_says_so_against_the_stretch_before():
    months = pd.period_range("2023-07", "2026-06", freq="M").strftime("%Y-%m")
    # 2 points a month for two years, then half a point a month
    rows = [(m, c, v) for k, m in enumerate(months)
            for c, v in (("a", 20 + 2 * min(k, 24) + 0.5 * max(k - 24, 0)),
                         ("b", 80 - 2 * min(k, 24) - 0.5 * max(k - 24, 0)))]
    row = _row(_built_answer(_monthly(rows, metric="downloads_30d", signal="downloads")), "downloads")
    assert "latest 12 months +" in row.trend and "(slowing from +24)" in row.trend


def test_a_share_that_rose_then_stopped_is_flat_in_its_latest_stretch():
    months = pd.period_range("2023-07", "2026-06", freq="M").strftime("%Y-%m")
    # a's share of downloads climbs 2 points a month for two years, then stays where it got to
    rows = [(m, c, v) for k, m in enumerate(months)
            for c, v in (("a", 30 + 2 * min(k, 24)), ("b", 70 - 2 * min(k, 24)))]
    row = _row(_built_answer(_monthly(rows, metric="downloads_30d", signal="downloads")), "downloads")
    assert row.trend_status == "rising" and "flat in the latest 12 months" in row.trend
    steady = [(m, c, v) for k, m in enumerate(months) for c, v in (("a", 30 + k), ("b", 70 - k))]
    row = _row(_built_answer(_monthly(steady, metric="downloads_30d", signal="downloads")), "downloads")
    assert "(holding)" in row.trend


def test_pypi_and_hn_jobs_say_what_their_latest_stretch_shows(answer):
    downloads, jobs = _row(answer, "downloads"), _row(answer, "jobs")
    # PyPI: PyTorch's share of the two's downloads, +14.5 a year over 2023-04..2026-03, and the latest 12 months
    # at about the same pace (+16, its interval holding the earlier slope)
    assert downloads.trend == ("PyTorch +14.5 points a year (2023-04 to 2026-03); latest 12 months +16 a year "
                               "(holding)")
    # HN: PyTorch's share of the posts naming either was 80.2% in 2024-08..2025-07 and 78.6% in the 12 months since
    assert jobs.trend.endswith("flat over the latest 24 months (80% then 79%)")
    sentence = next(s for s in answer.sentences if "share of the two's PyPI downloads" in s.text)
    assert "in the latest 12 months PyTorch's rose by about 16 points a year, at about the same pace" in sentence.text
    stretch = next(f for f in sentence.figures if f.name == "latest_stretch")
    assert stretch.value == "holding" and stretch.detail["start"] == "2025-04"


# -- 4. the GitHub trend is of the same quantity as its lead: new stars ------------------------------------------
def test_the_github_trend_is_read_from_new_stars_like_its_lead():
    months = pd.period_range("2023-07", "2026-06", freq="M").strftime("%Y-%m")
    # a has far more stars in all, gaining ever more each month; b gains a steady 30 a month. a's share of all
    # stars falls (b catches up on the total) while its share of the new stars rises.
    level_a, rows = 1000.0, []
    for k, m in enumerate(months):
        level_a += 10 + k
        rows += [(m, "a", level_a), (m, "b", 100 + 30 * k)]
    row = _row(_built_answer(_monthly(rows, metric="github_stars", signal="github")), "github")
    assert row.leader == "a" and row.trend.startswith("a +") and row.trend_status == "rising"


def test_bundled_github_trend_is_of_new_stars(answer):
    github = _row(answer, "github")
    assert github.trend.startswith("PyTorch +2.1 points a year (2023-09 to 2026-08)")       # all-time: +1.8
    assert "share of the new ones (the monthly rise of each total)" in github.method_note


# -- 2. a change whose ends hide its path says the path ------------------------------------------------------------
def test_tensorflow_on_stack_overflow_went_up_and_back_not_about_the_same(answer):
    usage = next(s for s in answer.sentences if "Stack Overflow Developer Survey 2024" in s.text)
    assert "TensorFlow stayed about the same" not in usage.text
    # published: 10.26% (2019), 16.53% (2021), 10.12% (2024), all respondents
    assert "TensorFlow went from 10.3% in 2019 up to 16.5% in 2021 and back to 10.1%" in usage.text
    assert "PyTorch rose from 3.3% in 2019" in usage.text


def test_a_path_is_said_only_where_the_middle_differs_beyond_chance_and_materially():
    from mindshare.analysis.survey_readings import survey_path

    def readings(shares, n=10000):
        return pd.DataFrame({"contender": "a", "year": [2019, 2020, 2021], "share_pct": shares,
                             "count": [s * n / 100 for s in shares], "n": n})

    assert survey_path(readings([10.0, 16.0, 10.5]), "a") == {"year": 2020, "pct": 16.0, "kind": "peak",
                                                              "gap": pytest.approx(5.5)}
    assert survey_path(readings([10.0, 10.6, 10.2]), "a") is None           # inside the ends' band: no path
    assert survey_path(readings([10.0, 12.0, 10.5], n=300), "a") is None    # 12% vs 10.5% of 300: chance
    assert survey_path(readings([10.0, 5.0, 11.0]), "a")["kind"] == "trough"


# -- 8. a tiny imported file never displaces a published figure -----------------------------------------------------
def test_a_three_row_import_does_not_displace_the_published_2024_figures(tmp_path, bundled_store_path, names):
    import shutil

    from conftest import SHARED
    from typer.testing import CliRunner

    from mindshare.analysis.answer import build_answer
    from mindshare.cli import app
    from mindshare.session import session as store_session

    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    sample = SHARED / "surveys" / "raw" / "stackoverflow_2024_first3rows.csv"
    done = CliRunner().invoke(app, ["--db", str(db), "survey", "import", str(sample), "--source", "stackoverflow",
                                    "--year", "2024"])
    assert done.exit_code == 0, done.output
    with store_session(db) as store:
        observations = store.observations()
    answer = build_answer(observations, contenders=list(names), report_date=REPORT_DATE,
                          names=lambda k: names.get(k, k), draws=50)
    usage = _row(answer, "usage")
    assert usage.population == "all respondents"
    figures = {f.name: f for f in usage.figures}
    assert (figures["leader_value"].value, figures["runner_up_value"].value) == (10.57, 10.12)
    assert figures["lead_points"].detail["n"] == 45841
    # the file's reading (0%, n = 1) is kept and its disagreement said, beside the one used
    assert "n = 45,841, used" in usage.method_note and "n = 1)" in usage.method_note


# -- 9. like definitions and like bases only -------------------------------------------------------------------
def test_kaggle_keras_change_depends_on_the_base_and_is_not_a_clear_decline(answer):
    keras = [r for r in answer.survey_changes if r["contender"] == "keras" and r["survey"].startswith("Kaggle")
             and r["population"] == "all respondents"]
    assert {r["base"]: round(r["change_pts"], 1) for r in keras} == {"answered the question": -1.2,
                                                                       "all respondents": 1.5}
    assert all(r["status"] == "depends on the base" for r in keras)
    assert all("depends on who is counted" in r["text"] for r in keras)


def test_a_population_drawn_differently_is_compared_only_across_years_drawn_alike():
    from mindshare.analysis.survey_readings import survey_changes, survey_readings

    rows = []
    for year, pct in ((2019, 9.4), (2021, 14.1), (2024, 8.8)):
        rows.append({"signal": "usage", "metric": "so_survey_share", "source": f"Survey {year}", "contender": "tf",
                     "subject": "tf", "segment": "professional developers", "period_start": pd.Timestamp(f"{year}-05-01"),
                     "period_end": pd.Timestamp(f"{year}-06-01"), "value": pct, "value_text": None, "method": "m",
                     "note": f"{round(pct * 300)} of n=30000"})
    notes = pd.DataFrame([{"signal": "usage", "metric": "so_survey_note", "source": "Survey 2019",
                           "subject": "_definition", "segment": "professional developers",
                           "period_start": pd.Timestamp("2019-05-01"), "value_text": "drawn more widely in 2019"}])
    changes = survey_changes(survey_readings(pd.DataFrame(rows), notes=notes))
    row = changes.iloc[0]
    assert (row["first_year"], row["last_year"], row["unlike_years"]) == (2021, 2024, (2019,))
    assert row["unlike_why"] == "drawn more widely in 2019"
    plain = survey_changes(survey_readings(pd.DataFrame(rows)))
    assert plain.iloc[0]["first_year"] == 2019


# -- 5. advice names what each measure shows, and says when none measures what the reader needs --------------------
def test_production_advice_says_no_measure_here_counts_production_use(answer):
    advice = {f.audience: f.statement.text for f in answer.focus}
    production = advice["a production team"]
    assert production.startswith("For a production team: these data do not measure use in production. Nearest: ")
    assert "PyTorch is installed more often (PyPI downloads)" in production
    assert "more developers bookmark PyTorch (new GitHub stars)" in production
    assert "which leads" not in " ".join(advice.values())
    learner = advice["a learner or job seeker"]
    assert learner.startswith("For a learner or job seeker: employers name PyTorch more often (Hacker News job posts)")
    assert "do not measure" not in learner                      # job posts and surveys count what a learner asks


# -- 6. one contender first on every input: no simulation ---------------------------------------------------------
def test_a_contender_first_on_every_measure_is_not_put_through_a_simulation(answer):
    text = answer.composite.text
    assert text == ("PyTorch has the highest value on each of the 5 current measures, so no weighting of them puts "
                    "another contender first.")
    assert "tries" not in text and "would need" not in text


def test_a_split_field_still_gets_its_weighting_simulation():
    months = pd.period_range("2024-07", "2026-06", freq="M").strftime("%Y-%m")
    downloads = [(m, c, v) for m in months for c, v in (("a", 900), ("b", 100))]
    stars = [(m, c, 1000 + k * v) for k, m in enumerate(months) for c, v in (("a", 10), ("b", 50))]
    frame = pd.concat([_monthly(downloads, metric="downloads_30d", signal="downloads"),
                       _monthly(stars, metric="github_stars", signal="github")])
    composite = _built_answer(frame).composite
    assert "comes first in" in composite.text and "tries" in composite.text


# -- 10. no contradiction in the text ----------------------------------------------------------------------------------
def test_each_bridge_decision_names_what_it_joins_so_bridged_and_not_bridged_never_clash(observations):
    import re

    from mindshare.catalogue import SERIES_BRIDGE

    words = observations.loc[observations["metric"] == SERIES_BRIDGE.name, "value_text"].dropna().tolist()
    assert len(words) == 3
    named = [re.match(r"^(NOT )?BRIDGED for (the |a )?(?P<what>[^:]+):", w) for w in words]
    assert all(named) and len({m.group("what") for m in named}) == 3
    assert any(w.startswith("BRIDGED for the TensorFlow/PyTorch ratio") for w in words)


def test_slashdatas_shares_carry_the_pages_own_contradiction_and_no_date():
    """SlashData's page says 86% vs 11% (7.8 times) and 'Tensorflow is 3.4 times bigger': the figure keeps both words,
    and that the page has no date, so no reader takes 86% vs 11% for what the page's headline says."""
    from mindshare.bundle import bundled_observations

    frame = bundled_observations()
    slash = frame[frame["source"].str.startswith("SlashData") & (frame["subject"] == "TensorFlow")]
    assert slash["value"].tolist() == [86.0]
    note = slash["note"].iloc[0]
    assert "contradicts itself" in note and "3.4 times" in note and "7.8 times" in note and "no date" in note


def test_the_pypi_crossing_is_dated_as_the_snapshot_the_tables_list(answer):
    downloads = next(r for r in answer.lead_lag if r.signal == "downloads")
    # the 30 days to 2024-04-30, read on 2024-05-01: the summed basis's "2024-05 snapshot"
    assert downloads.when == "2024-04 (read 2024-05-01)"
    assert "PyPI downloads 2024-04 (read 2024-05-01)" in answer.lead_lag_statement.text


def test_the_method_details_describe_the_trend_as_the_answer_does(built_report):
    _, results = built_report
    summary = next(s for s in results["sections"] if s["id"] == "summary")
    trends = next(t for t in summary["tables"] if t["name"] == "share_trends")
    assert "Newey–West (HAC) 95% interval, from which the direction is read" in trends["caption"]
    assert {"hac_ci_low", "hac_ci_high"} <= set(trends["rows"][0])


# -- 11. what a 2026 reader needs: every contender that moved, and what the data do not measure ----------------------
def test_the_answer_speaks_of_every_contender_that_moved_and_of_what_it_does_not_measure(answer):
    others = answer.others.text
    # JAX 19.2M vs Keras 18.4M PyPI downloads in March 2026, behind a year before
    assert "JAX passed Keras on PyPI downloads over the past year" in others
    # the same sources count more of things outside the field than of its leader
    assert "transformers (128.6 million downloads)" in others and "ahead of PyTorch (87.3 million downloads)" in others
    assert "LLM (508 posts)" in others and "ahead of PyTorch (88 posts)" in others
    assert answer.data_through.text.endswith("not measured here: search interest.")
    usage = next(s for s in answer.sentences if "usage" in s.signals)
    assert "(the last to ask: 2025 did not)" in usage.text
    assert "others" in [f["role"] for f in answer.as_section()["findings"]]


def test_a_contender_note_stored_as_data_is_said_beside_the_answer():
    """What a contender has become (Keras 3 runs on several backends) is a row of words, metric `contender_note`: the
    answer says it with its source, and leaves out a note about a subject the field does not compare."""
    from mindshare.analysis.answer import build_answer

    months = pd.period_range("2024-01", "2025-12", freq="M").to_timestamp()
    rows = [{"signal": "downloads", "metric": "downloads_30d", "source": "pypi", "contender": c, "subject": c,
             "segment": "all", "method": "m1", "period_start": m, "period_end": m + pd.offsets.MonthEnd(0),
             "value": v * (1 + k / 10), "value_text": None, "kind": "number", "note": None,
             "collected_at": pd.Timestamp("2026-01-01"), "unit": "downloads"}
            for k, m in enumerate(months) for c, v in (("a", 100.0), ("b", 50.0), ("c", 30.0))]
    note = {"signal": "other", "metric": "contender_note", "source": "C's release notes", "segment": "all",
            "method": "as published", "period_start": pd.Timestamp("2024-06-01"),
            "period_end": pd.Timestamp("2024-06-30"), "value": None, "kind": "number", "note": None,
            "collected_at": pd.Timestamp("2026-01-01"), "unit": ""}
    rows += [{**note, "contender": "c", "subject": "C", "value_text": "C 2 runs on A or B, so C's figures no longer "
              "stand for B's"},
             {**note, "contender": None, "subject": "Z", "value_text": "Z is outside this field"}]
    answer = build_answer(pd.DataFrame(rows), contenders=["a", "b", "c"], report_date="2026-01-15",
                          names={"a": "A", "b": "B", "c": "C"}.get, draws=50)
    assert "C 2 runs on A or B, so C's figures no longer stand for B's" in answer.others.text
    assert "Z is outside" not in answer.others.text
    figure = next(f for f in answer.others.figures if f.name == "contender_note")
    assert (figure.source, figure.period) == ("C's release notes", "2024-06")


def test_the_bundled_answer_says_keras_no_longer_stands_for_tensorflow(answer):
    assert "Keras 3 (released 2023-11-28) runs on JAX, PyTorch or TensorFlow, so Keras's figures no longer stand " \
           "for TensorFlow's" in answer.others.text
