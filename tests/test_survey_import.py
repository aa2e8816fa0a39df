"""`mindshare survey import`: shares with Wilson intervals from Stack Overflow survey files.

The survey files are GENERATED (tests/survey_files.py) with each year's published column names and option
strings: no raw survey file is available in ../shared. Expected figures are recounted independently here with
Python's csv module, never hard-coded.
"""

from __future__ import annotations

import json
import math
import zipfile

import duckdb
import pytest
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.errors import InputError, MindshareError
from mindshare.fields import load_field
from mindshare.sources.stackoverflow_survey import load_survey_map, read_survey, wilson_interval
from survey_files import SHAPES, expected_counts, write_survey, zip_survey

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=True)


def survey_rows(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observations WHERE signal = 'usage' "
                           "AND method = 'mindshare survey import v1'").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def survey_2019(tmp_path_factory):
    folder = tmp_path_factory.mktemp("survey")
    csv_path = write_survey(folder / "survey_results_public.csv", 2019, 3000, seed=11)
    return csv_path, zip_survey(csv_path, folder / "developer_survey_2019.zip")


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for count, n in [(0, 10), (3, 10), (489, 3508), (50, 50)]:
        low, high = wilson_interval(count, n)
        ref_low, ref_high = proportion_confint(count, n, alpha=0.05, method="wilson")
        assert math.isclose(low, ref_low, abs_tol=1e-9) and math.isclose(high, ref_high, abs_tol=1e-9)


@pytest.mark.parametrize("use_zip", [False, True])
def test_2019_shares_match_an_independent_count(survey_2019, tmp_path, use_zip):
    csv_path, zip_path = survey_2019
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "survey", "import", str(zip_path if use_zip else csv_path),
                 "--source", "stackoverflow", "--year", "2019", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert {"contender", "segment", "share_pct", "ci_low", "ci_high", "n"} <= set(records[0])
    expected = expected_counts(csv_path, 2019, ["TensorFlow", "Torch/PyTorch"])
    by = {(r["contender"], r["segment"], r["base"]): r for r in records}
    for contender, option in (("tensorflow", "TensorFlow"), ("pytorch", "Torch/PyTorch")):
        for segment, prefix, answered, every in (("all respondents", "all", "n_answered", "n_all"),
                                                 ("professional developers", "pro", "n_answered_pro", "n_all_pro")):
            count = expected[f"{prefix}:{option}"]
            for base, n in (("answered the question", expected[answered]), ("all respondents", expected[every])):
                record = by[(contender, segment, base)]
                assert record["n"] == n
                assert record["share_pct"] == pytest.approx(100 * count / n, abs=1e-3)
                low, high = wilson_interval(count, n)
                assert record["ci_low"] == pytest.approx(100 * low, abs=1e-3)
                assert record["ci_high"] == pytest.approx(100 * high, abs=1e-3)
                assert record["ci_low"] < record["share_pct"] < record["ci_high"]
    # stored as one snapshot with the file's hash as reference
    with _store(db) as store:
        frame = store.observations(signal="usage", source="Stack Overflow Developer Survey 2019")
    mine = frame[frame["method"] == "mindshare survey import v1"]
    assert mine["snapshot_id"].nunique() == 1
    assert mine["reference"].str.contains("sha256:").all()
    shares = mine[(mine["metric"] == "so_survey_share") & mine["value"].notna()]
    assert set(shares["segment"]) == {"all respondents", "professional developers"}
    # contenders that were not an option in 2019 are notes, never zeros
    notes = mine[(mine["metric"] == "so_survey_share") & mine["value"].isna()]
    assert "jax" in set(notes["contender"]) and notes["value_text"].str.contains("not an option").all()


def _store(db):
    from mindshare.store import store_session

    return store_session(db)


