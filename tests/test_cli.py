"""The command line as a user runs it: a real process, its exit code and what it prints."""

import csv
import io
import json
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from mounts import make_read_only, tmpfs

import mindshare
from mindshare.analysis.composite import parse_weights
from mindshare.commands._common import AS_OF_HELP
from mindshare.store import SCHEMA_VERSION

MINDSHARE = [sys.executable, "-m", "mindshare"]
REPORT_TIMEOUT = 600  # a report on a machine shared by several people at once


def run(*args, env=None, timeout=120):
    return subprocess.run([*MINDSHARE, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def progress(line: str) -> bool:
    """A line that says what mindshare is doing ('loading the bundled dataset into the store ...'): long work says
    so on stderr before it can fail, and is not part of the error."""
    return line.rstrip().endswith(" ...")


def assert_one_clear_line(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip() and not progress(line)]
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
    result = run("--db", str(db), "report", "--out", str(tmp_path / "r"), timeout=REPORT_TIMEOUT)
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


# -- issue 10: bad input is one line, a closed pipe is quiet, CSV is safe ----------------------------------------
@pytest.mark.parametrize("weights, reason", [
    ("jobs=inf", "the weight of jobs is inf; a weight is a finite number, 0 or more"),
    ("jobs=nan", "the weight of jobs is nan; a weight is a finite number, 0 or more"),
    ("jobs=-1", "the weight of jobs is -1"),
    ("nonsense=1", "unknown signal 'nonsense'; signals: jobs, research,"),
    ("jobs=1,jobs=2", "jobs is given twice"),
    ("jobs=0,qa=0", "every weight is 0"),
    ("jobs=much", "the weight of jobs, 'much', is not a number"),
    ("jobs", "'jobs' is not SIGNAL=WEIGHT"),
])
def test_bad_weights_are_refused_with_the_reason(tmp_path, weights, reason):
    result = run("--db", str(tmp_path / "s.duckdb"), "report", "--weights", weights, "--out", str(tmp_path / "r"))
    assert_one_clear_line(result, f"--weights {weights!r}: {reason}")
    assert "RuntimeWarning" not in result.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "s.duckdb").exists()


def test_good_weights_are_read_as_given():
    assert parse_weights("jobs=0.5, downloads=0.3,research=0.2,") == {"jobs": 0.5, "downloads": 0.3, "research": 0.2}
    assert parse_weights("jobs=0,qa=1") == {"jobs": 0.0, "qa": 1.0}


def test_observations_bad_date_and_unknown_signal_are_one_line(tmp_path):
    db = tmp_path / "s.duckdb"
    assert_one_clear_line(run("--db", str(db), "observations", "--as-of", "2020-13-01"),
                          "--as-of '2020-13-01' is not a date; write it as YYYY-MM-DD")
    assert_one_clear_line(run("--db", str(db), "report", "--compare-to", "yesterday", "--out", str(tmp_path / "r")),
                          "--compare-to 'yesterday' is not a date")
    result = run("--db", str(db), "observations", "-s", "dowloads")
    assert_one_clear_line(result, "unknown signal 'dowloads'; signals: ", "downloads")
    assert "0 observations" not in result.stdout


def _help_text(*verb) -> str:
    """`mindshare VERB --help`, in this process (quicker than a process per verb)."""
    from typer.testing import CliRunner

    from mindshare.cli import app

    result = CliRunner().invoke(app, [*verb, "--help"], prog_name="mindshare")
    assert result.exit_code == 0, result.output
    return result.output


def _help(*verb) -> str:
    return " ".join(_help_text(*verb).split())


def test_as_of_says_what_it_filters_by_everywhere():
    """--as-of keeps the figures published by a day (Store.observations filters by `published`): every option
    and doc that mentions it says exactly that."""
    rule = " ".join(AS_OF_HELP.split())
    assert "published by then" in rule
    assert rule in _help("report") and rule in _help("observations")
    assert "known as for --as-of: published by then" in _help("report")
    import mindshare.api

    assert "the figures published by then" in " ".join(mindshare.api.__doc__.split())
    assert "What was known on that day" not in _help("observations")


def _closed_pipe_run(*args, db):
    """Run with stdout a pipe whose reader has already gone (as `| head` leaves it after its lines)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([*MINDSHARE, "--db", str(db), *args], stdout=writer, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(writer)


@pytest.mark.parametrize("args", [
    ["observations"], ["observations", "--format", "csv"], ["observations", "--format", "json"],
    ["snapshots"], ["snapshots", "--format", "csv"], ["fields"], ["fields", "deep-learning"], ["--help"],
    ["report", "--help"], ["--version"],
])
def test_a_closed_pipe_ends_quietly_like_other_tools(bundled_store_path, args):
    """Killed by SIGPIPE, as `cat` or `git log` are there (a shell reports 141); no traceback, no message."""
    result = _closed_pipe_run(*args, db=bundled_store_path)
    assert result.returncode == -signal.SIGPIPE, result.stderr
    assert result.stderr == ""


def _store_with(db, **row):
    from mindshare.store import store_session

    frame = pd.DataFrame([{"signal": "downloads", "metric": "downloads_30d", "source": "test", "contender": None,
                           "subject": "torch", "period_start": "2024-01-01", "period_end": "2024-01-31",
                           "value": -5.0, "value_text": "-5", "unit": "downloads", "reference": "file.csv",
                           "collected_at": "2024-02-01", **row}])
    with store_session(db) as store:
        return store.add_snapshot(frame, kind="import", source="test", description="@SUM(1+1)*cmd|' /C calc'!A0")


def test_csv_cells_a_spreadsheet_would_run_are_made_text(tmp_path):
    db = tmp_path / "s.duckdb"
    hostile = '=HYPERLINK("http://evil.example","x")'
    _store_with(db, subject=hostile, note="+1+1", query="-2+3", reference="\tcmd")
    result = run("--db", str(db), "observations", "-s", "downloads", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    [row] = [r for r in rows if r["source"] == "test"]
    assert row["subject"] == "'" + hostile
    assert (row["note"], row["query"], row["reference"]) == ("'+1+1", "'-2+3", "'\tcmd")
    assert row["value"] == "-5.0" and row["value_text"] == "'-5"  # numbers stay numbers; text that looks so is text
    snapshots = list(csv.DictReader(io.StringIO(run("--db", str(db), "snapshots", "--format", "csv").stdout)))
    assert [s["description"] for s in snapshots if s["source"] == "test"] == ["'@SUM(1+1)*cmd|' /C calc'!A0"]
    as_json = json.loads(run("--db", str(db), "observations", "-s", "downloads", "--format", "json").stdout)
    assert [r["subject"] for r in as_json if r["source"] == "test"] == [hostile]  # JSON is data, left as it is


def test_table_cells_are_shown_as_they_are_not_read_as_markup(tmp_path):
    db = tmp_path / "s.duckdb"
    _store_with(db, subject="[i]x")  # short: a table may fold a long cell across lines
    result = run("--db", str(db), "observations", "-s", "downloads", "--limit", "0")
    assert result.returncode == 0, result.stderr
    assert "[i]x" in result.stdout


# -- issue 10: the store's own defects, as the CLI shows them -----------------------------------------------------
def test_a_store_the_user_may_read_but_not_write(tmp_path):
    with tmpfs(tmp_path / "ro", "20m") as mount:
        db = mount / "s.duckdb"
        assert run("--db", str(db), "snapshots").returncode == 0
        counts = tmp_path / "counts.csv"
        counts.write_text("site,country,date,query,contender,count\nIndeed,us,2020-02-01,pytorch,pytorch,4167\n")
        make_read_only(mount)
        listed = run("--db", str(db), "snapshots", "--format", "json")
        assert listed.returncode == 0, listed.stderr
        assert [s["kind"] for s in json.loads(listed.stdout)] == ["bundled"]
        found = run("--db", str(db), "observations", "-s", "research", "-c", "pytorch", "--format", "csv")
        assert found.returncode == 0 and found.stdout.count("\n") > 10, found.stderr
        report = run("--db", str(db), "report", "--no-png", "--out", str(tmp_path / "r"), timeout=REPORT_TIMEOUT)
        assert report.returncode == 0, report.stderr
        assert (tmp_path / "r" / "results.json").exists()
        for refused in (run("--db", str(db), "import", str(counts)),
                        run("--db", str(db), "snapshots", "delete", json.loads(listed.stdout)[0]["snapshot_id"])):
            assert_one_clear_line(refused, f"store {db} cannot be written here", "read-only file system")


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    with tmpfs(tmp_path / "disk", "300k") as disk:
        assert_one_clear_line(run("--db", str(disk / "s.duckdb"), "snapshots"),
                              f"no space left on device writing {disk / 's.duckdb'}")
        assert list(disk.iterdir()) == []


def test_an_sqlite_file_is_named_and_left_alone(tmp_path):
    path = tmp_path / "data.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    before = path.read_bytes()
    result = run("--db", str(path), "observations", timeout=30)  # no extension fetched from the internet
    assert_one_clear_line(result, f"{path} is an SQLite file, not a mindshare store")
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["data.sqlite"]


# -- issue 16: one front door ---------------------------------------------------------------------------------------
def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout == f"mindshare {mindshare.__version__}\n"


# A parent that forks and leaves at once: its child, adopted by init, runs the command with no shell among its
# ancestors (as a Dockerfile's exec-form RUN, a service or a CI runner starts it), and no $SHELL.
NO_SHELL_ABOVE = textwrap.dedent("""
    import os, subprocess, sys, time
    parent = os.getpid()
    if os.fork():
        os._exit(0)
    while os.getppid() == parent:  # adopted once the parent is gone
        time.sleep(0.01)
    status = subprocess.run(sys.argv[2:]).returncode
    with open(sys.argv[1], "w") as out:
        out.write(str(status))
""")


def run_with_no_shell_above(tmp_path, command, env=None):
    status = tmp_path / "status"
    environment = {name: value for name, value in os.environ.items() if name != "SHELL"} | (env or {})
    result = subprocess.run([sys.executable, "-c", NO_SHELL_ABOVE, str(status), *command], capture_output=True,
                            text=True, timeout=120, env=environment, start_new_session=True)
    return subprocess.CompletedProcess(command, int(status.read_text()), result.stdout, result.stderr)


@pytest.mark.parametrize("shell, line", [("bash", "_MINDSHARE_COMPLETE=complete_bash"),
                                         ("zsh", "_MINDSHARE_COMPLETE=complete_zsh"),
                                         ("fish", "_MINDSHARE_COMPLETE=complete_fish"),
                                         ("pwsh", 'Env:_MINDSHARE_COMPLETE = "complete_powershell"')])
def test_the_completion_script_of_a_named_shell_needs_no_shell_running(tmp_path, shell, line):
    """`mindshare --show-completion bash > FILE` in a Dockerfile or CI: the shell named is the one written, whatever
    started mindshare (typer's own option ignored the name and looked for a shell among the parents)."""
    shown = run_with_no_shell_above(tmp_path, [*MINDSHARE, "--show-completion", shell])
    assert shown.returncode == 0 and line in shown.stdout, shown.stderr


def test_completion_installs_for_a_named_shell_with_no_shell_running(tmp_path):
    home = tmp_path / "home"
    installed = run_with_no_shell_above(tmp_path, [*MINDSHARE, "--install-completion", "bash"],
                                        env={"HOME": str(home)})
    assert installed.returncode == 0, installed.stderr
    script = home / ".bash_completions" / "mindshare.sh"
    assert "_MINDSHARE_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (home / ".bashrc").read_text()


def test_the_bare_option_is_for_the_shell_mindshare_runs_under(tmp_path):
    # `; true`: bash runs mindshare as its child instead of becoming it
    under_bash = run_with_no_shell_above(tmp_path, ["bash", "-c", shlex.join([*MINDSHARE, "--show-completion"])
                                                    + "; true"])
    assert "_MINDSHARE_COMPLETE=complete_bash" in under_bash.stdout, under_bash.stderr
    under_none = run_with_no_shell_above(tmp_path, [*MINDSHARE, "--show-completion"])
    assert_one_clear_line(under_none, "--show-completion", "no shell", "mindshare --show-completion SHELL",
                          "bash, zsh, fish, powershell, pwsh")
    assert under_none.returncode == 2 and under_none.stdout == ""


def test_shell_completion_is_on():
    shown = run("--show-completion", "bash")
    assert shown.returncode == 0 and "_MINDSHARE_COMPLETE=complete_bash" in shown.stdout
    completed = run(env={"_MINDSHARE_COMPLETE": "complete_bash", "COMP_WORDS": "mindshare report --field deep",
                         "COMP_CWORD": "3"})
    assert completed.stdout.split() == ["deep-learning"]
    shells = run(env={"_MINDSHARE_COMPLETE": "complete_bash", "COMP_WORDS": "mindshare --show-completion ",
                      "COMP_CWORD": "2"})
    assert shells.stdout.split() == ["bash", "zsh", "fish", "powershell", "pwsh"]


def test_verbs_are_listed_in_the_order_they_are_registered():
    from mindshare.cli import VERBS

    listing = _help_text().split("Commands:")[1].split("Environment variables:")[0]
    listed = [line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line.split()]
    assert listed == list(VERBS)
    assert listed[:3] == ["report", "publish", "collect"] and listed[-3:] == ["observations", "fields", "snapshots"]


def test_every_verb_a_module_registers_is_in_verbs():
    """cli.VERBS is the list the root group loads from: a verb a module registers but VERBS does not name could
    never be run."""
    import importlib

    import typer

    from mindshare.cli import VERBS

    # A verb that moved to another module, while the old one (another helper's file) still registers it.
    pending = {("mindshare.commands.survey", "import"): "commands/survey.py: delete import_counts and its register "
                                                        "line (the verb is commands/jobs.py's now)"}
    for module in sorted(set(VERBS.values())):
        verbs = typer.Typer()
        importlib.import_module(module).register(verbs)
        names = [c.name for c in verbs.registered_commands] + [g.name for g in verbs.registered_groups]
        assert names and all(VERBS.get(name) == module for name in names if (module, name) not in pending), \
            (module, names)


def _modules_loaded_by(*args: str) -> set[str]:
    """The modules a fresh `mindshare ARGS` process has imported when it ends."""
    script = textwrap.dedent("""
        import sys
        from mindshare.cli import main
        sys.argv = ["mindshare", *sys.argv[1:]]
        try:
            main()
        except SystemExit:
            pass
        sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
    """)
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)
    return set(result.stderr.rsplit("\nMODULES ", 1)[1].split())


def test_the_command_line_imports_only_what_the_verb_uses():
    """Start-up is lazy: a verb's module is imported when that verb runs, the API on first use. `--version`
    needs neither pandas, DuckDB nor the HTTP client; a verb's help needs no other verb, nor the store
    (bench/cli.py measures the time)."""
    heavy = {"pandas", "duckdb", "httpx", "stamina", "hishel", "altair", "mindshare.api"}
    assert heavy & _modules_loaded_by("--version") == set()
    scan_help = _modules_loaded_by("scan", "--help")
    assert "mindshare.commands.scan" in scan_help
    verbs = {f"mindshare.commands.{name}" for name in ("report", "collect", "jobs", "trends", "survey", "papers",
                                                      "data")}
    assert scan_help & (verbs | {"httpx", "stamina", "mindshare.api", "mindshare.http", "mindshare.sources"}) \
        == set()
    assert "mindshare.commands.data" in _modules_loaded_by("fields", "--keys")
    # A verb's help and completion of its options need its module, not the store or pandas.
    assert {"pandas", "duckdb"} & _modules_loaded_by("report", "--help") == set()


def test_each_global_option_names_its_environment_variable():
    text = _help()
    assert "--db PATH The store (a DuckDB file). Default: $MINDSHARE_DB" in text
    assert "--cache-dir PATH The cache folder (HTTP responses, rendered charts). Default: $MINDSHARE_CACHE" in text
    assert "MINDSHARE_LOCK_WAIT:" in text and "MINDSHARE_CONTACT:" in text


def test_a_bad_environment_variable_is_one_line():
    result = run("snapshots", env={"MINDSHARE_LOCK_WAIT": "soon"})
    assert_one_clear_line(result, "MINDSHARE_LOCK_WAIT='soon' is not a number of seconds")
    assert result.returncode == 2


def test_a_quiet_report_under_its_own_cache_dir(tmp_path, bundled_store_path):
    """--quiet: nothing on stdout or stderr. --cache-dir: the command's one Settings reaches the code deep below
    that asks `settings.load()` for the cache (the report's), instead of MINDSHARE_CACHE."""
    cache, elsewhere = tmp_path / "my-cache", tmp_path / "not-this"
    result = run("--db", str(bundled_store_path), "--cache-dir", str(cache), "report", "--no-png", "--quiet",
                 "--out", str(tmp_path / "r"), env={"MINDSHARE_CACHE": str(elsewhere)}, timeout=REPORT_TIMEOUT)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr
    assert (tmp_path / "r" / "index.html").exists()
    assert any(p.is_file() for p in cache.rglob("*")) and not elsewhere.exists()


def test_verbose_says_which_store_and_quiet_with_verbose_is_a_usage_error(bundled_store_path):
    verbose = run("--db", str(bundled_store_path), "observations", "-s", "qa", "--verbose", "--format", "csv")
    assert verbose.returncode == 0 and f"store {bundled_store_path}" in verbose.stderr
    assert verbose.stdout.startswith("snapshot_id,")
    both = run("observations", "-q", "-v")
    assert both.returncode == 2 and "--quiet and --verbose contradict each other" in both.stderr


def test_delete_a_snapshot(tmp_path):
    db = tmp_path / "s.duckdb"
    added = _store_with(db)
    deleted = run("--db", str(db), "snapshots", "delete", added.snapshot_id)
    assert deleted.returncode == 0, deleted.stderr
    assert f"deleted snapshot {added.snapshot_id} (1 observation)" in deleted.stderr   # issue 24: not "1 observations"
    listed = json.loads(run("--db", str(db), "snapshots", "--format", "json").stdout)
    assert [s["kind"] for s in listed] == ["bundled"]
    assert_one_clear_line(run("--db", str(db), "snapshots", "delete", listed[0]["snapshot_id"]), "bundled dataset")
    assert_one_clear_line(run("--db", str(db), "snapshots", "delete", "nope"), "has no snapshot 'nope'")
    assert len(json.loads(run("--db", str(db), "snapshots", "--format", "json").stdout)) == 1


def _every_command():
    """(path, click command) for every verb and group, from the app itself."""
    import typer.main

    from mindshare.cli import app

    def walk(command, path):
        yield path, command
        if hasattr(command, "list_commands"):  # a group
            for name in command.list_commands(None):
                yield from walk(command.get_command(None, name), [*path, name])

    yield from walk(typer.main.get_command(app), [])


def test_help_placeholders_are_words_not_python_types():
    for path, _ in _every_command():
        text = _help_text(*path)
        usage = text.splitlines()[0]
        for python_type in ("<bool>", "<str>", "<int>", "<path>", "<float>", "<list[", "<Path>"):
            assert python_type not in text, (path, python_type)
        assert "{" not in usage, (path, usage)
    assert "Usage: mindshare import [OPTIONS] FILE" in _help_text("import")
    assert "data/surveys/<source>.toml" in _help("survey", "import")  # no markup eats it


def test_shared_options_and_the_console_pair_are_defined_once():
    """--field, --format, --verbose, --quiet are spelled in commands/_common.py only; rich Consoles are made in
    mindshare/console.py only (one for data, one for messages), and no verb prints past them."""
    package = Path(mindshare.__file__).parent
    for flag in ('"--field"', '"--format"', '"--verbose"', '"--quiet"'):
        declared = [p.name for p in (package / "commands").glob("*.py") if flag in p.read_text()]
        assert declared == ["_common.py"], (flag, declared)
    makers = [str(p.relative_to(package)) for p in package.rglob("*.py") if "Console(" in p.read_text()]
    assert makers == ["console.py"]
    raw_prints = [str(p.relative_to(package)) for p in [*(package / "commands").glob("*.py"), package / "cli.py"]
                  if re.search(r"(?<![.\w])print\(", p.read_text())]
    assert raw_prints == []


def test_survey_import_prints_table_csv_or_json_like_every_verb(tmp_path):
    """Issue 16: output was `--format` on some verbs and `--json` on others; `survey import` had only --json.
    Now it takes --format table|csv|json, and --json stays the alias of --format json."""
    from survey_files import RAW

    survey = ["survey", "import", str(RAW / "stackoverflow_2019_first300rows.csv"), "--source", "stackoverflow",
              "--year", "2019", "--dry-run"]
    as_json, alias, as_csv = (run(*survey, *extra) for extra in (["--format", "json"], ["--json"],
                                                                 ["--format", "csv"]))
    assert as_json.returncode == alias.returncode == as_csv.returncode == 0, as_csv.stderr
    records = json.loads(as_json.stdout)
    assert as_json.stdout == alias.stdout and records
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["contender"], r["segment"], r["base"], int(r["count"])) for r in rows] == \
        [(r["contender"], r["segment"], r["base"], r["count"]) for r in records]
    assert "--format" in _help("survey", "import")


