"""`mindshare scan` under faults and bad input (issue 10): pdfium from several threads, failed documents tried
again, workers that die with a killed scan, unreadable folders and files, binary data posing as text, a run
where everything failed, impossible years, a large file's progress, and kill -9 at any moment.

Unreadable files are real: the CLI runs as a subprocess that cannot bypass file permissions. The tests run as
root here, and root reads a chmod 000 folder; so the subprocess is started through `setpriv` with the two
capabilities that let root ignore permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) dropped from its bounding
set. As any other user, chmod alone is enough."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from mindshare.errors import InputError

sys.path.insert(0, str(Path(__file__).parent))
from scan_helpers import kill_after_lines  # noqa: E402
from scan_pdfs import make_pdf  # noqa: E402

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not (CORPUS / "papers").exists(), reason="../shared/corpus not present")


def mindshare(*args: str, db: Path, prefix: tuple[str, ...] = (), timeout: float = 300,
              **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "mindshare", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def cannot_bypass_permissions() -> tuple[str, ...]:
    """A command prefix under which chmod 000 denies access (see the module docstring)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop the capabilities that bypass permissions")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


def observations(db: Path) -> dict:
    from mindshare.store import open_store

    store = open_store(db)
    try:
        obs = store.observations(signal="research", source="mindshare scan")
    finally:
        store.close()
    return {(r.segment, r.metric, r.contender if isinstance(r.contender, str) else None): r.value
            for r in obs.itertuples()}


@pytest.fixture
def locked(tmp_path):
    """papers/ with a.txt readable and locked/b.txt inside a folder nobody may enter."""
    papers = tmp_path / "papers"
    (papers / "locked").mkdir(parents=True)
    (papers / "a.txt").write_text("We use PyTorch.")
    (papers / "locked" / "b.txt").write_text("We use TensorFlow.")
    (papers / "locked").chmod(0)
    yield papers
    (papers / "locked").chmod(0o755)


# ---------------------------------------------------------------- pdfium and threads

THREADED_EXTRACTION = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from mindshare.scan import extract as ex
papers = sorted(Path(sys.argv[1]).glob("*.pdf"))
documents = [(p.read_bytes(), str(p)) for p in papers] * 3
with ThreadPoolExecutor(4) as pool:
    results = list(pool.map(lambda d: ex.extract_bytes(*d), documents))
print(sum(r.error is not None for r in results))
"""


@needs_corpus
def test_pdfium_is_serialised_across_threads():
    # pdfium is not thread-safe: four threads extracting at once crashed the process or called valid PDFs
    # damaged, before every pypdfium2 call held one lock per process
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", THREADED_EXTRACTION, str(CORPUS / "papers")],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"crashed ({proc.returncode}): {proc.stderr[-500:]}"
        assert proc.stdout.strip() == "0", "valid PDFs reported as failed"


RULES_FROM_THREADS = """
import threading
from concurrent.futures import ThreadPoolExecutor
from mindshare.scan import runner
names = ["mindshare", "horace-he-2019", "mindshare", "mindshare", "horace-he-2021", "mindshare", "mindshare",
         "horace-he-2019"]
barrier = threading.Barrier(len(names))
def build(name):
    barrier.wait()  # the first tasks of a Dask worker's threads arrive together
    return name, runner.rules_for(runner.ScanConfig(rules=name)).name
with ThreadPoolExecutor(len(names)) as pool:
    for asked, got in pool.map(build, names):
        print(asked, got)
