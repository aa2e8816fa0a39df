"""The any-field history (data/history/, mindshare.history): what a read returns, what it costs, and that the
bundled files are what scripts/build_history.py makes of the shared data."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from conftest import REPO, SHARED

from mindshare import history
from mindshare.history import FLAGGED, ReadStats, SurveyOption, Wanted, observations
from mindshare.observations import COLUMNS
from mindshare.store import normalise_observations

COMMIT_URL = re.compile(r"^https://github\.com/[^/]+/[^/]+/blob/[0-9a-f]{40}/\S+$")


@pytest.fixture(scope="module")
def polars_pandas() -> pd.DataFrame:
    return observations([
        Wanted("polars", pypi=("polars",), github=("pola-rs/polars",)),
        Wanted("pandas", pypi=("Pandas",), github=("Pandas-Dev/Pandas",),
               survey=(SurveyOption(2024, "other frameworks and libraries", "Pandas"),
                       SurveyOption(2019, "other frameworks and libraries", "Pandas"))),
    ])


def test_rows_have_the_store_columns_and_every_number_its_provenance(polars_pandas):
    frame = polars_pandas
    assert list(frame.columns) == [c for c in COLUMNS if c not in ("snapshot_id", "kind")]
    normalise_observations(frame)    # the store's own check: it raises on a row that breaks the schema
    numbers = frame[frame["value"].notna()]
    # a survey segment's base belongs to no contender (the shape of importers.surveys)
    assert set(numbers["contender"].fillna("(base)")) == {"polars", "pandas", "(base)"}
    assert set(numbers.loc[numbers["contender"].isna(), "metric"]) == {"so_survey_respondents"}
    assert numbers["reference"].map(lambda r: bool(COMMIT_URL.match(r))).all()
    for column in ("source", "method", "query", "period_end", "published", "collected_at"):
        assert numbers[column].notna().all(), column
    assert (numbers["published"] >= numbers["period_end"]).all()   # nothing known before its period ended


def test_pypi_downloads_keep_each_snapshots_counting_method(polars_pandas):
    pandas_rows = polars_pandas[(polars_pandas["subject"] == "pandas") & (polars_pandas["source"] == history.PYPI)]
    methods = set(pandas_rows["method"])
    assert "BigQuery via pypinfo --days 30, pip installer only (pypinfo default)" in methods
    assert "ClickHouse pypi.pypi_downloads_per_month, full previous calendar month, all installers" in methods
    assert len(methods) >= 5     # the 2024-2025 changes: all installers, 22-29 day windows, ClickHouse
    april = pandas_rows[pandas_rows["period_label"] == "2026-04-01"].iloc[0]
    assert april["value"] == 625_238_676
    assert (april["period_start"], april["period_end"]) == (date(2026, 3, 1), date(2026, 3, 31))
    short = pandas_rows[pandas_rows["method"].str.contains("--days 22")].iloc[0]
    assert (short["period_end"] - short["period_start"]).days == 21


def test_a_snapshot_without_the_project_is_a_note_not_a_zero(polars_pandas):
    polars = polars_pandas[(polars_pandas["subject"] == "polars") & (polars_pandas["source"] == history.PYPI)]
    early = polars[polars["period_label"] == "2018-02-07"].iloc[0]
    assert pd.isna(early["value"])
    assert early["value_text"] == "absent from the top 5,000 (so below 4,776)"
    assert polars["value"].notna().sum() > 20 and (polars["value"].dropna() > 0).all()


def test_best_of_ml_python_rows_carry_its_licence_and_flagged_values_are_never_numbers():
    frame = observations([Wanted("pytorch", pypi=("torch",), github=("pytorch/pytorch",)),
                          Wanted("tensorflow", github=("tensorflow/tensorflow",))])
    best = frame[frame["source"] == history.BEST_OF]
    assert history.BEST_OF == "best-of-ml-python, Lukas Masuch (CC BY-SA 4.0)"
    assert best["note"].str.contains("best-of-ml-python, Lukas Masuch; licence CC BY-SA 4.0", regex=False).all()
    dependents = best[(best["metric"] == "github_dependents") & (best["contender"] == "pytorch")]
    august = dependents[dependents["period_label"].between("2023-08-10", "2023-08-31")]
    assert len(august) == 4 and august["value"].isna().all()
    assert august["value_text"].str.startswith(FLAGGED).all()
    assert august["value_text"].str.contains("pytorch-dependents-2023-08").all()
    latest = dependents[dependents["period_label"] == "2025-10-30"].iloc[0]
    assert latest["value"] == 827_538       # the figure issue 20 quotes for the DL report
    contributors = best[(best["metric"] == "contributors") & (best["contender"] == "tensorflow")]
    capped = contributors[contributors["value_text"].str.startswith(FLAGGED)]
    assert len(capped) >= 11 and capped["value_text"].str.contains("contributors-api-cap").all()
    assert contributors["value"].dropna().min() > 3000
    dip = best[(best["metric"] == "downloads_month") & (best["period_label"] == "2021-12-09")]
    assert not dip.empty and dip["value"].isna().all()
    # the catalogue has no record for these two columns yet: they are not read (never a metric declared here)
    assert not set(best["metric"]) & {"pypi_dependents", "conda_downloads_total"}


def test_one_reader_of_best_of_the_bundles_dependents_and_the_historys_are_one_measurement():
    """The bundle's excerpt (importers.best_of.dependents_observations) and the history give the same figure the
    same measurement key: loaded both, a figure is one row in the store's latest view, never two."""
    from mindshare.bundle import bundle_folder
    from mindshare.bundle import manifest as bundle_manifest
    from mindshare.fields import load_field
    from mindshare.importers.best_of import dependents_observations
    from mindshare.observations import MEASUREMENT_KEY

    about = bundle_manifest()["best_of_ml_python"]
    bundled = dependents_observations(bundle_folder() / about["file"], about, load_field("deep-learning"))
    read = observations([Wanted("pytorch", pypi=("torch",), github=("pytorch/pytorch",))])
    read = read[read["metric"] == "github_dependents"]
    keys = list(MEASUREMENT_KEY)
    mine = bundled[bundled["contender"] == "pytorch"]
    joined = mine.merge(read, on=keys, suffixes=("_bundle", "_history"))
    assert len(joined) >= 0.9 * len(mine)
    same = joined.dropna(subset=["value_bundle", "value_history"])
    assert (same["value_bundle"] == same["value_history"]).all()


