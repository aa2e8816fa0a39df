"""`mindshare survey import --source kaggle`: the Kaggle ML & DS survey's multiple-choice file.

The real files first: ../shared/surveys/raw/kaggle_survey_2019.zip and kaggle_survey_2021.zip, whose figures are
../shared/data/surveys/kaggle_frameworks_2019_2021.csv (counted there with Python's csv module). The layouts of
2020 and 2022, of which no real file is at hand, are GENERATED (tests/survey_files.py) in the published layout:
one column per option named <question>_Part_<n> (2022: Q17_<n>), the option's text with its published spaces in
a ticked cell, and the question-text line under the header; their counts are recounted with Python's csv module.
"""

from __future__ import annotations

import csv
import json
import tomllib
from importlib import resources

import pytest
from survey_files import KAGGLE_SHAPES, PUBLISHED, RAW, expected_kaggle, write_kaggle
from typer.testing import CliRunner

from mindshare.bundle import bundled_observations
from mindshare.cli import app
from mindshare.errors import InputError, MindshareError
from mindshare.fields import load_field
from mindshare.importers.kaggle_survey import load_kaggle_map, read_kaggle
from mindshare.importers.surveys import ALL, ANSWERED, DATA_SCIENTISTS, EVERYONE
from mindshare.observations import MEASUREMENT_KEY, Methods
from mindshare.store import store_session

runner = CliRunner()


def published_figures(year: int) -> list[dict[str, str]]:
    with (PUBLISHED / "kaggle_frameworks_2019_2021.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["year"] == str(year)]


def to_published(text: str):
    """A published figure, as a value within half a unit of its last printed digit."""
    digits = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), abs=0.5 * 10 ** -digits + 1e-9)


@pytest.fixture(scope="module", params=[2019, 2021])
def real(request):
    year = request.param
    return year, read_kaggle(RAW / f"kaggle_survey_{year}.zip", year=year, field=load_field())


def test_real_files_give_every_published_figure(real):
    """Share of all respondents, of those who answered, of those who answered something but None, and of data
    scientists (all and answered), each with its n, to the published precision (counts exact, % to 2 places)."""
    year, result = real
    shares = result.shares.set_index(["subject", "segment", "base"])
    published = published_figures(year)
    assert len(published) == result.shares["subject"].nunique()          # every option, None and Other too
    none_count = int(next(r for r in published if r["framework"] == "None")["count_all"])
    for row in published:
        name = row["framework"]
        for segment, count, n_all, pct_all, n_answered, pct_answered in (
                (ALL, "count_all", "n_all_respondents", "pct_of_all", "n_answered", "pct_of_answered"),
                (DATA_SCIENTISTS, "count_data_scientists", "n_data_scientists", "pct_of_data_scientists",
                 "n_ds_answered", "pct_of_ds_answered")):
            of_all, of_answered = shares.loc[(name, segment, EVERYONE)], shares.loc[(name, segment, ANSWERED)]
            assert (of_all["count"], of_all["n"]) == (int(row[count]), int(row[n_all])), (name, segment)
            assert of_all["share_pct"] == to_published(row[pct_all]), (name, segment)
            assert (of_answered["count"], of_answered["n"]) == (int(row[count]), int(row[n_answered]))
            assert of_answered["share_pct"] == to_published(row[pct_answered]), (name, segment)
        answered_not_none = result.total(ALL).n_answered - none_count
        assert answered_not_none == int(row["n_answered_not_none"])
        assert 100 * int(row["count_all"]) / answered_not_none == to_published(row["pct_of_answered_not_none"])


def test_real_files_map_options_to_contenders(real):
    year, result = real
    by_contender = result.shares.dropna(subset=["contender"]).groupby("contender")["subject"].first()
    assert by_contender["pytorch"] == "PyTorch" and by_contender["tensorflow"] == "TensorFlow"
    assert ("jax" in by_contender) == (year == 2021) and ("mxnet" in by_contender) == (year == 2021)
    # 'PyTorch Lightning' and 'Huggingface' are not PyTorch; they are kept under their own names
    lightning = result.shares[result.shares["subject"] == "PyTorch Lightning"]
    assert (year == 2021) == (not lightning.empty) and lightning["contender"].isna().all()
    assert {c.id for c in result.absent} == {c.id for c in load_field().contenders} - set(by_contender.index)