"""


def test_rules_built_from_several_threads_at_once_are_whole_and_the_right_ones():
    # a Dask worker's threads each ask for the rules on their first task; built unguarded, one thread saw
    # another's half-built entry (a KeyError: the batch failed) or got the rules of another config
    for _ in range(4):
        proc = subprocess.run([sys.executable, "-c", RULES_FROM_THREADS], capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-800:]
        pairs = [line.split() for line in proc.stdout.splitlines()]
        assert len(pairs) == 8 and all(asked == got for asked, got in pairs), pairs


# ---------------------------------------------------------------- failed documents are tried again

def test_failed_documents_are_tried_again(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "tf.pdf").write_bytes(make_pdf(text="Implemented in TensorFlow"))
    (papers / "pt.pdf").write_bytes(make_pdf(text="Implemented in PyTorch"))
    # a pdftotext that crashes, as an extraction tool can on a bad day
    broken = tmp_path / "broken-bin"
    broken.mkdir()
    (broken / "pdftotext").write_text("#!/bin/sh\nexit 1\n")
    (broken / "pdftotext").chmod(0o755)
    db = tmp_path / "s.duckdb"
    env = os.environ | {"PATH": f"{broken}:{os.environ['PATH']}"}
    first = mindshare("scan", str(papers), "--backend", "pdftotext", "--venue", "V", "--year", "2020", db=db,
                      env=env)
    assert first.returncode != 0 and "every document failed" in first.stderr
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    second = mindshare("scan", str(papers), "--backend", "pdftotext", "--venue", "V", "--year", "2020", db=db)
    assert second.returncode == 0, second.stderr
    assert "2 scanned, 0 already scanned" in second.stdout
    figures = observations(db)
    assert figures[("V", "papers_total", None)] == 2 and ("V", "papers_failed", None) not in figures


def test_retry_failed_and_rescan(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "ok.txt").write_text("We use JAX.")
    (papers / "bad.pdf").write_bytes(make_pdf(encrypt=True))
    db = tmp_path / "s.duckdb"
    assert mindshare("scan", str(papers), db=db).returncode == 0
    again = mindshare("scan", str(papers), "--retry-failed", db=db)
    assert again.returncode == 0 and "1 scanned, 1 already scanned" in again.stdout, again.stdout + again.stderr
    everything = mindshare("scan", str(papers), "--rescan", db=db)
    assert everything.returncode == 0 and "2 scanned, 0 already scanned" in everything.stdout


# ---------------------------------------------------------------- workers die with the scan

def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@needs_corpus
def test_kill_9_leaves_no_worker_behind(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    for copy in range(6):  # enough for a scan that runs for seconds
        for pdf in sorted((CORPUS / "papers").glob("*.pdf")):
            shutil.copy(pdf, papers / f"{copy}-{pdf.name}")
    scan = subprocess.Popen([sys.executable, "-m", "mindshare", "--db", str(tmp_path / "s.duckdb"), "scan",
                             str(papers), "-j", "2", "--batch", "1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and scan.poll() is None:
            family |= descendants(scan.pid)
            workers = [p for p in family if running(p) and "forkserver" in _cmdline(p)]
            if len(workers) >= 3:  # the forkserver and two workers forked from it
                break
            time.sleep(0.1)
        assert scan.poll() is None, "the scan finished before its workers could be seen"
        family |= descendants(scan.pid)
        os.kill(scan.pid, signal.SIGKILL)
        scan.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(running(p) for p in family):
            time.sleep(0.2)
        survivors = [(p, _cmdline(p)[:80]) for p in family if running(p)]
        assert survivors == [], "processes outlived the killed scan"
    finally:
        for pid in family:  # never leave them running, whatever the outcome
            if running(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_workers_forkserver_starts_before_the_store_opens_and_ends_with_the_scan(tmp_path):
    """`scan -j 2` starts its pool's forkserver before it opens the store (pool.start_early), so the server's
    imports overlap the store's opening rather than delay the first batch: while the scan waits for a store another
    process holds, its forkserver already runs. A kill of the scan then leaves no forkserver behind."""
    import duckdb

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.txt").write_text("We use PyTorch.")
    db = tmp_path / "s.duckdb"
    holder = duckdb.connect(str(db))  # the store held by another "process": the scan waits to open it
    env = dict(os.environ, MINDSHARE_LOCK_WAIT="60")
    scan = subprocess.Popen([sys.executable, "-m", "mindshare", "--db", str(db), "scan", str(tmp_path / "papers"),
                             "-j", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    family: set[int] = set()
    try:
        server = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and scan.poll() is None and not server:
            family |= descendants(scan.pid)
            server = [p for p in family if running(p) and "multiprocessing.forkserver" in _cmdline(p)]
            time.sleep(0.05)
        assert scan.poll() is None, scan.stderr.read().decode()[-500:]
        assert server, "no forkserver while the scan waits for the store"
        os.kill(scan.pid, signal.SIGKILL)
        scan.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(running(p) for p in family):
            time.sleep(0.1)
        assert [p for p in family if running(p)] == [], "the forkserver outlived the killed scan"
    finally:
        holder.close()
        for pid in family:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- what cannot be read is said and counted

def test_an_unreadable_subfolder_is_reported_and_counted(tmp_path, locked):
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(locked), "--venue", "V", "--year", "2020", db=db,
                     prefix=cannot_bypass_permissions())
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert f"{locked / 'locked'}" in text and "1 folder(s) could not be read" in text, text
    assert "Traceback" not in text
    assert observations(db) == {}  # a venue total missing a folder's papers is not stored


def test_an_unreadable_folder_is_called_unreadable(tmp_path, locked):
    proc = mindshare("scan", str(locked / "locked"), db=tmp_path / "s.duckdb", prefix=cannot_bypass_permissions())
    assert proc.returncode != 0 and "cannot be read" in proc.stderr and "Permission denied" in proc.stderr
    assert "no .pdf" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_in_an_unreadable_folder_is_one_line(tmp_path, locked):
    proc = mindshare("scan", str(locked / "locked" / "b.txt"), db=tmp_path / "s.duckdb",
                     prefix=cannot_bypass_permissions())
    assert proc.returncode != 0 and "cannot be read (Permission denied)" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_binary_data_is_not_a_paper(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "good.txt").write_text("We use PyTorch.")
    (papers / "garbage.txt").write_bytes(random.Random(7).randbytes(20_000))
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(papers), "--venue", "V", "--year", "2020", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    docs = {Path(d["path"]).name: d for d in map(json.loads, proc.stdout.splitlines()[1:])}
    assert docs["garbage.txt"]["error"].startswith("not text")
    figures = observations(db)
    assert figures[("V", "papers_total", None)] == 1 and figures[("V", "papers_failed", None)] == 1


def test_not_text_keeps_real_text(tmp_path):
    from mindshare.scan.extract import not_text_reason

    assert not_text_reason("Résumé: nous utilisons PyTorch, 東京.\n".encode() * 100) is None
    assert not_text_reason("Caf\xe9 in Latin-1, PyTorch.\n".encode("latin-1") * 100) is None
    assert "NUL" in not_text_reason(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    assert "not UTF-8" in not_text_reason(bytes(range(128, 256)) * 50)


def test_a_run_where_every_document_failed_exits_non_zero(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "bad.pdf").write_bytes(make_pdf(encrypt=True))
    (papers / "page.pdf").write_bytes(b"<html>404</html>")
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(papers), "--venue", "V", "--year", "2020", db=db)
    assert proc.returncode != 0 and "every document failed" in proc.stderr
    assert observations(db) == {}


def test_impossible_years_are_refused(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("We use PyTorch.")
    db = tmp_path / "s.duckdb"
    for year in ("3000", "1900"):
        proc = mindshare("scan", str(papers), "--venue", "V", "--year", year, db=db)
        assert proc.returncode != 0 and f"--year {year}" in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists() or observations(db) == {}


def test_the_year_bound_moves_with_the_clock():
    from mindshare.scan.runner import check_year

    check_year(2027, today=date(2026, 12, 31))  # next year's proceedings are already announced
    check_year(1950, today=date(2026, 12, 31))
    for year, today in ((2028, date(2026, 12, 31)), (1949, date(2026, 1, 1)), (2027, date(2025, 6, 1))):
        with pytest.raises(InputError, match="not a year"):
            check_year(year, today=today)


# ---------------------------------------------------------------- a large file: bounded memory, progress

def test_a_large_file_shows_progress_before_it_is_done(tmp_path, monkeypatch):
    from mindshare.scan import extract, runner

    # chunks of 64 KiB over a 2 MB file stand for 8 MiB chunks over 200 MB: the same code path
    monkeypatch.setattr(extract, "LARGE_FILE", 256 * 1024)
    monkeypatch.setattr(extract, "CHUNK", 64 * 1024)
    line = "Results of the Tensor-\nFlow model, ﬁne-tuned with PyTorch on a GPU cluster.\n"
    big = tmp_path / "big.txt"
    big.write_text(line * (2_000_000 // len(line)))
    seen: list[tuple[int, int]] = []
    summary = runner.run([str(big)], runner.ScanConfig(), workers=1, on_progress=lambda d, b: seen.append((d, b)))
    partial = [b for d, b in seen if d == 0 and 0 < b < big.stat().st_size]
    assert len(partial) >= 3 and partial == sorted(partial)
    assert summary.tally.mentioning == {"pytorch": 1, "tensorflow": 1}
    whole = extract.repair_bytes(big.read_bytes(), {"pytorch", "tensorflow"})
    assert runner.scan_document(str(big), runner.ScanConfig())["mentions"]["tensorflow"] == \
        whole.count(b"TensorFlow")


def test_chunked_repairs_equal_whole_repairs(monkeypatch):
    from mindshare.scan import extract

    monkeypatch.setattr(extract, "CHUNK", 7)
    rng = random.Random(3)
    pieces = ["Tensor-", "\n", "Flow", " ", "\t", "-", "\r\n", "ﬁ", "\ufffe", "\x02", "\u00ad", "x", "PyTorch-",
              "based", "é", "  \n"]
    for _ in range(300):
        data = "".join(rng.choice(pieces) for _ in range(rng.randrange(60))).encode()
        keep = {"pytorch"}
        assert bytes(extract._text_document(data, keep, True, None)) == extract.repair_bytes(data, keep), data


# ---------------------------------------------------------------- kill -9 at any moment, re-run, same totals

def test_kill_9_at_any_moment_then_rerun_gives_the_same_totals(tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    rng = random.Random(11)
    words = ["We", "use", "PyTorch", "TensorFlow", "JAX", "Keras", "and", "data", "model", "the", "ajax"]
    for i in range(1500):
        (papers / f"{i:05d}.txt").write_text(" ".join(rng.choice(words) for _ in range(rng.randrange(5, 60))))
    (papers / "bad.pdf").write_bytes(make_pdf(encrypt=True))
    fresh = tmp_path / "fresh.duckdb"
    assert mindshare("scan", str(papers), "--venue", "V", "--year", "2021", "-j", "1", db=fresh).returncode == 0
    killed = tmp_path / "killed.duckdb"
    # killed when it has printed its 1st, 400th and 900th document (--json prints each as its batch comes
    # back, before or after its rows are committed), whatever the machine's load: each kill lands mid-run
    for lines in (1, 400, 900):
        kill_after_lines([sys.executable, "-m", "mindshare", "--db", str(killed), "scan", str(papers), "--venue", "V",
                          "--year", "2021", "-j", "2", "--batch", "20", "--json"], lines)
    done = mindshare("scan", str(papers), "--venue", "V", "--year", "2021", "-j", "2", db=killed)
    assert done.returncode == 0, done.stderr
    assert observations(killed) == observations(fresh)
    assert "1501 documents" in done.stdout


# ---------------------------------------------------------------- a full disk

def test_a_full_disk_is_one_line_keeps_what_was_stored_and_the_run_resumes(tmp_path):
    """The store's disk fills while a scan writes its rows. DuckDB fails at COMMIT, which ends the transaction:
    the ROLLBACK that followed raised "no transaction is active" and hid the reason in a traceback (issue 24)."""
    from mounts import tmpfs

    from mindshare.store import open_store

    papers = tmp_path / "papers"
    for i in range(3000):
        folder = papers / ("a" if i < 1000 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:05d}.txt").write_text(f"paper {i} uses PyTorch " + "x" * (i % 300) + "\n")
    with tmpfs(tmp_path / "disk", "2200k") as disk:  # the first 1,000 rows fit (~1.9 MB), the 3,000 do not
        db = disk / "s.duckdb"
        assert mindshare("scan", str(papers / "a"), "-j", "1", db=db).returncode == 0
        full = mindshare("scan", str(papers), "-j", "1", db=db)
        assert full.returncode == 3, full.stderr
        assert full.stderr.strip().splitlines() == [
            f"error: no space left on device writing {db}; the documents stored before are kept: free some space "
            "and run the same command again"]
        store = open_store(db, read_only=True)
        try:
            kept = store.connection.execute("SELECT count(*), count(DISTINCT path) FROM scan_documents").fetchall()
        finally:
            store.close()
        assert kept == [(1000, 1000)]
        subprocess.run(["mount", "-o", "remount,size=20m", str(disk)], check=True)
        again = mindshare("scan", str(papers), "-j", "1", db=db)
        assert again.returncode == 0, again.stderr
        assert "3000 documents: 2000 scanned, 1000 already scanned" in again.stdout


# ---------------------------------------------------------------- a worker process that dies

KILLS_ITS_WORKER = """
import multiprocessing, os
_open = os.open