@pytest.mark.parametrize("year", sorted(SHAPES))
def test_every_year_reads_its_own_column_names(tmp_path, year):
    path = write_survey(tmp_path / f"{year}.csv", year, 400, seed=year)
    result = read_survey(path, year=year, field=load_field())
    year_map = load_survey_map().year(year)
    offered = [o for o in year_map.options if load_field().find(o)]
    expected = expected_counts(path, year, offered)
    assert result.counts["n_all"] == 400
    assert result.counts["n_answered"] == expected["n_answered"]
    for option in offered:
        contender = load_field().find(option).id
        row = result.shares[(result.shares.contender == contender) & (result.shares.segment == "all respondents")
                            & (result.shares.base == "answered the question")].iloc[0]
        assert row["count"] == expected[f"all:{option}"]
    assert result.has_professional == (year_map.professional_column is not None)
    if year == 2017:
        assert result.shares.empty and len(result.absent) == len(load_field().contenders)


def test_wrong_year_is_refused_naming_expected_and_found_columns(survey_2019, tmp_path):
    csv_path, _ = survey_2019
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "survey", "import", str(csv_path), "--source", "stackoverflow", "--year", "2022")
    assert result.exit_code != 0
    with pytest.raises(InputError) as caught:
        read_survey(csv_path, year=2022, field=load_field())
    message = str(caught.value)
    assert "expected columns ResponseId, MiscTechHaveWorkedWith, MainBranch" in message
    assert "found Respondent, MainBranch" in message and "2019" in message
    assert not db.exists() or survey_rows(db) == 0


def test_unknown_year(survey_2019):
    with pytest.raises(InputError, match="known years: 2017"):
        read_survey(survey_2019[0], year=2016, field=load_field())


def test_truncated_zip_is_refused_and_nothing_stored(survey_2019, tmp_path):
    _, zip_path = survey_2019
    broken = tmp_path / "broken.zip"
    broken.write_bytes(zip_path.read_bytes()[: zip_path.stat().st_size // 2])
    assert_refused_and_nothing_stored(broken, tmp_path, "truncated zip")


def assert_refused_and_nothing_stored(path, tmp_path, match: str) -> None:
    """Reading fails with `match`; the CLI import exits non-zero with a MindshareError and stores no row."""
    with pytest.raises(InputError, match=match):
        read_survey(path, year=2019, field=load_field())
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "survey", "import", str(path), "--source", "stackoverflow", "--year", "2019")
    assert result.exit_code != 0 and isinstance(result.exception, MindshareError)
    assert not db.exists() or survey_rows(db) == 0


def test_zip_with_corrupt_member_is_refused(survey_2019, tmp_path):
    _, zip_path = survey_2019
    data = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo("survey_results_public.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start:start + 64] = bytes(64)  # damage the compressed stream, keep the central directory
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged or truncated zip"):
        read_survey(damaged, year=2019, field=load_field())


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_survey(empty, year=2019, field=load_field())
    header = tmp_path / "header.csv"
    write_survey(header, 2019, 0)
    with pytest.raises(InputError, match="no respondents"):
        read_survey(header, year=2019, field=load_field())


def test_non_utf8_bytes_are_refused(tmp_path):
    path = write_survey(tmp_path / "latin1.csv", 2019, 50)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-8") + "51,I am a developer by profession,Côte d'Ivoire\n".encode("latin-1"))
    assert_refused_and_nothing_stored(path, tmp_path, "not UTF-8|cannot read")


def test_reimporting_the_same_file_adds_nothing(survey_2019, tmp_path):
    csv_path, _ = survey_2019
    db = tmp_path / "s.duckdb"
    first = run("--db", str(db), "survey", "import", str(csv_path), "--source", "stackoverflow", "--year", "2019")
    assert first.exit_code == 0, first.output
    rows = survey_rows(db)
    assert rows > 0
    again = run("--db", str(db), "survey", "import", str(csv_path), "--source", "stackoverflow", "--year", "2019")
    assert again.exit_code == 0 and "already stored" in again.output
    assert survey_rows(db) == rows