def test_a_mistyped_verb_gets_the_verb_it_is_close_to():
    """The verbs load lazily, and typer suggests only among those loaded: the suggestion must survive that."""
    result = run("reprot")
    assert result.returncode == 2 and "No such command 'reprot'. Did you mean 'report'?" in result.stderr


# -- issue 24: one rule for the bounds of a day, a month and a count; one exit code for an unknown name ------------
@pytest.mark.parametrize("args, said", [
    (["report", "--as-of", "2999-01-01"], "--as-of 2999-01-01 is in the future (today is "),
    (["report", "--compare-to", "2999-01-01"], "--compare-to 2999-01-01 is in the future"),
    (["observations", "--as-of", "2999-12-31"], "--as-of 2999-12-31 is in the future"),
    (["observations", "--limit", "-5"], "--limit -5: a count is 0 or more"),
    (["trends", "samples", "--limit", "-1"], "--limit -1: a count is 0 or more"),
    (["research", "shares", "--limit", "-1"], "--limit -1: a count is 0 or more"),
    (["collect", "--since", "2999-01-01", "--dry-run"], "--since 2999-01-01 is in the future"),
    (["collect", "--since", "2999-01", "--dry-run"], "--since 2999-01 is in the future"),
    (["jobs", "collect", "--since", "2999-01"], "--since 2999-01 is in the future"),
    (["collect", "--since", "20250101", "--dry-run"], "--since '20250101' is not a month or date; write it as YYYY-MM"),
    (["report", "--as-of", "2020-01"], "--as-of '2020-01' is not a date; write it as YYYY-MM-DD"),
])
def test_a_day_a_month_or_a_count_out_of_bounds_is_one_line_and_exit_code_2(tmp_path, args, said):
    """`--as-of 2999-01-01` made a report "as of 2999", `observations --limit -5` printed all rows but five,
    `collect --since` in the future was refused with exit code 6: now one rule (commands/_common.py), exit code 2."""
    result = run("--db", str(tmp_path / "s.duckdb"), *args, *(["--out", str(tmp_path / "r")] if args[0] == "report"
                                                             else []))
    assert_one_clear_line(result, said)
    assert result.returncode == 2
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("args, said", [
    (["observations", "-c", "pytorchh"], "unknown contender 'pytorchh'"),
    (["observations", "-s", "dowloads"], "unknown signal 'dowloads'; signals: "),
    (["collect", "gitlab", "--dry-run"], "unknown source 'gitlab'; known sources: "),
    (["jobs", "collect", "-s", "monster"], "unknown job source 'monster'; job sources: hn, adzuna"),
    (["papers", "fetch", "--venue", "siggraph", "--year", "2020", "--to", "x", "--dry-run"], "unknown venue"),
    (["report", "--field", "nope"], "unknown field 'nope'"),
])
def test_an_unknown_name_is_exit_code_2_whatever_it_names(tmp_path, args, said):
    """An unknown -c gave exit code 2 where an unknown -s gave 6."""
    result = run("--db", str(tmp_path / "s.duckdb"), *args)
    assert_one_clear_line(result, said)
    assert result.returncode == 2


