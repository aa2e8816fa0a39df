"""The command line as a user runs it: a real process, its exit code and what it prints."""

import json
import os
import subprocess
import sys
import textwrap

import duckdb

from mindshare.store import SCHEMA_VERSION

MINDSHARE = [sys.executable, "-m", "mindshare"]


def run(*args, env=None, timeout=120):
    return subprocess.run([*MINDSHARE, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def assert_one_clear_line(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_reads_like_docs():
    result = run("--help")
    assert result.returncode == 0
    for verb in ["report", "observations", "snapshots", "fields"]:
        assert verb in result.stdout
    report_help = run("report", "--help").stdout
    assert "--as-of" in report_help and "--out" in report_help and "--field" in report_help


def test_report_command_writes_everything(tmp_path):
    db = tmp_path / "s.duckdb"
    result = run("--db", str(db), "report", "--out", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr
    assert str((tmp_path / "r").resolve()) in result.stdout
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["field"] == "deep-learning"
    assert list((tmp_path / "r" / "charts").glob("*.png"))


def test_db_from_environment(tmp_path):
    db = tmp_path / "env.duckdb"
    result = run("snapshots", "--format", "json", env={"MINDSHARE_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert db.exists()
    assert json.loads(result.stdout)[0]["kind"] == "bundled"


def test_observations_as_csv(tmp_path):
    result = run("--db", str(tmp_path / "s.duckdb"), "observations", "-s", "research", "-c", "pytorch",
                 "--format", "csv")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.strip().splitlines()
    assert "snapshot_id" in header and "reference" in header
    assert rows and all(",pytorch," in row for row in rows)


def test_unknown_field(tmp_path):
    assert_one_clear_line(run("--db", str(tmp_path / "s.duckdb"), "report", "--field", "nope",
                              "--out", str(tmp_path / "r")), "unknown field 'nope'")
    assert not (tmp_path / "r").exists()


def test_unknown_contender(tmp_path):
    assert_one_clear_line(run("--db", str(tmp_path / "s.duckdb"), "observations", "-c", "pytorchh"),
                          "unknown contender 'pytorchh'")


def test_broken_field_file_names_the_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\n[[contender]]\nid = "x"\nnam = "X"\n')
    assert_one_clear_line(run("--db", str(tmp_path / "s.duckdb"), "report", "--field", str(path),
                              "--out", str(tmp_path / "r")), str(path), "line 2")


def test_newer_schema_store(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("--db", str(db), "snapshots").returncode == 0
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 5)])
    con.close()
    assert_one_clear_line(run("--db", str(db), "report", "--out", str(tmp_path / "r")), "newer", str(db))


def test_unreadable_store(tmp_path):
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"\x00garbage" * 1000)
    assert_one_clear_line(run("--db", str(db), "snapshots"), str(db))


def test_locked_store(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run("--db", str(db), "snapshots").returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("holding", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = run("--db", str(db), "report", "--out", str(tmp_path / "r"), env={"MINDSHARE_LOCK_WAIT": "0.5"})
        assert_one_clear_line(result, "in use by another process")
        assert result.returncode == 4
        assert not (tmp_path / "r").exists()
    finally:
        holder.kill()
        holder.wait()


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert_one_clear_line(run("--db", str(tmp_path / "s.duckdb"), "report", "--out", str(blocker / "r"),
                              "--no-png"), "cannot write the report")


def test_bad_as_of_date(tmp_path):
    assert_one_clear_line(run("--db", str(tmp_path / "s.duckdb"), "report", "--as-of", "last year"),
                          "--as-of 'last year' is not a date")


def test_fields_lists_the_shipped_field():
    result = run("fields")
    assert result.returncode == 0 and "deep-learning" in result.stdout
    result = run("fields", "deep-learning")
    assert "PyTorch" in result.stdout and "pytorch/pytorch" in result.stdout


def test_unknown_verb_is_a_usage_error_not_a_traceback():
    result = run("nosuchverb")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "No such command" in result.stderr
