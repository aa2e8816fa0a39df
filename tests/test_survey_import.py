"""`mindshare survey import --source stackoverflow`: real Stack Overflow files first, then generated ones.

The real rows (../shared/surveys/raw/, figures in ../shared/surveys/SOURCES.md): 2019 (300 rows, the header line
repeated three times), 2024 (3 rows), 2025 (no frameworks question). Every other layout, and files with thousands
of answers, are GENERATED (tests/survey_files.py) with each year's published column names and option strings;
their expected figures are recounted here with Python's csv module, never hard-coded.
"""

from __future__ import annotations

import csv
import json
import math
import re
import tomllib
import zipfile
from importlib import resources

import duckdb
import pytest
from survey_files import BOTH, RAW, SHAPES, expected_counts, write_survey, zip_survey
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.commands.survey import with_intervals
from mindshare.errors import InputError, MindshareError
from mindshare.fields import load_field
from mindshare.importers.stackoverflow_survey import load_survey_map, read_survey
from mindshare.importers.surveys import ANSWERED, PROFESSIONAL
from mindshare.observations import Methods
from mindshare.store import store_session

runner = CliRunner()
SO_2019 = RAW / "stackoverflow_2019_first300rows.csv"
SO_2024 = RAW / "stackoverflow_2024_first3rows.csv"
SO_2025 = RAW / "stackoverflow_2025_first1000rows.csv"


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=True)


def imported_rows(db) -> int:
    if not db.exists():
        return 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observations WHERE method = ?", [Methods.SURVEY_IMPORT]).fetchone()[0]
    finally:
        con.close()


def share(result, contender, segment, base=ANSWERED):
    rows = result.shares[(result.shares.contender == contender) & (result.shares.segment == segment)
                         & (result.shares.base == base)]
    return rows.iloc[0]


def real_rows(path, id_column):
    """The file's respondents with Python's csv module: every line but the header and its repeats."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r[id_column] != id_column]


# -- the real files -------------------------------------------------------------------------------------------
def test_real_2019_rows_give_the_figures_in_sources():
    result = read_survey(SO_2019, year=2019, field=load_field())
    everyone = result.total("all respondents")
    assert (everyone.n_all, everyone.n_answered) == (300, 200)          # the two repeated header lines are not rows
    assert any("2 repeated header line" in r for r in result.remarks)
    for contender, count, pct in (("tensorflow", 15, 7.5), ("pytorch", 5, 2.5)):
        row = share(result, contender, "all respondents")
        assert (row["count"], row["n"], row["share_pct"]) == (count, 200, pct)
    pandas = result.shares[(result.shares.subject == "Pandas") & (result.shares.segment == "all respondents")
                           & (result.shares.base == ANSWERED)].iloc[0]
    assert (pandas["count"], pandas["share_pct"]) == (25, 12.5)


def test_real_2019_professional_developers_follow_stack_overflows_definition():
    """SOURCES gives 'developer by profession' and answered: 153 (TensorFlow 8, Torch/PyTorch 4); Stack Overflow's
    published segment adds 'not primarily a developer, but I write code sometimes as part of my work'."""
    rows = [r for r in real_rows(SO_2019, "Respondent") if r["MiscTechWorkedWith"] != "NA"]
    by_profession = [r for r in rows if r["MainBranch"] == "I am a developer by profession"]
    ticked = lambda rs, option: sum(option in r["MiscTechWorkedWith"].split(";") for r in rs)  # noqa: E731
    assert (len(by_profession), ticked(by_profession, "TensorFlow"), ticked(by_profession, "Torch/PyTorch")) == (153, 8, 4)
    professional = [r for r in rows if r["MainBranch"] in BOTH]
    result = read_survey(SO_2019, year=2019, field=load_field())
    assert result.total(PROFESSIONAL).n_answered == len(professional) > 153
    assert share(result, "tensorflow", PROFESSIONAL)["count"] == ticked(professional, "TensorFlow")
    assert share(result, "pytorch", PROFESSIONAL)["count"] == ticked(professional, "Torch/PyTorch")


def test_real_2024_rows_import(tmp_path):
    db = tmp_path / "s.duckdb"
    done = run("--db", str(db), "survey", "import", str(SO_2024), "--source", "stackoverflow", "--year", "2024")
    assert done.exit_code == 0, done.output
    rows = real_rows(SO_2024, "ResponseId")
    answered = [r for r in rows if r["MiscTechHaveWorkedWith"] not in ("", "NA")]
    with store_session(db) as store:
        stored = store.observations(signal="usage", source="Stack Overflow Developer Survey 2024")
    mine = stored[stored["method"] == Methods.SURVEY_IMPORT]
    totals = mine[(mine["metric"] == "so_survey_respondents") & (mine["segment"] == "all respondents")]
    assert dict(zip(totals["subject"], totals["value"])) == {"_respondents": len(rows), "_answered": len(answered)}
    pytorch = mine[(mine["metric"] == "so_survey_count") & (mine["contender"] == "pytorch")]
    assert set(pytorch["segment"]) == {"all respondents", PROFESSIONAL} and (pytorch["value"] == 0).all()
    assert mine["published"].dt.date.astype(str).eq("2024-07-24").all()     # the results' publication day
    assert (mine["period_label"] == "2024").all()


def test_real_2025_file_is_refused_and_nothing_stored(tmp_path):
    db = tmp_path / "s.duckdb"
    done = run("--db", str(db), "survey", "import", str(SO_2025), "--source", "stackoverflow", "--year", "2025")
    assert done.exit_code != 0 and isinstance(done.exception, MindshareError)
    assert "the 2025 survey has no ML-frameworks question" in str(done.exception)
    assert str(SO_2025) in str(done.exception)
    assert imported_rows(db) == 0
    # given as another year, the file is recognised as 2025's
    with pytest.raises(InputError, match="columns match the 2025 survey, and the 2025 survey has no ML-frameworks"):
        read_survey(SO_2025, year=2024, field=load_field())


def test_the_2025_file_and_schema_have_no_frameworks_question():
    """What the column map's `frameworks_question = false` for 2025 rests on (SOURCES: no column names them)."""
    with SO_2025.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    with (RAW / "stackoverflow_2025_schema.csv").open(encoding="utf-8", newline="") as handle:
        schema = " ".join(" ".join(row) for row in csv.reader(handle)).lower()
    for name in ("tensorflow", "pytorch", "keras", "hugging face", "scikit-learn", "numpy", "pandas"):
        assert not any(name in column.lower() for column in header) and name not in schema
    assert not any(c.startswith("MiscTech") for c in header)


