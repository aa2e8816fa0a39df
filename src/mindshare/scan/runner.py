"""Run a scan over many documents: a local process pool (default) or a dask.distributed cluster.

* Documents are batched per task (`batch` paths each) so a worker pays the process hop once per batch; at most
  2 x workers batches are in flight, so memory stays bounded whatever the corpus size (a worker holds one
  document's text at a time; the parent holds only per-document counts).
* Each worker builds the matcher once (hyperscan database compiled per process) and reads each path itself:
  a local file, or any fsspec URL (s3://, gs://, https://) when running on a cluster.
* Resumable: every finished batch is written to the side table `scan_documents` in the store, in one
  transaction, keyed by (sha256, method, venue, year). Before a run, local files are hashed in the parent and
  those already scanned with the same rules are skipped; remote URLs are skipped by path. Killing a run loses at
  most the batches in flight; a re-run scans only what is missing and the totals come from the table.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mindshare.errors import InputError
from mindshare.scan.extract import DEFAULT_MAX_BYTES, SUFFIXES, extract, sha256_bytes

STATE_TABLE = "scan_documents"
_STATE_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
    sha256 VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    venue VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    field VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    pages INTEGER,
    mentions VARCHAR NOT NULL,
    detail VARCHAR,
    error VARCHAR,
    scanned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sha256, method, venue, year, field)
)
"""
NO_VENUE = ""
NO_YEAR = 0


@dataclass(frozen=True)
class ScanConfig:
    rules: str = "mindshare"
    field: str = "deep-learning"
    backend: str | None = None  # None: pdfium for mindshare; pdftotext (if installed) for horace-he-*
    engine: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES

    def resolved_backend(self) -> str:
        if self.backend:
            return self.backend
        if self.rules.startswith("horace"):
            from mindshare.scan.extract import pdftotext_available
            return "pdftotext" if pdftotext_available() else "pdfium"
        return "pdfium"


_WORKER: dict = {}


def _rules_for(config: ScanConfig):
    key = (config.rules, config.field, config.engine)
    if _WORKER.get("key") != key:
        from mindshare.fields import load_field
        from mindshare.scan.rules import make_rules
        _WORKER["key"] = key
        _WORKER["rules"] = make_rules(config.rules, load_field(config.field), config.engine)
    return _WORKER["rules"]


def scan_document(path: str, config: ScanConfig) -> dict:
    """One document -> the JSON object of `mindshare scan --json` (never raises for a bad document)."""
    rules = _rules_for(config)
    horace = config.rules.startswith("horace")
    # H1: Horace He read pdftotext's raw output, so his rules get the text without repairs
    doc = extract(path, backend=config.resolved_backend(), keep=rules.keep_words, max_bytes=config.max_bytes,
                  repair=not horace)
    result = {"path": path, "sha256": doc.sha256, "pages": doc.pages,
              "mentions": {cid: 0 for cid in rules.ids}, "error": doc.error}
    if doc.error is None:
        found = rules.evaluate(doc.text)
        result["mentions"] = found.mentions
        if horace:
            result["affiliations"] = found.affiliations
            result["counted_as"] = found.counted_as
        else:
            result["ecosystem"] = found.ecosystem
            result["where"] = found.where
    return result


def scan_batch(paths: list[str], config: ScanConfig) -> list[dict]:
    return [scan_document(p, config) for p in paths]


def discover(paths: Iterable[str]) -> list[str]:
    """Files under the given paths (folders searched recursively for .pdf .txt .md .tex), URLs as given."""
    found: list[str] = []
    for raw in paths:
        raw = str(raw)
        if "://" in raw and not raw.startswith("file://"):
            if raw.endswith("/"):
                import fsspec
                fs, root = fsspec.core.url_to_fs(raw)
                protocol = raw.split("://", 1)[0]
                found += [f"{protocol}://{p}" for p in sorted(fs.find(root))
                          if Path(p).suffix.lower() in SUFFIXES]
            else:
                found.append(raw)
            continue
        path = Path(raw.removeprefix("file://"))
        if path.is_dir():
            found += [str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUFFIXES]
        elif path.is_file():
            found.append(str(path))
        else:
            raise InputError(f"{raw}: no such file or folder")
    seen, unique = set(), []
    for p in found:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


# ---------------------------------------------------------------- state (side table in the store)

def ensure_state(connection) -> None:
    connection.execute(_STATE_SCHEMA)


def done_keys(connection, config: ScanConfig, method: str, venue: str, year: int) -> tuple[set[str], set[str]]:
    rows = connection.execute(
        f"SELECT sha256, path FROM {STATE_TABLE} WHERE method = ? AND venue = ? AND year = ? AND field = ?",
        [method, venue, year, config.field]).fetchall()
    return {r[0] for r in rows}, {r[1] for r in rows}