def test_every_exit_code_is_documented_and_every_error_uses_one():
    from mindshare import errors

    for error in vars(errors).values():
        if isinstance(error, type) and issubclass(error, errors.MindshareError):
            assert error.exit_code in errors.EXIT_CODES, error
    reference = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in errors.EXIT_CODES:
        assert f"| {code} |" in reference


def test_the_limit_of_a_table_is_a_count_and_zero_means_all(bundled_store_path):
    shown = run("--db", str(bundled_store_path), "observations", "-s", "research", "--limit", "3")
    assert shown.returncode == 0 and "... " in shown.stdout and " more rows (use --limit 0" in shown.stdout
    every = run("--db", str(bundled_store_path), "observations", "-s", "research", "--limit", "0")
    assert every.returncode == 0 and "more rows" not in every.stdout


def test_a_month_is_a_day_too_where_a_series_starts(monkeypatch):
    """--since is YYYY-MM or YYYY-MM-DD in every verb (collect took only days, jobs and research only months)."""
    from typer.testing import CliRunner

    from mindshare.cli import app

    for since in ("2025-01", "2025-01-01"):
        result = CliRunner().invoke(app, ["collect", "wikipedia", "--since", since, "--dry-run"])
        assert result.exit_code == 0, result.output
        assert "(window 2025-01-01.." in result.output
    plan = CliRunner().invoke(app, ["research", "sample", "--since", "2024-01-15", "--until", "2024-03-31",
                                    "--dry-run"])
    assert plan.exit_code == 0 and "3 months (2024-01 to 2024-03)" in plan.output, plan.output


