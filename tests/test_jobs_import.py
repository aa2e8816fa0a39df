"""`mindshare import FILE`: hand-gathered job-listing counts, all rows or none."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

from mindshare.cli import app
from mindshare.errors import InputError
from mindshare.fields import load_field
from mindshare.importers.job_counts import read_job_counts

runner = CliRunner()
GOOD = """site,country,date,query,contender,count
Indeed,us,2020-02-01,pytorch,pytorch,4167
Indeed,us,2020-02-01,tensorflow,TensorFlow,5921
LinkedIn,us,2020-02-01,pytorch,PyTorch,7208
Monster,gb,2020-02-01,keras,keras,512
"""


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=True)


def job_rows(db) -> int:
    if not db.exists():
        return 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observations WHERE metric = 'job_listings'").fetchone()[0]
    finally:
        con.close()


def test_good_file_is_stored_as_one_snapshot(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "import", str(path))
    assert result.exit_code == 0, result.output
    from mindshare.store import store_session

    with store_session(db) as store:
        frame = store.observations(signal="jobs", metric="job_listings")
    assert len(frame) == 4 and frame["snapshot_id"].nunique() == 1
    row = frame[(frame.source == "Indeed") & (frame.contender == "tensorflow")].iloc[0]
    assert row["value"] == 5921 and row["segment"] == "us" and row["query"] == "tensorflow"
    assert set(frame["contender"]) == {"pytorch", "tensorflow", "keras"}  # names resolved to ids
    again = run("--db", str(db), "import", str(path))
    assert "already stored" in again.output and job_rows(db) == 4


@pytest.mark.parametrize("bad_line, expected", [
    ("Indeed,us,2020-02-30,pytorch,pytorch,10", "line 3: date '2020-02-30'"),
    ("Indeed,us,2020-02-01,pytorch,pytorch,1,234", "line 3: 7 fields"),
    ("Indeed,us,2020-02-01,pytorch,pytorch,-5", "line 3: count '-5'"),
    ("Indeed,us,2020-02-01,pytorch,pytorch,~1k", "line 3: count '~1k'"),
    ("Indeed,us,2020-02-01,chainer,chainer,12", "line 3: unknown contender 'chainer'"),
    (",us,2020-02-01,pytorch,pytorch,12", "line 3: site is empty"),
    ("Indeed,us,2999-01-01,pytorch,pytorch,12", "line 3: date 2999-01-01 is in the future"),
    ("Indeed,us,2020-02-01,PyTorch,pytorch,99", "line 3: repeats line 2"),
    # issue 24: a country that is none, a count no site could show
    ("Indeed,Narnia,2020-02-01,x,pytorch,3", "line 3: country 'Narnia' is not an ISO 3166 country; write its two-"),
    ("Indeed,Russia,2020-02-01,x,pytorch,3", "line 3: country 'Russia' is not an ISO 3166 country; did you mean ru "
                                             "(Russian Federation)?"),
    ("Indeed,zz,2020-02-01,x,pytorch,3", "line 3: country 'zz' is not an ISO 3166 country; write its two-letter"),
    ("Indeed,us,2020-02-01,x,pytorch,100000000000000000000000000", "line 3: count 100,000,000,000,000,000,000,000,000 "
                                                                   "is more than any site lists"),
    ("Indeed,us,2020-02-01,x,pytorch,100000001", "line 3: count 100,000,001 is more than any site lists"),
    ("Indeed,us,2020-02-01,x,pytorch,1e26", "line 3: count '1e26' is not a whole number"),
])
def test_a_bad_row_is_named_by_line_and_nothing_is_imported(tmp_path, bad_line, expected):
    lines = GOOD.splitlines()
    path = tmp_path / "counts.csv"
    path.write_text("\n".join([lines[0], lines[1], bad_line, *lines[2:]]) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "import", str(path))
    assert result.exit_code != 0
    with pytest.raises(InputError) as caught:
        read_job_counts(path, load_field())
    assert expected in str(caught.value) and "nothing imported" in str(caught.value)
    assert job_rows(db) == 0


def test_every_bad_row_is_listed(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(GOOD + "Indeed,us,2020-13-01,x,pytorch,1\nIndeed,us,2020-01-01,x,nope,1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_job_counts(path, load_field())
    assert "2 bad rows" in str(caught.value) and "line 6" in str(caught.value) and "line 7" in str(caught.value)


def test_quoted_multiline_field_keeps_line_numbers(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text('site,country,date,query,contender,count\nIndeed,us,2020-02-01,"deep\nlearning",pytorch,3\n'
                    'Indeed,us,2020-02-01,x,pytorch,abc\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 4: count 'abc'"):
        read_job_counts(path, load_field())


def test_empty_header_only_wrong_header_and_non_utf8(tmp_path):
    field = load_field()
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_job_counts(empty, field)
    header = tmp_path / "header.csv"
    header.write_text("site,country,date,query,contender,count\n", encoding="utf-8")
    with pytest.raises(InputError, match="no rows"):
        read_job_counts(header, field)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("site,date,count\nIndeed,2020-01-01,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: the header must name"):
        read_job_counts(wrong, field)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((GOOD + "Indeed,Côte d'Ivoire,2020-02-01,pytorch,pytorch,3\n").encode("latin-1"))
    with pytest.raises(InputError, match="line 6: bytes that are not UTF-8"):
        read_job_counts(latin, field)


def test_a_folder_and_utf16_are_said_as_such(tmp_path):
    """Issue 10: given a folder, `import` said "no such file"; a UTF-16 export (Excel's "Unicode text") reached
    the CSV reader as garbage."""
    db = tmp_path / "s.duckdb"
    folder = run("--db", str(db), "import", str(tmp_path))
    assert folder.exit_code != 0 and "is a folder, not a file" in str(folder.exception)
    assert "no such file" not in str(folder.exception)
    wide = tmp_path / "utf16.csv"
    wide.write_bytes(GOOD.encode("utf-16"))
    utf16 = run("--db", str(db), "import", str(wide))
    assert utf16.exit_code != 0 and "UTF-16 text, not UTF-8" in str(utf16.exception)
    missing = run("--db", str(db), "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code != 0 and "no such file" in str(missing.exception)
    assert job_rows(db) == 0


# -- issue 24: a field past the CSV reader's limit, countries, a count no site could show --------------------------
def test_a_field_over_the_csv_limit_is_one_line_not_a_traceback(tmp_path):
    """`_csv.Error: field larger than field limit (131072)` ended the import in a traceback; `survey import` said
    it in one line. Both read through importers.files.csv_records now."""
    path = tmp_path / "counts.csv"
    path.write_text(GOOD + f'Indeed,us,2020-02-01,"{"x" * 140_000}",pytorch,3\n', encoding="utf-8")
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "import", str(path))
    assert isinstance(result.exception, InputError)
    assert str(result.exception) == (f"{path}, line 6: a field longer than 131,072 characters, more than any value "
                                     f"of the file should hold (a quote left open, or not a CSV of this kind?)")
    assert job_rows(db) == 0


def test_a_huge_header_field_is_said_the_same_way(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(f'"{"h" * 140_000}",country\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"counts.csv, line 1: a field longer than 131,072 characters"):
        read_job_counts(path, load_field())


def test_countries_are_iso_codes_whatever_way_they_are_written(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("site,country,date,query,contender,count\n"
                    "Indeed,United Kingdom,2020-02-01,pytorch,pytorch,10\n"
                    "Indeed,us,2020-02-01,pytorch,pytorch,11\n"
                    "Monster,GBR,2020-02-01,pytorch,pytorch,12\n"
                    "LinkedIn,UK,2020-02-01,pytorch,pytorch,13\n"
                    "LinkedIn,United States of America,2020-02-01,pytorch,pytorch,14\n", encoding="utf-8")
    frame = read_job_counts(path, load_field())
    assert list(frame["segment"]) == ["gb", "us", "gb", "gb", "us"]   # Adzuna's segments are these codes too


def test_one_country_written_two_ways_is_one_segment_so_a_repeat_is_seen(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("site,country,date,query,contender,count\n"
                    "Indeed,gb,2020-02-01,pytorch,pytorch,10\n"
                    "Indeed,United Kingdom,2020-02-01,pytorch,pytorch,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3: repeats line 2"):
        read_job_counts(path, load_field())


def test_the_bound_is_a_count_a_site_could_show(tmp_path):
    lines = GOOD.splitlines()
    path = tmp_path / "counts.csv"
    path.write_text("\n".join([lines[0], lines[1], "Indeed,us,2020-02-01,x,pytorch,100000000"]) + "\n",
                    encoding="utf-8")
    assert read_job_counts(path, load_field())["value"].max() == 100_000_000


def test_import_prints_what_it_stored_as_a_table_csv_or_json(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "s.duckdb"
    first = run("--db", str(db), "import", str(path), "--format", "json")
    assert first.exit_code == 0, first.output
    import json

    record = json.loads(first.stdout)[0]
    assert (record["counts"], record["sites"], record["countries"], record["status"]) == \
        (4, "Indeed, LinkedIn, Monster", "gb, us", "added")
    again = run("--db", str(db), "import", str(path), "--format", "csv", "--quiet")
    assert again.exit_code == 0 and again.stdout.splitlines()[1].endswith(",already stored")
