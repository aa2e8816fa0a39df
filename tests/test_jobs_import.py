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