def test_a_moved_repository_is_read_under_each_of_its_names():
    frame = observations([Wanted("fastapi", github=("fastapi/fastapi",))])
    stars = frame[(frame["metric"] == "github_stars") & (frame["source"] == history.GITHUB)]
    by_name = stars.groupby("subject")["period_label"].agg(["min", "max"])
    assert set(by_name.index) == {"tiangolo/fastapi", "fastapi/fastapi"}
    assert by_name.loc["tiangolo/fastapi", "max"] < by_name.loc["fastapi/fastapi", "min"]
    assert (stars["contender"] == "fastapi").all()
    assert history.github_names("TIANGOLO/fastapi") == {"tiangolo/fastapi", "fastapi/fastapi"}


def test_survey_options_by_topic_or_by_the_years_own_question_key():
    frame = observations([Wanted("react", survey=(SurveyOption(2019, "web frameworks", "React.js"),
                                                   SurveyOption(2023, "Webframe", "React")))])
    shares = frame[(frame["metric"] == "so_survey_share") & (frame["segment"] == "all respondents")]
    assert dict(zip(shares["period_label"], shares["value"])) == {"2019": 31.2605, "2023": 40.58}
    year_2019 = frame[frame["period_label"] == "2019"]
    assert year_2019["note"].dropna().str.contains("count is derived").any()
    assert (frame["signal"] == "usage").all()
    bases = frame[(frame["metric"] == "so_survey_respondents") & (frame["period_label"] == "2023")]
    assert set(bases["segment"]) == {"all respondents", "professional developers", "learning to code",
                                     "other coders"}
    n = frame[(frame["metric"] == "so_survey_n") & (frame["period_label"] == "2023")
              & (frame["segment"] == "all respondents")]["value"].iloc[0]
    assert n == 71_802


def test_names_the_history_does_not_hold_give_no_rows():
    frame = observations([Wanted("nothing", pypi=("no-such-project-xyz",), github=("nobody/nothing",),
                                 survey=(SurveyOption(2024, "web frameworks", "No Such Framework"),))])
    assert frame.empty
    assert list(frame.columns) == [c for c in COLUMNS if c not in ("snapshot_id", "kind")]


def test_a_read_decodes_only_the_row_groups_that_can_hold_the_projects():
    stats = ReadStats()
    observations([Wanted("polars", pypi=("polars",)), Wanted("pandas", pypi=("pandas",))], stats=stats)
    # PyPI's history and best-of-ml-python's (which lists both projects by their PyPI names); no GitHub file
    assert stats.files == ["pypi_downloads.parquet", "best_of_ml_python.parquet"]
    assert stats.row_groups_total > 100
    assert stats.row_groups_read <= 4
    total = sum(p.stat().st_size for p in history.history_folder().glob("*.parquet"))
    assert stats.bytes_read < total / 10


def test_licences_name_every_source():
    found = history.licences()
    assert found[history.BEST_OF_MANIFEST]["licence"] == "CC BY-SA 4.0"
    assert "Lukas Masuch" in found[history.BEST_OF_MANIFEST]["attribution"]
    assert "no" in found[history.PYPI]["licence"] and "none stated" in found[history.GITHUB]["licence"]


def test_the_bundled_history_is_what_the_build_script_makes_of_the_shared_data():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "build_history.py"), "--check",
                             "--shared", str(SHARED / "data")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr or result.stdout