def save_results(connection, results: list[dict], config: ScanConfig, method: str, venue: str, year: int) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for r in results:
        detail = {k: r[k] for k in ("ecosystem", "where", "affiliations", "counted_as") if k in r}
        rows.append([r["sha256"] or sha256_bytes(r["path"].encode()), method, venue, year, config.field, r["path"],
                     r["pages"], json.dumps(r["mentions"]), json.dumps(detail), r["error"], now])
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.executemany(
            f"INSERT OR REPLACE INTO {STATE_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise


def load_results(connection, config: ScanConfig, method: str, venue: str, year: int) -> list[dict]:
    rows = connection.execute(
        f"SELECT path, sha256, pages, mentions, detail, error FROM {STATE_TABLE} "
        "WHERE method = ? AND venue = ? AND year = ? AND field = ? ORDER BY path",
        [method, venue, year, config.field]).fetchall()
    out = []
    for path, digest, pages, mentions, detail, error in rows:
        doc = {"path": path, "sha256": digest, "pages": pages, "mentions": json.loads(mentions), "error": error}
        doc.update(json.loads(detail or "{}"))
        out.append(doc)
    return out


def pending(paths: list[str], done_hashes: set[str], done_paths: set[str],
            max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Paths not scanned yet: local files by sha256 (hashed here, streaming), URLs by path."""
    todo = []
    for path in paths:
        if "://" in path and not path.startswith("file://"):
            if path not in done_paths:
                todo.append(path)
            continue
        try:
            digest = _hash_file(path, max_bytes)
        except OSError:
            todo.append(path)
            continue
        if digest not in done_hashes:
            todo.append(path)
    return todo


def _hash_file(path: str, max_bytes: int) -> str:
    import hashlib
    h = hashlib.sha256()
    with open(path.removeprefix("file://"), "rb") as handle:
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = handle.read(min(1 << 20, remaining))
            if not chunk:
                break
            h.update(chunk)
            remaining -= len(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- executors

def batches(paths: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(paths), size):
        yield paths[i:i + size]


def run_local(paths: list[str], config: ScanConfig, workers: int, batch: int,
              on_batch: Callable[[list[dict]], None]) -> None:
    """Scan with a process pool of `workers` (1: in this process), calling on_batch as batches finish."""
    if workers <= 1:
        for chunk in batches(paths, batch):
            on_batch(scan_batch(chunk, config))
        return
    import multiprocessing

    # forkserver: workers do not inherit the parent's threads or its open store; the server imports the scan
    # modules once, so each worker starts warm
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if os.name == "posix":
        context.set_forkserver_preload(["mindshare.scan.runner", "mindshare.scan.rules", "pypdfium2"])
    chunks = batches(paths, batch)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        in_flight = set()
        for chunk in chunks:
            in_flight.add(pool.submit(scan_batch, chunk, config))
            if len(in_flight) >= 2 * workers:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    on_batch(future.result())
        for future in in_flight:
            on_batch(future.result())


def run_dask(paths: list[str], config: ScanConfig, scheduler: str, batch: int,
             on_batch: Callable[[list[dict]], None]) -> None:
    """Scan on a dask.distributed cluster; workers read paths or URLs through fsspec."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover
        raise InputError("--scheduler needs dask.distributed: pip install 'mindshare[scan]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the dask scheduler at {scheduler} ({exc})") from None
    try:
        chunks = list(batches(paths, batch))
        window = max(2 * sum(client.nthreads().values()), 2)
        futures = [client.submit(scan_batch, c, config, pure=False) for c in chunks[:window]]
        queue = as_completed(futures)
        next_index = len(futures)
        for future in queue:
            on_batch(future.result())
            future.release()
            if next_index < len(chunks):
                queue.add(client.submit(scan_batch, chunks[next_index], config, pure=False))
                next_index += 1
    finally:
        client.close()


def progress_bar(total: int, enabled: bool):
    from mindshare.console import err
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]} docs/s"), TimeElapsedColumn(), TextColumn("left"),
                    TimeRemainingColumn(), console=err, disable=not enabled, transient=False)


@dataclass
class RunSummary:
    found: int
    skipped: int
    scanned: int
    seconds: float


def run(paths: list[str], config: ScanConfig, *, connection=None, venue: str = NO_VENUE, year: int = NO_YEAR,
        workers: int = 1, scheduler: str | None = None, batch: int = 8, progress: bool = False,
        on_result: Callable[[dict], None] | None = None) -> RunSummary:
    """Scan paths, skipping those already in the state table (when a connection is given)."""
    from mindshare.scan.rules import make_rules
    from mindshare.fields import load_field

    method = make_rules(config.rules, load_field(config.field), "python" if config.rules == "mindshare" else
                        config.engine).method
    todo = paths
    if connection is not None:
        ensure_state(connection)
        hashes, done_paths = done_keys(connection, config, method, venue, year)
        if hashes or done_paths:
            todo = pending(paths, hashes, done_paths, config.max_bytes)
    started = time.perf_counter()
    with progress_bar(len(todo), progress) as bar:
        task = bar.add_task("scan", total=len(todo), rate="-")
        count = 0

        def on_batch(results: list[dict]) -> None:
            nonlocal count
            if connection is not None:
                save_results(connection, results, config, method, venue, year)
            count += len(results)
            elapsed = time.perf_counter() - started
            bar.update(task, advance=len(results), rate=f"{count / elapsed:,.1f}" if elapsed else "-")
            if on_result:
                for r in results:
                    on_result(r)

        if scheduler:
            run_dask(todo, config, scheduler, batch, on_batch)
        else:
            run_local(todo, config, workers, batch, on_batch)
    return RunSummary(len(paths), len(paths) - len(todo), len(todo), time.perf_counter() - started)


def config_dict(config: ScanConfig) -> dict:
    return asdict(config)