def open_or_die(path, *args, **kwargs):
    # a pool worker reading a file named 'poison' dies, as a crash in a PDF library would kill it
    if "poison" in str(path) and multiprocessing.parent_process() is not None:
        os._exit(1)
    return _open(path, *args, **kwargs)

os.open = open_or_die
"""


def test_a_document_that_kills_its_pool_worker_fails_alone_and_the_run_goes_on(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILLS_ITS_WORKER)  # imported by every process the test starts
    papers = tmp_path / "papers"
    papers.mkdir()
    for i in range(40):
        (papers / f"{i:02d}.pdf").write_bytes(make_pdf(text=f"paper {i} uses PyTorch"))
    (papers / "17-poison.pdf").write_bytes(make_pdf(text="Keras"))
    db = tmp_path / "s.duckdb"
    proc = mindshare("scan", str(papers), "-j", "2", "--batch", "8", "--json", db=db,
                     env=os.environ | {"PYTHONPATH": str(hook)})
    assert proc.returncode == 0, proc.stderr
    docs = {Path(d["path"]).name: d for d in map(json.loads, proc.stdout.splitlines()[1:])}
    assert len(docs) == 41 and "Traceback" not in proc.stderr
    assert docs["17-poison.pdf"]["error"] == "its worker process died each time it was tried: tried again next run"
    assert all(doc["mentions"]["pytorch"] == 1 for name, doc in docs.items() if name != "17-poison.pdf")
