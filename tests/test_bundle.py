"""The bundled dataset: faithful copies of ../shared/data, every figure with its provenance, and the newer
datasets (Stack Overflow 2019-2024, Kaggle 2019/2021, Hacker News to 2026-07) checked against the figures their
SOURCES files give, to the published precision."""

import csv
import math
from datetime import date

import pandas as pd
import pytest
from conftest import SHARED

from mindshare.bundle import (
    BRIDGE_METRIC,
    CONFLICT,
    HN_DICTIONARY_METHOD,
    HN_REGEX_METHOD,
    bundle_folder,
    bundled_observations,
    manifest,
    parse_period,
    second_hand,
    series_period,
)
from mindshare.importers.stackoverflow_survey import load_survey_map
from mindshare.session import session as store_session

SO_SOURCE = "Stack Overflow Developer Survey {year} (published results)"
REGEX_SOURCE = "controlarm/hn-hiring-analysis"


@pytest.fixture(scope="module")
def bundled():
    return bundled_observations()


EXCERPTS = {"series/best_of_ml_python_dependents.csv"}    # cut from a shared file: checked row by row below


def test_bundle_is_a_faithful_copy_of_the_shared_data():
    copied = [p.relative_to(bundle_folder()).as_posix() for p in bundle_folder().rglob("*")
              if p.suffix in (".csv", ".tsv") and p.relative_to(bundle_folder()).as_posix() not in EXCERPTS]
    assert len(copied) == 13
    for relative in copied:
        shared = SHARED / "data" / relative
        assert (bundle_folder() / relative).read_bytes() == shared.read_bytes(), relative


def test_the_dependents_excerpt_is_the_shared_history_row_for_row():
    """The bundled dependents are the shared best-of-ml-python frameworks history's rows, cut to the deep-learning
    field's projects and to snapshots with a count, every value as it was."""
    shared = list(csv.DictReader((SHARED / "data" / "series" / "best_of_ml_python" /
                                  "best_of_ml_python_frameworks_weekly.csv").open(encoding="utf-8")))
    by_key = {(r["snapshot_date"], r["framework"]): r for r in shared}
    excerpt = list(csv.DictReader((bundle_folder() / "series" / "best_of_ml_python_dependents.csv").open(encoding="utf-8")))
    assert len(excerpt) == 922 and {r["project"] for r in excerpt} == {"pytorch", "tensorflow", "jax", "keras",
                                                                        "mxnet", "paddlepaddle"}
    for row in excerpt:
        original = by_key[(row["snapshot"], row["project"])]
        assert float(original["github_dependent_project_count"]) == float(row["github_dependent_project_count"])
        assert (original["github_id"], original["source_path"], original["source_commit"]) == (
            row["github_id"], row["source_path"], row["source_commit"])
    counted = [r for r in shared if r["framework"] in {"pytorch", "tensorflow", "jax", "keras", "mxnet", "paddlepaddle"}
               and r["github_dependent_project_count"].strip()]
    assert len(counted) == len(excerpt)                   # every counted snapshot of those projects, none other


def test_every_fact_is_imported_and_words_stay_words():
    frame = bundled_observations()
    facts = list(csv.DictReader((bundle_folder() / "facts.csv").open()))
    fact_keys = {(f["metric"], f["source"]) for f in facts}
    imported = frame[[(m, s) in fact_keys for m, s in zip(frame["metric"], frame["source"])]]
    assert len(imported) == len(facts)
    ratio_2019 = imported[(imported["metric"] == "job_listings_ratio_text") & (imported["period_label"].str.startswith("2019"))]
    assert ratio_2019["value"].isna().all()
    assert ratio_2019["value_text"].tolist() == ["nearly 3"]
    # every qualitative fact in the file is a note, never a number
    words_only = [f for f in facts if not f["value"].strip()]
    assert imported["value"].isna().sum() == len(words_only)


