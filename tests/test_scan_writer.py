"""The scan's store writer in a process of its own (state.StateWriter.in_process), as `mindshare scan` runs it:
the store's own work (DuckDB reading, inserting and compressing the rows) is off the scan process, which every
worker waits on (issue 25). It stores what the writer thread stores, the scan process holds no store file while it
runs, and a writer that cannot open the store or dies says so in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from mindshare.errors import MindshareError, StoreError
from mindshare.scan import runner
from mindshare.scan.state import TABLE, StateKey, StateWriter, rows_json
from mindshare.store import open_store


def papers(folder, count: int = 40):
    folder.mkdir()
    for number in range(count):
        text = ["We use PyTorch.", "Built with TensorFlow and Keras.", "Plain text, no framework."][number % 3]
        (folder / f"p{number:03}.txt").write_text(f"Paper {number}.\n{text}\n")
    (folder / "bad.txt").write_bytes(b"\x00binary")  # a failed document: its row has an error
    return folder


def stored(db) -> list[tuple]:
    store = open_store(db, read_only=True)
    try:
        return store.connection.execute(
            f"SELECT sha256, method, venue, year, field, path, pages, mentions, detail, error, size, mtime_ns "
            f"FROM {TABLE} ORDER BY path").fetchall()
    finally:
        store.close()


def test_a_writer_process_stores_what_a_writer_thread_stores(tmp_path):
    folder = papers(tmp_path / "papers")
    by_thread, by_process = tmp_path / "thread.duckdb", tmp_path / "process.duckdb"
    store = open_store(by_thread)
    try:
        threaded = runner.run([str(folder)], runner.ScanConfig(), connection=store.connection, venue="V", year=2021,
                              workers=2, batch=5)
    finally:
        store.close()
    store = open_store(by_process)
    try:
        own = runner.run([str(folder)], runner.ScanConfig(), store=store, venue="V", year=2021, workers=2, batch=5)
    finally:
        store.close()
    assert stored(by_process) == stored(by_thread) and len(stored(by_thread)) == 41
    assert (own.scanned, own.failures) == (threaded.scanned, threaded.failures) == (41, 1)
    assert threaded.writer_cpu is None and own.writer_cpu > 0  # the writer process's CPU, said apart


def test_a_scan_in_one_process_writes_from_a_thread(tmp_path):
    """With no worker processes the scan and its writer share one core whatever holds the store: a process of its
    own would only add its start-up (~0.3 s on one core)."""
    folder = papers(tmp_path / "papers", count=3)
    store = open_store(tmp_path / "s.duckdb")
    try:
        summary = runner.run([str(folder)], runner.ScanConfig(), store=store, workers=1)
    finally:
        store.close()
    assert summary.scanned == 4 and summary.writer_cpu is None and len(stored(tmp_path / "s.duckdb")) == 4


def test_the_scan_process_holds_no_store_file_while_it_scans(tmp_path):
    """The writer process opens the store: were the scan process to hold the file too, DuckDB would refuse one of
    them. A resumed run reads what is stored through the writer as well."""
    folder = papers(tmp_path / "papers")
    store = open_store(tmp_path / "s.duckdb")
    held = []
    try:
        first = runner.run([str(folder)], runner.ScanConfig(), store=store, workers=2, batch=5,
                           on_result=lambda doc: held.append(store._file is not None))
        again = runner.run([str(folder)], runner.ScanConfig(), store=store, workers=2, batch=5)
    finally:
        store.close()
    assert held and not any(held)
    assert (first.scanned, again.scanned, again.skipped) == (41, 1, 40)  # the failed one is tried again


def test_a_store_another_process_holds_is_waited_for_then_said_in_one_line(tmp_path):
    db = tmp_path / "s.duckdb"
    store = open_store(db, lock_wait=0.3)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(MindshareError) as raised:
            StateWriter.in_process(store, StateKey("m", "", 0, "deep-learning"))
    finally:
        holder.kill()
        holder.wait()
    message = str(raised.value)
    assert "in use by another process" in message and "\n" not in message


def test_a_writer_process_that_dies_is_one_line_and_keeps_what_it_committed(tmp_path):
    db = tmp_path / "s.duckdb"
    store = open_store(db)
    key = StateKey("m", "", 0, "deep-learning")
    writer = StateWriter.in_process(store, key, flush_rows=1)
    row = runner.Row("ab" * 32, "a.txt", 0, '{"pytorch": 1}', "{}", None, 10, 1)
    writer.save_rows(rows_json([row]), 1)  # committed: flush_rows is 1
    writer._flush()
    while writer._writes:
        writer._writes.pop(0).result()
    (pid,) = writer._home.executor._processes
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(StoreError) as raised:
        writer.save_rows(rows_json([row._replace(key="cd" * 32, path="b.txt")]), 1)
        writer.close()
    assert "store writer process died" in str(raised.value) and "\n" not in str(raised.value)
    assert [r[5] for r in stored(db)] == ["a.txt"]


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups")
def test_ctrl_c_ends_the_scan_as_interrupted_and_a_rerun_resumes(tmp_path):
    """Ctrl-C signals the terminal's whole process group, the writer process included: the scan says it was
    interrupted (exit 130), the writer commits what the scan had queued, and a re-run scans only the rest."""
    import time

    folder = papers(tmp_path / "papers", count=3000)
    db = tmp_path / "s.duckdb"
    command = [sys.executable, "-m", "mindshare", "--db", str(db), "scan", str(folder), "-j", "2", "--batch", "10",
               "--json"]
    scan = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    for _ in range(200):  # about a third of the documents printed
        scan.stdout.readline()
    time.sleep(0.2)
    os.killpg(scan.pid, signal.SIGINT)
    _, stderr = scan.communicate(timeout=120)
    said = stderr.decode()
    assert scan.returncode == 130 and "interrupted; the store keeps what was committed" in said, said[-800:]
    assert "died" not in said
    kept = sum(row[9] is None for row in stored(db))  # what a re-run skips: scanned without error
    again = subprocess.run(command[:-1], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert 0 < kept < 3000 and len(stored(db)) == 3001
    assert f"3001 documents: {3001 - kept} scanned, {kept} already scanned" in again.stdout