def test_the_bundle_carries_what_the_import_stores(real):
    """The bundled Kaggle rows are the import's rows (same measurement, same value), with the raw file's
    provenance; importing the raw file again therefore adds nothing new to the store's latest view."""
    year, result = real
    mine = result.observations[result.observations["value"].notna()]
    bundled = bundled_observations()
    bundled = bundled[(bundled["source"] == result.source) & bundled["value"].notna()]
    key = [k for k in MEASUREMENT_KEY if not k.startswith("period_")] + ["period_label"]
    joined = mine.merge(bundled, on=key, suffixes=("_import", "_bundle"), how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"][key]
    assert (joined["value_import"] == joined["value_bundle"]).all()
    assert (bundled["method"] == Methods.SURVEY_IMPORT).all()
    assert bundled["reference"].str.contains(f"kaggle_survey_{year}.zip sha256:").all()
    assert bundled["reference"].str.contains(result.sha256).all()           # the very file the test imported


def test_cli_imports_the_real_2019_zip(tmp_path):
    db = tmp_path / "s.duckdb"
    done = runner.invoke(app, ["--db", str(db), "survey", "import", str(RAW / "kaggle_survey_2019.zip"),
                               "--source", "kaggle", "--year", "2019"])
    assert done.exit_code == 0, done.output
    assert "all respondents 19,717 (13,753 answered the question)" in done.output
    with store_session(db) as store:
        stored = store.observations(signal="usage", source="Kaggle Machine Learning & Data Science Survey 2019",
                                    snapshot_kind="import")
    shares = stored[(stored["metric"] == "kaggle_survey_share") & (stored["contender"] == "pytorch")]
    assert dict(zip(shares["segment"], shares["value"].round(2))) == {ALL: 24.81, DATA_SCIENTISTS: 26.87}


def test_wrong_year_and_other_survey_are_named(tmp_path):
    with pytest.raises(InputError, match="holds the Kaggle survey of 2019 .* check --year"):
        read_kaggle(RAW / "kaggle_survey_2019.zip", year=2021, field=load_field())
    db = tmp_path / "s.duckdb"
    done = runner.invoke(app, ["--db", str(db), "survey", "import", str(RAW / "stackoverflow_2019_first300rows.csv"),
                               "--source", "kaggle", "--year", "2019"])
    assert done.exit_code != 0 and isinstance(done.exception, MindshareError)
    assert "Stack Overflow survey of 2019 or 2020 — use --source stackoverflow" in str(done.exception)
    assert not db.exists()


def test_every_year_says_whether_it_was_checked_against_a_real_file():
    data = tomllib.loads((resources.files("mindshare") / "data/surveys/kaggle.toml").read_text("utf-8"))
    for year, entry in data["years"].items():
        assert isinstance(entry.get("verified"), bool) and bool(entry.get("checked")) == entry["verified"], year
    assert {y for y, e in data["years"].items() if e["verified"]} == {"2019", "2021"}
    assert {load_kaggle_map().year(y).prefix for y in (2019, 2021, 2022)} == {"Q28_Part_", "Q16_Part_", "Q17_"}


# -- generated layouts ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", sorted(KAGGLE_SHAPES))
def test_shares_match_an_independent_count(tmp_path, year):
    path = write_kaggle(tmp_path / f"kaggle_{year}.csv", year, 600, seed=year)
    expected = expected_kaggle(path, year)
    result = read_kaggle(path, year=year, field=load_field())
    assert result.total(ALL).n_all == expected["n_all"] == 600  # the question line is not a respondent
    assert result.total(ALL).n_answered == expected["n_answered"]
    answered = result.shares[(result.shares.base == ANSWERED)].dropna(subset=["contender"]).set_index("contender")
    for option, contender in (("TensorFlow", "tensorflow"), ("PyTorch", "pytorch"), ("Keras", "keras")):
        assert answered.loc[contender, "count"] == expected[option]
        assert answered.loc[contender, "share_pct"] == pytest.approx(100 * expected[option] / expected["n_answered"],
                                                                     abs=1e-3)
    assert ("jax" in answered.index) == (year >= 2020)
    assert ("mxnet" in answered.index) == (year in (2020, 2021))
    assert "PyTorch Lightning" not in set(answered["subject"]) and "Pytorch Lightning" not in set(answered["subject"])
    assert any("no job-title column" in r for r in result.remarks)      # the generated files have no Q5 / Q23


def test_cli_json_and_wrong_year(tmp_path):
    path = write_kaggle(tmp_path / "kaggle_2020.csv", 2020, 200)
    db = tmp_path / "s.duckdb"
    ok = runner.invoke(app, ["--db", str(db), "survey", "import", str(path), "--source", "kaggle", "--year", "2020",
                             "--json"])
    assert ok.exit_code == 0, ok.output
    records = json.loads(ok.stdout)
    assert {r["segment"] for r in records} == {"all respondents"}
    assert all(r["ci_low"] <= r["share_pct"] <= r["ci_high"] for r in records)
    with pytest.raises(InputError, match="expected columns Q2, Q17_1.*match the 2020 or 2021 survey"):
        read_kaggle(path, year=2022, field=load_field())