def test_every_row_keeps_its_provenance():
    frame = bundled_observations()
    assert frame["source"].notna().all()
    assert frame["reference"].notna().all()
    assert frame["collected_at"].notna().all()
    series = frame[frame["source"] == "hugovk/top-pypi-packages"]
    assert series["reference"].str.startswith("https://github.com/hugovk/top-pypi-packages/blob/").all()


def test_missing_downloads_are_notes_not_zeros():
    frame = bundled_observations()
    torch_2018 = frame[(frame["subject"] == "torch") & (frame["period_label"] == "2018-01-09")]
    assert torch_2018["value"].isna().all()
    assert torch_2018["value_text"].str.contains("absent from top").all()


def test_conference_counts_in_both_rule_versions():
    frame = bundled_observations()
    neurips = frame[(frame["segment"] == "NeurIPS") & (frame["period_label"] == "2019")]
    values = {(r.method, r.subject): r.value for r in neurips.itertuples()}
    assert values[("horace-he-2019-11", "PyTorch")] == 166
    assert values[("horace-he-2019-11", "TensorFlow")] == 74
    assert values[("horace-he-2021-10", "PyTorch")] == 182
    assert values[("horace-he-2021-10", "TensorFlow")] == 104
    assert values[("horace-he-2021-10", "_all_papers")] == 1427


def test_packages_map_to_contenders_and_stay_visible():
    frame = bundled_observations()
    downloads = frame[frame["signal"] == "downloads"]
    mapping = dict(zip(downloads["subject"], downloads["contender"]))
    assert mapping["torch"] == "pytorch"
    assert mapping["tf-nightly"] == "tensorflow"
    assert mapping["jax"] == "jax"
    assert pd.isna(mapping["jaxlib"])  # a dependency of jax: summing it would count one install twice
    assert pd.isna(mapping["scikit-learn"])  # not a contender


def test_pypi_method_changes_are_recorded():
    frame = bundled_observations()
    methods = frame[frame["metric"] == "downloads_30d"].groupby("method")["period_label"].min().sort_values()
    assert len(methods) == 8
    assert methods.iloc[0] == "2018-02-07"
    assert "ClickHouse" in methods.index[-1]


