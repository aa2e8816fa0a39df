"""Many processes, one store (issue 24). Every checkout of a user shares the default store, and DuckDB lets one
process write a file or many read it: a report reads the store in one short read-only open (its workspace), a
write holds the file for its transaction only, and a process that must wait says who it waits for and gives up
after MINDSHARE_LOCK_WAIT with one line naming it. Real processes throughout (the CLI as a user runs it); a
process that must hold the store meanwhile is the real CLI paused at a known point (DRIVER)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

MINDSHARE = [sys.executable, "-m", "mindshare"]
REPORT_TIMEOUT = 600  # a report on a machine shared by several people at once
JOB_COUNTS = "site,country,date,query,contender,count\nIndeed,us,2020-02-01,pytorch,pytorch,4167\n"

# The real CLI, paused where it holds what the test needs held, until the file $RELEASE exists. Saved as a
# file named `mindshare`, so that the process reads as "mindshare VERB" to whoever waits for it.
DRIVER = '''
import os, sys, time
from pathlib import Path

release = Path(os.environ["RELEASE"])


def pause(what):
    print(what, flush=True)
    while not release.exists():
        time.sleep(0.05)


if os.environ["PAUSE_IN"] == "report":
    from mindshare.report import build

    real_build = build.build_report

    def build_report(store, *args, **kwargs):
        store.connection.execute("SELECT 1").fetchall()   # what the report's analysis runs on, in use
        pause("building")
        return real_build(store, *args, **kwargs)

    build.build_report = build_report
elif os.environ["PAUSE_IN"] == "scan-writer":
    from mindshare.scan import state

    real_in_process = state.StateWriter.in_process.__func__

    def in_process(cls, *args, **kwargs):
        writer = real_in_process(cls, *args, **kwargs)   # the store writer process has opened the store
        pause("scanning")
        return writer

    state.StateWriter.in_process = classmethod(in_process)
else:
    from mindshare.scan import runner

    real_run = runner.run

    def run(paths, config, **kwargs):
        # a scan in one process (--workers 1) writes its table through the store's file, held from here on
        kwargs["store"].connection.execute("SELECT 1").fetchall()
        pause("scanning")
        return real_run(paths, config, **kwargs)

    runner.run = run

from mindshare.cli import main

if __name__ == "__main__":  # not again in the processes a scan's forkserver starts, which import this file
    main()
'''


def user_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A user whose store is the default one (no MINDSHARE_DB: the user data folder, here under tmp_path, which
    does not exist yet), waiting for a held store as long as mindshare does by default."""
    env = {k: v for k, v in os.environ.items() if k not in ("MINDSHARE_DB", "MINDSHARE_LOCK_WAIT")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.update(extra)
    return env


def default_store(tmp_path: Path) -> Path:
    return tmp_path / "data" / "mindshare" / "mindshare.duckdb"


def run(*args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120):
    return subprocess.run([*MINDSHARE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


class Paused:
    """The CLI run by DRIVER, paused inside `verb` (report or scan; `pause_in="scan-writer"`: a scan with worker
    processes, once its store writer process holds the store) until released."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str, pause_in: str | None = None):
        script = tmp_path / "bin" / "mindshare"
        script.parent.mkdir(exist_ok=True)
        script.write_text(DRIVER)
        self.release = tmp_path / f"release-{args[0]}"
        self.process = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True,
                                        env={**env, "RELEASE": str(self.release),
                                             "PAUSE_IN": pause_in or args[0]})
        line = self.process.stdout.readline().strip()
        assert line in ("building", "scanning"), self.process.communicate()[1]

    def finish(self) -> tuple[int, str, str]:
        self.release.touch()
        out, err = self.process.communicate(timeout=REPORT_TIMEOUT)
        return self.process.returncode, out, err


def test_two_reports_at_once_on_the_default_store_both_succeed(tmp_path):
    """`make report` in two checkouts at once: first on a new default store (both load the bundle: it is stored
    once), then again on the store they made."""
    env = user_env(tmp_path)
    clones = [tmp_path / "clone-a", tmp_path / "clone-b"]
    for clone in clones:
        clone.mkdir()
    for round_ in ("new store", "existing store"):
        started = [subprocess.Popen([*MINDSHARE, "report", "--out", "mindshare-report"], cwd=clone, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for clone in clones]
        for process in started:
            out, err = process.communicate(timeout=REPORT_TIMEOUT)
            assert process.returncode == 0, f"{round_}: {err}"
            assert "report written to" in out
        documents = [json.loads((clone / "mindshare-report" / "results.json").read_text()) for clone in clones]
        assert documents[0]["sections"] == documents[1]["sections"], round_
    snapshots = run("snapshots", "--format", "json", env=env)
    assert [s["kind"] for s in json.loads(snapshots.stdout)] == ["bundled"]


def test_observations_and_an_import_during_a_report_succeed_at_once(tmp_path):
    env = user_env(tmp_path)
    assert run("snapshots", env=env).returncode == 0  # the default store, with its bundle
    counts = tmp_path / "counts.csv"
    counts.write_text(JOB_COUNTS)
    report = Paused(tmp_path, env, "report", "--out", str(tmp_path / "report"))
    try:
        started = time.monotonic()
        read = run("observations", "-s", "research", "--format", "csv", env=env)
        imported = run("import", str(counts), env=env)
        listed = run("snapshots", "--format", "json", env=env)
        took = time.monotonic() - started
    finally:
        code, out, err = report.finish()
    for result in (read, imported, listed):
        assert result.returncode == 0, result.stderr
        assert "waiting for the store" not in result.stderr
    assert read.stdout.count("\n") > 100 and "import-" in imported.stdout and "added" in imported.stdout
    assert [s["kind"] for s in json.loads(listed.stdout)] == ["bundled", "import"]
    assert took < 60
    assert code == 0, err
    # the report read the store as it was when it began: one consistent copy, without the import
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    assert len(results["snapshots"]) == 1


def test_a_process_that_must_wait_says_for_whom_and_gives_up_after_the_lock_wait(tmp_path):
    """A scan writes its resumable table through the store's file, held read-write for the whole scan: an import
    (a writer) and a listing (a reader) wait for it, say so, and give up after MINDSHARE_LOCK_WAIT."""
    env = user_env(tmp_path)
    assert run("snapshots", env=env).returncode == 0
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("We use PyTorch and JAX.\n")
    counts = tmp_path / "counts.csv"
    counts.write_text(JOB_COUNTS)
    scan = Paused(tmp_path, env, "scan", str(papers), "--workers", "1")
    try:
        pid = scan.process.pid
        waits = {**env, "MINDSHARE_LOCK_WAIT": "2"}
        for args in (("import", str(counts)), ("snapshots",)):
            started = time.monotonic()
            result = run(*args, env=waits)
            took = time.monotonic() - started
            assert result.returncode == 4, result.stderr
            assert "Traceback" not in result.stderr
            lines = result.stderr.strip().splitlines()
            assert lines[0].startswith(f"waiting for the store, held by PID {pid} (mindshare scan): ")
            assert "MINDSHARE_LOCK_WAIT" in lines[0]
            assert lines[-1].startswith(f"error: store {default_store(tmp_path)} is in use by another process "
                                        f"(PID {pid} (mindshare scan)); gave up after 2 s: set MINDSHARE_LOCK_WAIT")
            assert len(lines) == 2
            assert 2 <= took < 30
        # a longer wait sees the scan end (once the import says it waits) and goes on
        waiting = subprocess.Popen([*MINDSHARE, "import", str(counts)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env={**env, "MINDSHARE_LOCK_WAIT": "300"})
        said = waiting.stderr.readline()
    finally:
        code, _, err = scan.finish()
    assert code == 0, err
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert said.startswith(f"waiting for the store, held by PID {pid} (mindshare scan)")
    assert "import-" in out and "added" in out


def test_a_scan_with_workers_holds_the_store_in_its_writer_process_and_is_named_so(tmp_path):
    """With worker processes the scan's store writer process holds the store (state.StateWriter.in_process): a
    process that waits for it names the scan, not the writer's Python."""
    env = user_env(tmp_path)
    assert run("snapshots", env=env).returncode == 0
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("We use PyTorch and JAX.\n")
    scan = Paused(tmp_path, env, "scan", str(papers), "--workers", "2", pause_in="scan-writer")
    try:
        result = run("snapshots", env={**env, "MINDSHARE_LOCK_WAIT": "0.5"})
    finally:
        code, _, err = scan.finish()
    assert code == 0, err
    assert result.returncode == 4, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    holder = last.split("(PID ", 1)[1].split(" ", 1)[0]
    assert holder != str(scan.process.pid)  # the writer process, not the scan process, holds the file
    assert f"(PID {holder} (mindshare scan)); gave up after 0.5 s" in last


@pytest.mark.parametrize("wait", ["0", "0.3"])
def test_no_wait_gives_up_at_once(tmp_path, wait):
    env = user_env(tmp_path)
    assert run("snapshots", env=env).returncode == 0
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("PyTorch\n")
    scan = Paused(tmp_path, env, "scan", str(papers), "--workers", "1")
    try:
        result = run("snapshots", env={**env, "MINDSHARE_LOCK_WAIT": wait})
    finally:
        scan.finish()
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [line for line in result.stderr.strip().splitlines()
                                                 if line.startswith("error: ")]  # too short a wait to announce
    assert f"gave up after {wait} s" in result.stderr