def test_every_year_says_whether_it_was_checked_against_a_real_file():
    data = tomllib.loads((resources.files("mindshare") / "data/surveys/stackoverflow.toml").read_text("utf-8"))
    for year, entry in data["years"].items():
        assert isinstance(entry.get("verified"), bool), year
        assert bool(entry.get("checked")) == entry["verified"], year
    assert {y for y, e in data["years"].items() if e["verified"]} == {"2019", "2024", "2025"}
    for year in (2019, 2020, 2021, 2022, 2023, 2024):
        assert load_survey_map().year(year).professional_values, year


def test_field_labels_are_options_of_their_year():
    """Every label the field gives a contender for a year is one of that year's options in the column map."""
    survey = load_survey_map()
    for contender in load_field().contenders:
        for year, label in contender.stackoverflow_survey:
            assert label in survey.year(int(year)).options, (contender.id, year, label)


# -- bad input: one line naming the file and the problem, non-zero exit, nothing stored ------------------------
def assert_refused(path, tmp_path, match: str, year: int = 2019, source: str = "stackoverflow") -> str:
    db = tmp_path / "refused.duckdb"
    done = run("--db", str(db), "survey", "import", str(path), "--source", source, "--year", str(year))
    assert done.exit_code != 0 and isinstance(done.exception, MindshareError), done.output
    message = str(done.exception)
    assert str(path) in message and "\n" not in message
    assert "Possible" not in message and "ignore_errors" not in message and "encoding=" not in message
    assert re.search(match, message), message
    assert imported_rows(db) == 0
    return message


def test_a_folder_is_said_to_be_a_folder(tmp_path):
    assert_refused(tmp_path, tmp_path, "is a folder, not a file")