@pytest.mark.parametrize("text, start, end", [
    ("2019", date(2019, 1, 1), date(2019, 12, 31)),
    ("2018-09", date(2018, 9, 1), date(2018, 9, 30)),
    ("2018..2019", date(2018, 1, 1), date(2019, 12, 31)),
    ("2019-01..2019-06", date(2019, 1, 1), date(2019, 6, 30)),
    ("c. 2023-05", date(2023, 5, 1), date(2023, 5, 31)),
    ("2020-01-26", date(2020, 1, 26), date(2020, 1, 26)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("unknown", None, None),
])
def test_parse_period(text, start, end):
    assert parse_period(text) == (start, end)


def test_download_windows():
    assert series_period("window", date(2024, 4, 1), "downloads_30d", "--days 30") == (date(2024, 3, 2), date(2024, 3, 31))
    assert series_period("window", date(2025, 5, 1), "downloads_30d", "pypinfo --days 24, all") == (date(2025, 4, 7), date(2025, 4, 30))
    assert series_period("window", date(2025, 7, 5), "downloads_30d",
                         "ClickHouse, full previous calendar month") == (date(2025, 6, 1), date(2025, 6, 30))


def test_same_as_above_takes_the_row_above(tmp_path):
    frame = bundled_observations()
    slash = frame[frame["source"].str.startswith("SlashData")]
    assert "same as above" not in set(slash["segment"].str.lower())
    assert slash["note"].str.contains("as in the row above").any()


def test_store_import_is_idempotent(tmp_path):
    path = tmp_path / "s.duckdb"
    with store_session(path) as store:
        before = store.connection.execute("SELECT count(*) FROM observations").fetchone()[0]
        from mindshare.bundle import ensure_bundle

        assert ensure_bundle(store) is None
        # even forcing a re-import of the same content adds nothing
        store.connection.execute("DELETE FROM meta WHERE key LIKE 'bundle:%'")
        result = ensure_bundle(store)
        assert result is not None and not result.added
        assert store.connection.execute("SELECT count(*) FROM observations").fetchone()[0] == before


# -- provenance ------------------------------------------------------------------------------------------------
def test_second_hand_figures_say_so_in_their_reference(bundled):
    relayed = second_hand()
    facts = list(csv.DictReader((bundle_folder() / "facts.csv").open(encoding="utf-8")))
    assert set(relayed) <= {f["source"] for f in facts}               # every entry names real facts
    marked = bundled[bundled["reference"].str.startswith("Second-hand:")]
    assert set(marked["source"]) == set(relayed)
    moroney = bundled[bundled["source"].str.contains("Moroney")]
    assert len(moroney) == 3 and moroney["reference"].str.contains("laurencemoroney.com").all()
    assert moroney["reference"].str.startswith("Second-hand: Laurence Moroney's blog post").all()
    # a first-hand figure (Stack Overflow's own 2019 results) keeps its reference as it was
    own = bundled[bundled["source"] == "Stack Overflow Developer Survey 2019"]
    assert not own["reference"].str.startswith("Second-hand").any()


# -- Stack Overflow's published results, 2019-2024 ----------------------------------------------------------------
def so_rows(frame, metric, year=None):
    rows = frame[(frame["metric"] == metric) & frame["source"].str.endswith("(published results)")]
    return rows if year is None else rows[rows["period_label"] == str(year)]


def test_stackoverflow_figures_match_the_published_table(bundled):
    """Every row of ../shared/data/surveys/stackoverflow_frameworks_2019_2024.csv (transcribed from Stack Overflow's
    technology.json) is in the bundle: share to its printed precision, count and base exactly."""
    table = list(csv.DictReader((SHARED / "data/surveys/stackoverflow_frameworks_2019_2024.csv").open(encoding="utf-8")))
    segments = {"All Respondents": "all respondents", "Professional Developers": "professional developers"}
    keyed = {m: so_rows(bundled, m).set_index(["period_label", "segment", "subject"])["value"]
             for m in ("so_survey_share", "so_survey_count", "so_survey_n")}
    for row in table:
        key = (row["year"], segments[row["segment"]], row["technology"])
        digits = len(row["percent"].split(".")[1]) if "." in row["percent"] else 0
        assert keyed["so_survey_share"][key] == pytest.approx(float(row["percent"]), abs=0.5 * 10 ** -digits), key
        assert keyed["so_survey_count"][key] == int(row["frequency"]), key
        assert keyed["so_survey_n"][key] == int(row["n_responses"]), key
    assert len(so_rows(bundled, "so_survey_count").query("segment in @segments.values()")) == len(table)


def test_stackoverflow_headline_of_sources(bundled):
    """The SOURCES headline: PyTorch passes TensorFlow in 2024 among all respondents and professionals."""
    shares = so_rows(bundled, "so_survey_share", 2024).set_index(["segment", "contender"])["value"]
    assert (shares[("all respondents", "pytorch")], shares[("all respondents", "tensorflow")]) == (10.57, 10.12)
    assert (shares[("professional developers", "pytorch")], shares[("professional developers", "tensorflow")]) == (9.1, 8.83)
    bases = so_rows(bundled, "so_survey_respondents").query("subject == '_answered'")
    n = bases.set_index(["period_label", "segment"])["value"]
    assert (n[("2019", "all respondents")], n[("2019", "professional developers")]) == (58543, 49861)
    assert (n[("2024", "all respondents")], n[("2024", "professional developers")]) == (45841, 35100)


def test_stackoverflow_learners_and_other_coders_2023_2024(bundled):
    bases = so_rows(bundled, "so_survey_respondents").query("subject == '_answered'")
    n = bases.set_index(["period_label", "segment"])["value"]
    assert {(y, s): n[(y, s)] for y in ("2023", "2024") for s in ("learning to code", "other coders")} == {
        ("2023", "learning to code"): 3482, ("2023", "other coders"): 3843,
        ("2024", "learning to code"): 4959, ("2024", "other coders"): 5782}
    learners = so_rows(bundled, "so_survey_share", 2024).query("segment == 'learning to code'")
    assert learners.set_index("subject")["value"]["Torch/PyTorch"] == 15.65
    assert set(so_rows(bundled, "so_survey_share", 2022)["segment"]) == {"all respondents", "professional developers"}


def test_stackoverflow_ml_rows_are_every_ml_option_of_each_year(bundled):
    """The ML rows are the year's options in the column map; each is in the archive's block for that year."""
    for year in range(2019, 2025):
        options = set(load_survey_map().year(year).options)
        stored = set(so_rows(bundled, "so_survey_count", year)["subject"])
        assert stored == options, year
    assert {"Hugging Face Transformers", "Scikit-Learn", "NumPy", "JAX"} <= set(so_rows(bundled, "so_survey_count", 2024)["subject"])


def test_field_labels_name_the_published_options(bundled):
    """Each contender's stackoverflow_survey label is the option Stack Overflow published that year, and a year
    the field leaves out had no such option (a note, never a zero)."""
    from mindshare.fields import load_field

    published = so_rows(bundled, "so_survey_share")
    for contender in load_field().contenders:
        labels = dict(contender.stackoverflow_survey)
        for year in range(2019, 2025):
            rows = published[(published["period_label"] == str(year)) & (published["contender"] == contender.id)]
            if str(year) in labels:
                assert set(rows["subject"]) == {labels[str(year)]} and rows["value"].notna().all()
            else:
                assert rows["value"].isna().all() and rows["value_text"].str.startswith("not an option").all()


def test_stackoverflow_caveats_are_data(bundled):
    # 2019-2020: the count is derived from the published % and n
    derived = so_rows(bundled, "so_survey_share", 2019)
    assert derived["note"].str.contains("count is derived as round").all()
    # 2021-2022: the % uses an implied base, not the published total; both are kept
    for year, segment, total, low, high in ((2021, "all respondents", 59921, 48592, 48646),
                                            (2022, "professional developers", 22130, 19027, 19355)):
        n = so_rows(bundled, "so_survey_n", year).query("segment == @segment")["value"]
        assert n.between(low, high).all() and (n < total).all()
        respondents = so_rows(bundled, "so_survey_respondents", year).query("segment == @segment")
        values = respondents.set_index("subject")["value"]
        assert values["_total_respondents_field"] == total and low <= values["_answered"] <= high
        assert respondents.set_index("subject")["note"]["_answered"].startswith("implied")
        shares = so_rows(bundled, "so_survey_share", year).query("segment == @segment")
        assert shares["note"].str.contains("implied").all()
    # 2023-2024: % = count / n, every row
    exact = so_rows(bundled, "so_survey_share", 2023).set_index(["segment", "subject"])["value"]
    counts = so_rows(bundled, "so_survey_count", 2023).set_index(["segment", "subject"])["value"]
    bases = so_rows(bundled, "so_survey_n", 2023).set_index(["segment", "subject"])["value"]
    assert ((100 * counts / bases.reindex(counts.index)).round(2) == exact.reindex(counts.index)).all()


def test_2022_conflicting_professional_readings_are_both_kept_and_flagged(bundled):
    shares = bundled[(bundled["metric"] == "so_survey_share") & (bundled["period_label"] == "2022")
                     & bundled["segment"].str.startswith("professional developers") & bundled["value"].notna()]
    for contender, archive, live in (("tensorflow", 11.74, 11.49), ("pytorch", 7.93, 7.61), ("keras", 6.78, 6.47)):
        rows = shares[shares["contender"] == contender].set_index("source")
        assert rows.loc[SO_SOURCE.format(year=2022), "value"] == archive
        live_row = rows.loc[[s for s in rows.index if "Moroney" in s][0]]
        assert live_row["value"] == live
        assert rows["note"].str.startswith(CONFLICT).all()
    # all respondents in 2022 had one reading: no flag; 2019's rounded site figures agree with the archive
    assert not bundled[bundled["source"] == SO_SOURCE.format(year=2022)].query(
        "segment == 'all respondents'")["note"].fillna("").str.startswith(CONFLICT).any()
    site_2019 = bundled[(bundled["source"] == "Stack Overflow Developer Survey 2019")
                        & (bundled["metric"] == "so_survey_share")]
    assert len(site_2019) == 4 and site_2019["note"].str.startswith("the same figure as").all()


def test_2025_has_no_frameworks_question_note(bundled):
    note = bundled[(bundled["metric"] == "so_survey_note") & (bundled["period_label"] == "2025")]
    assert len(note) == 1 and note["value"].isna().all()
    assert note["value_text"].iloc[0].startswith("the 2025 survey has no ML-frameworks question")
    assert not bundled[(bundled["period_label"] == "2025") & (bundled["signal"] == "usage")]["value"].notna().any()


def test_surveys_carry_their_publication_day_and_fielding_window(bundled):
    shares = so_rows(bundled, "so_survey_share")
    days = shares.groupby("period_label").agg(start=("period_start", "first"), end=("period_end", "first"),
                                              published=("published", "first"))
    assert days.loc["2024"].tolist() == [date(2024, 5, 20), date(2024, 6, 20), date(2024, 7, 24)]
    assert days.loc["2019"].tolist() == [date(2019, 1, 23), date(2019, 2, 12), date(2019, 4, 9)]
    assert shares["reference"].str.startswith("https://github.com/StackExchange/Survey/blob/").all()


# -- Kaggle ----------------------------------------------------------------------------------------------------------
def test_kaggle_rows_reference_the_raw_files(bundled):
    kaggle = bundled[bundled["source"].str.startswith("Kaggle Machine Learning & Data Science Survey")]
    assert set(kaggle["period_label"]) == {"2019", "2021"}
    for year, sha in (("2019", "5f4d52b4"), ("2021", "8f5deda7")):
        refs = kaggle[kaggle["period_label"] == year]["reference"]
        assert refs.str.contains(f"kaggle_survey_{year}.zip sha256:{sha}").all()
    shares = kaggle[(kaggle["metric"] == "kaggle_survey_share") & kaggle["value"].notna()]
    assert set(shares["segment"]) == {"all respondents", "data scientists"}
    pytorch = shares[(shares["contender"] == "pytorch")].set_index(["period_label", "segment"])["value"]
    assert round(pytorch[("2021", "all respondents")], 2) == 31.02 and round(pytorch[("2019", "data scientists")], 2) == 26.87


# -- Hacker News to 2026-07 ---------------------------------------------------------------------------------------
def hn(frame, source, metric, subject=None):
    rows = frame[(frame["source"] == source) & (frame["metric"] == metric) & frame["value"].notna()]
    if subject is not None:
        rows = rows[rows["subject"].str.lower() == subject.lower()]
    return rows.set_index(pd.to_datetime(rows["period_start"]).dt.strftime("%Y-%m"))["value"]


def test_hn_regex_series_runs_to_2026_07_without_the_2011_12_glitch(bundled):
    posts = hn(bundled, REGEX_SOURCE, "job_posts", "_posts")
    assert posts.index.min() == "2011-04" and posts.index.max() == "2026-07" and len(posts) == 180
    assert "2011-12" not in posts.index
    glitch = bundled[(bundled["source"] == REGEX_SOURCE) & (bundled["period_label"] == "2011-12")]
    assert len(glitch) == 1 and glitch["value"].isna().all() and glitch["value_text"].str.contains("1 post").all()
    regex = bundled[bundled["source"] == REGEX_SOURCE]
    assert (regex["method"] == HN_REGEX_METHOD).all() and (regex["published"] == date(2026, 8, 15)).all()
    pytorch = regex[(regex["metric"] == "posts_matching") & (regex["contender"] == "pytorch")]
    assert pytorch["note"].str.contains(r"\bpytorch\b", regex=False).all()


def test_hn_regex_yearly_figures_of_sources(bundled):
    """hn_hiring_2011_2026_SOURCES.md, yearly posts / TensorFlow / PyTorch."""
    posts = hn(bundled, REGEX_SOURCE, "job_posts", "_posts")
    tf, pt = hn(bundled, REGEX_SOURCE, "posts_matching", "TensorFlow"), hn(bundled, REGEX_SOURCE, "posts_matching", "PyTorch")
    yearly = {year: (posts[posts.index.str.startswith(year)].sum(), tf[tf.index.str.startswith(year)].sum(),
                     pt[pt.index.str.startswith(year)].sum()) for year in map(str, range(2019, 2027))}
    assert yearly == {"2019": (8439, 101, 36), "2020": (7126, 134, 67), "2021": (10286, 99, 91),
                      "2022": (7585, 48, 113), "2023": (4175, 41, 45), "2024": (3937, 25, 59),
                      "2025": (4050, 17, 86), "2026": (2247, 17, 46)}


@pytest.fixture(scope="module")
def both_methods(bundled):
    """The two HN series side by side, month by month, where both count."""
    dictionary = bundled[bundled["method"] == HN_DICTIONARY_METHOD]
    pick = lambda source, metric, subject: hn(bundled, source, metric, subject)  # noqa: E731
    frame = pd.DataFrame({
        "posts_dictionary": hn(dictionary, "ryanwi/hiringtrends", "job_posts", "_all_posts"),
        "posts_regex": pick(REGEX_SOURCE, "job_posts", "_posts"),
        "tf_dictionary": hn(dictionary, "ryanwi/hiringtrends", "posts_mentioning", "tensorflow"),
        "tf_regex": pick(REGEX_SOURCE, "posts_matching", "TensorFlow"),
        "pt_dictionary": hn(dictionary, "ryanwi/hiringtrends", "posts_mentioning", "pytorch"),
        "pt_regex": pick(REGEX_SOURCE, "posts_matching", "PyTorch")})
    return frame.dropna()


def test_the_two_hn_methods_over_their_common_months(both_methods):
    """SOURCES: over the 101 common months 2016-01..2024-05 per-month mentions differ by a mean of 0.77
    (TensorFlow) and 0.56 (PyTorch), at most 3; TensorFlow 714 vs 652, PyTorch 397 vs 352. Its post totals
    (84,105 vs 86,312) are over all 155 months both cover, 2011-04..2024-05 (ryanwi's 2011-12 of 3 posts
    included), not the 101."""
    common = both_methods[both_methods.index >= "2016-01"]
    assert len(common) == 101 and (common.index.min(), common.index.max()) == ("2016-01", "2024-05")
    for name, mean in (("tf", 0.77), ("pt", 0.56)):
        difference = (common[f"{name}_regex"] - common[f"{name}_dictionary"]).abs()
        assert round(difference.mean(), 2) == mean and difference.max() == 3
    assert (common["tf_regex"].sum(), common["tf_dictionary"].sum()) == (714, 652)
    assert (common["pt_regex"].sum(), common["pt_dictionary"].sum()) == (397, 352)
    assert (common["posts_regex"].sum(), common["posts_dictionary"].sum()) == (66376, 67960)
    # all months both cover; the regex series' 2011-12 glitch is left out, ryanwi's 3 posts of it stay
    assert len(both_methods) == 154
    assert (both_methods["posts_regex"].sum() + 1, both_methods["posts_dictionary"].sum() + 3) == (84105, 86312)


def test_the_bridge_decision_is_what_the_data_support(bundled, both_methods):
    """What MANIFEST's [hn_hiring_bridge] claims, recomputed: the ratio and the leader agree (bridged), the level
    differs by more than the counting noise (not bridged); the decision reaches the store as notes."""
    common = both_methods[both_methods.index >= "2016-01"]
    yearly = common.groupby(common.index.str[:4]).agg(["sum", "size"])
    full = yearly[yearly[("tf_regex", "size")] == 12]
    for year, row in full.iterrows():
        leader = lambda m: row[(f"pt_{m}", "sum")] > row[(f"tf_{m}", "sum")]  # noqa: E731
        assert leader("regex") == leader("dictionary"), year
        counts = [row[(f"{f}_{m}", "sum")] for f in ("tf", "pt") for m in ("regex", "dictionary")]
        if min(counts) >= 30:
            ratio = lambda m: row[(f"tf_{m}", "sum")] / row[(f"pt_{m}", "sum")]  # noqa: E731
            assert abs(ratio("regex") / ratio("dictionary") - 1) <= 0.10, year
    assert sorted(y for y, r in full.iterrows() if min(r[(c, "sum")] for c in ("tf_regex", "tf_dictionary",
                                                                                "pt_regex", "pt_dictionary")) >= 30) \
        == ["2019", "2020", "2021", "2022", "2023"]
    for name in ("tf", "pt"):
        regex, dictionary = common[f"{name}_regex"].sum(), common[f"{name}_dictionary"].sum()
        assert (regex - dictionary) / math.sqrt(dictionary) > 2.3     # beyond the totals' counting noise
    decisions = bundled[bundled["metric"] == BRIDGE_METRIC].set_index("subject")
    assert decisions.loc["_tensorflow_pytorch_ratio", "value_text"].startswith("BRIDGED")
    assert decisions.loc["_share_of_posts", "value_text"].startswith("NOT BRIDGED")
    assert (decisions["signal"] == "jobs").all() and decisions["value"].isna().all()
    assert set(manifest()["hn_hiring_bridge"]["methods"]) == {HN_DICTIONARY_METHOD, HN_REGEX_METHOD}


def test_a_fresh_store_holds_stackoverflow_2024_and_hn_2026_07(tmp_path):
    """What `make report` on a fresh clone leaves in the store, read back with `mindshare observations`."""
    from typer.testing import CliRunner

    from mindshare.cli import app

    db = tmp_path / "fresh.duckdb"
    usage = CliRunner().invoke(app, ["--db", str(db), "observations", "-s", "usage", "-m", "so_survey_share",
                                     "-c", "pytorch", "--format", "csv"])
    assert usage.exit_code == 0, usage.output
    rows = list(csv.DictReader(usage.stdout.splitlines()))
    assert any(r["period_label"] == "2024" and r["value"] == "10.57" for r in rows)
    jobs = CliRunner().invoke(app, ["--db", str(db), "observations", "-s", "jobs", "-m", "posts_matching", "-c",
                                    "pytorch", "--format", "csv"])
    assert jobs.exit_code == 0 and any(r["period_label"] == "2026-07" and r["value"] == "3.0"
                                       for r in csv.DictReader(jobs.stdout.splitlines()))


def test_a_series_recounted_later_carries_the_day_it_was_published(bundled):
    """ryanwi recounted every month 2011-04..2024-05 with its 2024 dictionary (commit c062e6e, 2024-06-02): what
    `--as-of 2020-01-01` may use of it is nothing, not the 2019 months."""
    ryanwi = bundled[bundled["source"] == "ryanwi/hiringtrends"]
    assert (ryanwi["published"] == date(2024, 6, 2)).all()
    stars = bundled[bundled["source"] == "EvanLi/Github-Ranking"]
    assert stars["published"].isna().all()        # a snapshot is public when taken: its own period's end