def _credentials() -> set[str]:
    """Every credential a provider reads from the environment (the collectors' and the venues')."""
    from mindshare.sources import SOURCES
    from mindshare.sources.venues import PROVIDERS

    providers = [source.provider for source in SOURCES.values()] + list(PROVIDERS.values())
    return {name for provider in providers if provider.credential for name in provider.credential.names}


def test_collect_help_names_each_credential_beside_its_source():
    """README listed BIGQUERY_TOKEN, `--help` only BIGQUERY_PROJECT: the source needs both."""
    text = _help("collect")
    assert "pypi_bigquery: " in text and "BIGQUERY_TOKEN" in text and "BIGQUERY_PROJECT" in text
    venues = {"OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD"}
    assert {name for name in _credentials() - venues if name not in text} == set()


def test_mindshare_help_names_every_environment_variable_and_where_credentials_are_listed():
    from mindshare import settings

    root = _help()
    assert {name for name in settings.VARIABLES if name not in root} == set()
    assert "mindshare collect --help" in root and "mindshare papers fetch --help" in root
    listed = _help("collect") + _help("papers", "fetch")
    assert {name for name in _credentials() if name not in listed} == set()


def test_wide_shows_every_column_in_a_table(bundled_store_path):
    """`--wide` (observations' --full before: one name for one thing, as in research shares)."""
    def columns(*extra):
        shown = run("--db", str(bundled_store_path), "observations", "-s", "qa", "--limit", "1", *extra)
        assert shown.returncode == 0, shown.stderr
        return next(line for line in shown.stdout.splitlines() if line.startswith("┃")).count("┃") - 1

    every = len(run("--db", str(bundled_store_path), "observations", "-s", "qa", "--format", "csv")
                .stdout.splitlines()[0].split(","))
    assert columns() == 12 and columns("--wide") == every > 12