def test_a_file_of_another_survey_is_named(tmp_path):
    assert_refused(RAW / "kaggle_survey_2019.zip", tmp_path, "Kaggle ML & DS survey of 2019.*use --source kaggle")
    with zipfile.ZipFile(RAW / "kaggle_survey_2019.zip") as archive:
        archive.extract("multiple_choice_responses.csv", tmp_path)
    assert_refused(tmp_path / "multiple_choice_responses.csv", tmp_path, "Kaggle ML & DS survey of 2019 .*--source kaggle")


@pytest.fixture(scope="module")
def survey_2019(tmp_path_factory):
    folder = tmp_path_factory.mktemp("survey")
    csv_path = write_survey(folder / "survey_results_public.csv", 2019, 3000, seed=11)
    return csv_path, zip_survey(csv_path, folder / "developer_survey_2019.zip")


def test_truncated_zip_is_refused(survey_2019, tmp_path):
    _, zip_path = survey_2019
    broken = tmp_path / "broken.zip"
    broken.write_bytes(zip_path.read_bytes()[: zip_path.stat().st_size // 2])
    assert_refused(broken, tmp_path, "damaged or truncated zip")


def test_zip_with_corrupt_member_is_refused(survey_2019, tmp_path):
    _, zip_path = survey_2019
    data = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo("survey_results_public.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start:start + 64] = bytes(64)  # damage the compressed stream, keep the central directory
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    assert_refused(damaged, tmp_path, "damaged or truncated zip")


def test_non_utf8_bytes_are_refused_with_their_line(tmp_path):
    path = write_survey(tmp_path / "latin1.csv", 2019, 50)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if i > 20 and "Côte" in line)   # 0-based
    path.write_bytes(b"".join(line.encode("latin-1", "replace") if i == number else line.encode("utf-8")
                              for i, line in enumerate(lines)))
    assert_refused(path, tmp_path, rf"latin1\.csv, line {number + 1}: bytes that are not UTF-8")


def test_utf16_file_is_refused(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(SO_2019.read_text(encoding="utf-8").encode("utf-16"))
    assert_refused(path, tmp_path, "UTF-16 text, not UTF-8")


def test_a_header_naming_a_column_twice_is_refused(tmp_path):
    """Two copies of a header side by side: DuckDB would rename the second and count one of them silently."""
    lines = SO_2019.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "twice.csv"
    path.write_text("\n".join([lines[0] + "," + lines[0], *(line + "," + line for line in lines[1:50]
                                                              if not line.startswith("Respondent"))]) + "\n",
                    encoding="utf-8")
    assert_refused(path, tmp_path, "line 1: the header names the column 'Respondent' twice")


def test_a_repeated_header_of_another_layout_is_refused(tmp_path):
    """A 2019 file with a 2020-like header pasted into it: the repeated line is not the file's own header."""
    lines = SO_2019.read_text(encoding="utf-8").splitlines()
    other = ",".join("MainBranch" if c == "MiscTechWorkedWith" else c for c in lines[0].split(","))
    path = tmp_path / "joined.csv"
    path.write_text("\n".join([lines[0], *lines[3:60], other, *lines[60:100]]) + "\n", encoding="utf-8")
    assert_refused(path, tmp_path, "repeat the id column's name but not the rest of the header")


def test_a_file_cut_short_is_refused(tmp_path):
    text = SO_2019.read_text(encoding="utf-8")
    path = tmp_path / "cut.csv"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    assert_refused(path, tmp_path, "a row with a different number of fields|a quoted field that never ends")


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert_refused(empty, tmp_path, "the file is empty")
    header = write_survey(tmp_path / "header.csv", 2019, 0)
    assert_refused(header, tmp_path, "has a header but no respondents")


def test_unknown_year(survey_2019):
    with pytest.raises(InputError, match="known years: 2017"):
        read_survey(survey_2019[0], year=2016, field=load_field())


# -- generated files: every year's layout, counted again ------------------------------------------------------
def test_importer_intervals_match_statsmodels(survey_2019):
    from statsmodels.stats.proportion import proportion_confint

    result = read_survey(survey_2019[0], year=2019, field=load_field())
    for row in with_intervals(result.shares).itertuples(index=False):
        low, high = proportion_confint(row.count, row.n, alpha=0.05, method="wilson")
        assert math.isclose(row.ci_low, 100 * low, abs_tol=1e-3) and math.isclose(row.ci_high, 100 * high, abs_tol=1e-3)


@pytest.mark.parametrize("use_zip", [False, True])
def test_2019_shares_match_an_independent_count(survey_2019, tmp_path, use_zip):
    csv_path, zip_path = survey_2019
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "survey", "import", str(zip_path if use_zip else csv_path),
                 "--source", "stackoverflow", "--year", "2019", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    expected = expected_counts(csv_path, 2019, ["TensorFlow", "Torch/PyTorch"])
    by = {(r["contender"], r["segment"], r["base"]): r for r in records}
    for contender, option in (("tensorflow", "TensorFlow"), ("pytorch", "Torch/PyTorch")):
        for segment, prefix, answered, every in (("all respondents", "all", "n_answered", "n_all"),
                                                 (PROFESSIONAL, "pro", "n_answered_pro", "n_all_pro")):
            count = expected[f"{prefix}:{option}"]
            for base, n in ((ANSWERED, expected[answered]), ("all respondents", expected[every])):
                record = by[(contender, segment, base)]
                assert (record["n"], record["count"]) == (n, count)
                assert record["share_pct"] == pytest.approx(100 * count / n, abs=1e-3)
                assert record["ci_low"] < record["share_pct"] < record["ci_high"]
    with store_session(db) as store:
        frame = store.observations(signal="usage", source="Stack Overflow Developer Survey 2019")
    mine = frame[frame["method"] == Methods.SURVEY_IMPORT]
    assert mine["snapshot_id"].nunique() == 1 and mine["reference"].str.contains("sha256:").all()
    # count and base are their own metrics: a Wilson interval or a year-to-year difference needs nothing else
    counts = mine[mine["metric"] == "so_survey_count"].set_index(["subject", "segment"])["value"]
    bases = mine[mine["metric"] == "so_survey_n"].set_index(["subject", "segment"])["value"]
    assert counts[("TensorFlow", "all respondents")] == expected["all:TensorFlow"]
    assert bases[("TensorFlow", "all respondents")] == expected["n_answered"]
    assert "Pandas" in set(mine["subject"]) and mine.loc[mine["subject"] == "Pandas", "contender"].isna().all()
    notes = mine[(mine["metric"] == "so_survey_share") & mine["value"].isna()]
    assert "jax" in set(notes["contender"]) and notes["value_text"].str.contains("not an option").all()


@pytest.mark.parametrize("year", sorted(y for y in SHAPES if y != 2025))
def test_every_year_reads_its_own_column_names(tmp_path, year):
    path = write_survey(tmp_path / f"{year}.csv", year, 400, seed=year)
    field = load_field()
    result = read_survey(path, year=year, field=field)
    year_map = load_survey_map().year(year)
    labelled = {c.id: dict(c.stackoverflow_survey)[str(year)] for c in field.contenders
                if str(year) in dict(c.stackoverflow_survey)}
    expected = expected_counts(path, year, list(labelled.values()))
    assert result.total("all respondents").n_all == 400
    assert result.total("all respondents").n_answered == expected["n_answered"]
    for contender, option in labelled.items():
        assert share(result, contender, "all respondents")["count"] == expected[f"all:{option}"]
        if year_map.professional_column:
            assert share(result, contender, PROFESSIONAL)["count"] == expected[f"pro:{option}"]
    assert (result.total(PROFESSIONAL) is not None) == (year_map.professional_column is not None)
    if year_map.professional_column:
        assert result.total(PROFESSIONAL).n_answered == expected["n_answered_pro"]
    if year == 2017:
        assert not labelled and len(result.absent) == len(field.contenders)


def test_wrong_year_is_refused_naming_expected_and_found_columns(survey_2019, tmp_path):
    message = assert_refused(survey_2019[0], tmp_path, "expected columns ResponseId, MiscTechHaveWorkedWith, "
                                                       "MainBranch", year=2022)
    assert "found Respondent, MainBranch" in message and "match the 2019 or 2020 survey" in message


def test_reimporting_the_same_file_adds_nothing(survey_2019, tmp_path):
    csv_path, _ = survey_2019
    db = tmp_path / "s.duckdb"
    first = run("--db", str(db), "survey", "import", str(csv_path), "--source", "stackoverflow", "--year", "2019")
    assert first.exit_code == 0, first.output
    rows = imported_rows(db)
    assert rows > 0
    again = run("--db", str(db), "survey", "import", str(csv_path), "--source", "stackoverflow", "--year", "2019")
    assert again.exit_code == 0 and "already stored" in again.output
    assert imported_rows(db) == rows


# -- any field: the field's own question ---------------------------------------------------------------------------
def test_a_field_reads_its_own_question_from_the_real_2019_file():
    """The web-frameworks field declares WebFrameWorkedWith for 2019: the same real file gives its shares, counted
    again here with Python's csv module."""
    field = load_field("web-frameworks")
    result = read_survey(SO_2019, year=2019, field=field)
    rows = [r for r in real_rows(SO_2019, "Respondent") if r["WebFrameWorkedWith"] not in ("", "NA")]
    segment = "all respondents; WebFrameWorkedWith"
    assert result.total(segment).n_answered == len(rows)
    for contender, label in (("django", "Django"), ("flask", "Flask"), ("express", "Express"),
                             ("rails", "Ruby on Rails")):
        ticked = sum(label in r["WebFrameWorkedWith"].split(";") for r in rows)
        assert share(result, contender, segment)["count"] == ticked > 0, contender
    assert {c.id for c in result.absent} == {"fastapi", "spring-boot", "aspnet-core"}    # not offered in 2019
    assert set(result.shares["subject"]) <= {label for c in field.contenders for _, label in c.stackoverflow_survey}


def test_two_questions_of_one_file_are_two_measurements(tmp_path):
    """The frameworks question and the web-frameworks question of the same 2019 file, both stored: each keeps its
    own base (the second import writes nothing over the first)."""
    db = tmp_path / "s.duckdb"
    for field in ("deep-learning", "web-frameworks"):
        done = run("--db", str(db), "survey", "import", str(SO_2019), "--source", "stackoverflow", "--year", "2019",
                   "--field", field)
        assert done.exit_code == 0, done.output
    with store_session(db) as store:
        bases = store.observations(metric="so_survey_respondents", source="Stack Overflow Developer Survey 2019")
    answered = bases[bases["subject"] == "_answered"].set_index("segment")["value"]
    assert answered["all respondents"] == 200 and answered["all respondents; WebFrameWorkedWith"] == 224


def test_a_field_question_the_file_lacks_is_one_line_and_nothing_stored(tmp_path):
    field = tmp_path / "odd.toml"
    field.write_text('name = "odd"\n[survey.stackoverflow]\ntopic = "web frameworks"\n'
                     'columns = { 2019 = "WebFrameworksUsed" }\n[[contender]]\nid = "django"\nname = "Django"\n'
                     'stackoverflow_survey = { 2019 = "Django" }\n', encoding="utf-8")
    db = tmp_path / "s.duckdb"
    done = run("--db", str(db), "survey", "import", str(SO_2019), "--source", "stackoverflow", "--year", "2019",
               "--field", str(field))
    assert done.exit_code != 0 and isinstance(done.exception, InputError)
    message = str(done.exception)
    assert "\n" not in message and "missing WebFrameworksUsed" in message
    assert imported_rows(db) == 0
    with pytest.raises(InputError, match="names no column of the 2020 survey"):
        read_survey(SO_2019, year=2020, field=load_field(str(field)))


def test_a_sample_file_is_said_to_be_one_and_a_whole_file_is_not(tmp_path):
    """The 3-row 2024 sample (1 answered) is 0.002% of the 45,841 who answered in Stack Overflow's published results:
    said in one line at import, and stored with its figures; a file of the published size is not."""
    db = tmp_path / "s.duckdb"
    done = run("--db", str(db), "survey", "import", str(SO_2024), "--source", "stackoverflow", "--year", "2024")
    assert done.exit_code == 0, done.output
    flagged = [line for line in done.output.splitlines() if "a sample, not the survey" in line]
    assert len(flagged) == 1 and "1 answered MiscTechHaveWorkedWith" in flagged[0] and "45,841" in flagged[0]
    with store_session(db) as store:
        notes = store.observations(metric="so_survey_note", source="Stack Overflow Developer Survey 2024")
    assert notes["value_text"].str.contains("a sample, not the survey").any()
    whole = read_survey(SO_2024, year=2024, field=load_field(), published_n=2)
    assert not any("a sample" in remark for remark in whole.remarks)
