"""Run a scan: documents found (corpus), skipped when already scanned (state), read, keyed, extracted and
matched once each in batches (here, in a process pool or on a Dask cluster: pool), their rows written to the
store off the matching thread (state.StateWriter) and their counts added up (tallies).

* A worker builds the rules (and its matcher) once per process and returns each batch ready to use
  (`BatchResult`): its rows as JSON lines, its --json lines as one string, its documents added up. The scan
  process then only checks each content against the run's others (a copy makes it add that batch up document by
  document), so its own cost per document stays small however many workers feed it.
* Batches are sized by work (about 32 MiB of text, a PDF byte counting PDF_WORK; at most 1,024 documents): a 50 KB
  text and a 2 MB PDF both pay the process hop once per batch, not once per document (the scan process's own CPU
  per text falls by ~12% from 8 MiB batches, ~10% more from 2 MiB ones), and the last PDFs of a run are shared
  evenly between workers.
* Resumable: see state.py. Killing a run loses at most the rows not yet committed; a re-run scans only what is
  missing and the tallies, computed from the table, come out the same.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, date, datetime
from typing import Callable, Iterable, Iterator, NamedTuple, TextIO

from mindshare.errors import InputError
from mindshare.scan import corpus, remote, state
from mindshare.scan import extract as extract_module
from mindshare.scan.archive import ArchiveRef, Reading
from mindshare.scan.extract import CONTENT_KEY, DEFAULT_MAX_BYTES, extract, pdftotext_available
from mindshare.scan.rules import Text
from mindshare.scan.state import (
    NO_VENUE,
    NO_YEAR,
    FileRef,
    Row,
    ScanTable,
    StateKey,
    StateWriter,
    file_ref,
    json_rows,
    key_bytes,
    keyed,
    rows_json,
    stored_document,
)
from mindshare.scan.tallies import Tally

_json_string = json.encoder.encode_basestring_ascii  # what json.dumps does with a str, without its wrapper
BATCH_BYTES = 32 * 1024 * 1024
BATCH_DOCUMENTS = 1024
PDF_WORK = 128  # bench/scan.py: pypdfium2 ~4 MB of PDF per CPU-second, the text path ~500-700 MB
TEXT_WORK = 64 * 1024  # a local text not stat-ed (corpus.walk, lazy): a paper's text is ~50-60 KB
FIRST_YEAR = 1950  # no venue we count published papers before this


@dataclass(frozen=True)
class ScanConfig:
    rules: str = "mindshare"
    field: str = "deep-learning"
    backend: str | None = None  # None: the rules' own (pdfium; pdftotext if installed for horace-he-*)
    engine: str = "auto"
    max_bytes: int = DEFAULT_MAX_BYTES
    storage: tuple[tuple[str, object], ...] = ()  # fsspec storage options (--storage-option), never credentials

    @property
    def options(self) -> dict | None:
        return dict(self.storage) if self.storage else None

    def backend_for(self, rules) -> str:
        if self.backend:
            return self.backend
        if rules.pdf_backend == "pdftotext" and not pdftotext_available():
            return "pdfium"
        return rules.pdf_backend


def check_year(year: int, today: date | None = None) -> None:
    """Refuse a year no venue's papers can have: before FIRST_YEAR or after next year."""
    today = today or date.today()
    if not FIRST_YEAR <= year <= today.year + 1:
        raise InputError(f"--year {year} is not a year papers can have (give {FIRST_YEAR}-{today.year + 1})")


# ---------------------------------------------------------------- one document, in a worker

_RULES: dict[tuple, object] = {}  # this process's rules (and compiled matchers), per (rules, field, engine)
_RULES_LOCK = threading.Lock()


def rules_for(config: ScanConfig):
    """The rules of `config`, built once per process (the matcher compiles its database once). A Dask worker
    runs tasks in several threads: the first ones arrive together, and each must get whole rules of its own
    config (building them reads the field file, which lets another thread in half-way), so they are built under
    a lock and kept per config."""
    key = (config.rules, config.field, config.engine)
    rules = _RULES.get(key)
    if rules is None:
        with _RULES_LOCK:
            rules = _RULES.get(key)
            if rules is None:
                from mindshare.fields import load_field
                from mindshare.scan.rules import make_rules
                rules = _RULES[key] = make_rules(config.rules, load_field(config.field), config.engine)
    return rules


class DocResult(NamedTuple):
    row: Row                    # what the store keeps
    mentions: dict[str, int]
    only: str | None            # what the document counts as (RuleSet.counted)
    several: bool
    legacy: str | None = None   # "sha256:<hex>" of the bytes read, when asked for (state.ScanTable.legacy)


def scan_file(ref: FileRef, config: ScanConfig, on_bytes=None, legacy: bool = False) -> DocResult:
    """One document: read and keyed once, extracted, matched (never raises for a bad document)."""
    rules = rules_for(config)
    doc = extract(ref.path, backend=config.backend_for(rules), keep=rules.keep_words, max_bytes=config.max_bytes,
                  repair=rules.repairs_text, on_bytes=on_bytes, storage_options=config.options,
                  also_sha256=legacy)
    return document_result(doc, ref, rules)


def document_result(doc, ref: FileRef, rules) -> DocResult:
    """An extracted document's row and counts (a file's, or an archive member's)."""
    error = doc.error
    try:
        if error is None:
            found = rules.evaluate(Text(doc.data))
            mentions, detail, detail_json = found.mentions, found.detail, found.detail_json
            only, several = rules.counted(mentions, detail)
    finally:
        close = getattr(doc.data, "close", None)
        if close:
            close()  # a memory-mapped file
    if error is not None:
        mentions, detail, detail_json, only, several = dict.fromkeys(rules.ids, 0), {}, None, None, False
    if detail_json is None:
        detail_json = json.dumps(detail) if detail else "{}"
    row = Row(doc.key, ref.path, doc.pages, _counts_json(mentions), detail_json, error, ref.size, ref.mtime_ns)
    return DocResult(row, mentions, only, several, state.LEGACY + doc.sha256 if doc.sha256 else None)


def _counts_json(counts: dict[str, int]) -> str:
    """json.dumps of a {contender id: count} dict (ids are plain words), at a third of its cost."""
    return "{" + ", ".join([f"{_json_string(key)}: {value}" for key, value in counts.items()]) + "}"


def json_line(row: Row) -> str:
    """The --json object of a document: path, content_key, pages, mentions, error, then the rules' detail (the same
    text as json.dumps of the whole object, built from the JSON the store keeps)."""
    error = "null" if row.error is None else _json_string(row.error)
    head = (f'{{"path": {_json_string(row.path)}, "content_key": "{row.key}", "pages": {row.pages}, '
            f'"mentions": {row.mentions}, "error": {error}')
    return head + (", " + row.detail[1:] if len(row.detail) > 2 else "}")


def json_header(config: ScanConfig) -> str:
    """The first --json line of a run: what every document line's content_key is, and the rules that counted."""
    from mindshare.scan.rules import method_of

    return json.dumps({"mindshare_scan": {"content_key": CONTENT_KEY, "rules": method_of(config.rules),
                                          "field": config.field}})


def scan_document(path: str, config: ScanConfig) -> dict:
    """One document -> the JSON object of `mindshare scan --json`."""
    return json.loads(json_line(scan_file(corpus._ref(path) if not corpus.is_url(path) else FileRef(path),
                                          config).row))


class BatchResult(NamedTuple):
    """A batch's results as they come back from a worker, ready to store, print and add up: the scan process
    then does almost nothing per document (it checks each content against the run's others), so it keeps up
    with many workers, and little crosses between processes (two strings)."""

    documents: int
    size: int                       # bytes of the batch's documents
    keys: list[bytes]               # each document's key in the store (state.key_bytes)
    rows: bytes | None              # the rows the store keeps, as JSON lines (state.rows_json), when storing
    lines: bytes | None             # the --json lines (UTF-8), one per document, when asked for
    tally: Tally                    # the batch's documents added up (used when none of them is a duplicate)
    failed: list[tuple[str, str]]   # (path, reason) of the batch's failed documents
    legacy: list[str | None] | None = None  # each document's "sha256:<hex>", when asked for
    archive: tuple[str, str] | None = None  # (URL, identity) of the batch's archive, when it was read to its end
    problems: list[tuple[str, str]] = []    # (where, why): what is wrong that is not a document (archive.py)


@dataclass(frozen=True)
class BatchJob:
    """What a worker runs on one batch (picklable: it travels to pool workers and Dask)."""

    config: ScanConfig
    lines: bool = False   # build the --json lines
    store: bool = True    # build the rows the store keeps
    legacy: bool = False  # also each document's sha256 (the store holds rows keyed so: state.ScanTable.legacy)

    def __call__(self, refs: list[FileRef | str] | list[ArchiveRef], on_bytes=None) -> BatchResult:
        """A batch: documents (a FileRef, or a local text's path alone from a lazy walk: corpus.walk), or one
        archive."""
        rules = rules_for(self.config)
        if refs and isinstance(refs[0], ArchiveRef):
            return self._archive(refs[0], rules)
        native = None if self.legacy else getattr(rules, "text_batch", lambda: None)()
        if native is None:
            return self._in_python(refs, rules, on_bytes)
        return self._in_c(native, refs, rules, on_bytes)

    def _in_c(self, native, refs: list[FileRef], rules, on_bytes=None) -> BatchResult:
        """The batch's local text files in C (rules.MindshareRules.text_batch); the rest (PDFs, URLs, archive
        members, large files, and what C could not read or found binary, whose reason Python words) in Python."""
        taken, digests, rows, lines, figures = native.run([ref if type(ref) is str else ref.path for ref in refs],
                                                          self.lines, extract_module.CHUNK)
        tally = Tally.for_rules(rules)
        tally.scanned, tally.several = figures[0], figures[1]
        for index, cid in enumerate(rules.ids):
            if figures[2 + 2 * index]:
                tally.mentioning[cid] = figures[2 + 2 * index]
            if figures[3 + 2 * index]:
                tally.only[cid] = figures[3 + 2 * index]
        if taken.count(1) == len(refs):  # the common case: no Python object per document
            keys = [digests[at:at + 32] for at in range(0, len(digests), 32)]
            return BatchResult(len(refs), figures[-1], keys, rows if self.store or not self.lines else None, lines,
                               tally, [])
        return self._merged(refs, taken, digests, rows, lines, tally, figures[-1], on_bytes)

    def _merged(self, refs, taken, digests, rows, lines, tally, size, on_bytes) -> BatchResult:
        """A batch C took only part of: its rows and lines in order, the others scanned in Python (`size`: the
        bytes of those C took)."""
        c_rows, c_lines = iter(rows.split(b"\n")), iter(lines.split(b"\n") if lines else ())
        row_lines, out, keys, failed, done = [], [], [], [], 0
        for ref, here in zip(refs, taken):
            if here:
                keys.append(digests[32 * done:32 * done + 32])
                done += 1
                row_lines.append(next(c_rows))
                if self.lines:
                    out.append(next(c_lines))
            else:
                ref = file_ref(ref)
                result = scan_file(ref, self.config, on_bytes)
                size += ref.size or 0
                row = keyed(result.row)
                tally.add(result.mentions, result.only, result.several, row.error is not None)
                if row.error:
                    failed.append((row.path, row.error))
                keys.append(key_bytes(row.key))
                row_lines.append(rows_json([row]))
                if self.lines:
                    out.append(json_line(result.row).encode())
        return BatchResult(len(refs), size, keys, b"\n".join(row_lines) if self.store or not self.lines else None,
                           b"\n".join(out) if self.lines else None, tally, failed)

    def _in_python(self, refs: list[FileRef], rules, on_bytes) -> BatchResult:
        return self._added_up((scan_file(file_ref(ref), self.config, on_bytes, self.legacy) for ref in refs),
                              rules)

    def _archive(self, ref: ArchiveRef, rules) -> BatchResult:
        """An archive read from start to end once, each member a document (archive.py)."""
        options = self.config.options
        reading = Reading(ref, lambda path: _open_archive(path, options), backend=self.config.backend_for(rules),
                          keep=rules.keep_words, max_bytes=self.config.max_bytes, repair=rules.repairs_text)
        results = (document_result(m.doc, FileRef(m.path, m.size, m.mtime_ns), rules) for m in reading)
        added = self._added_up(results, rules)
        return added._replace(archive=(ref.path, ref.identity) if reading.complete else None,
                              problems=reading.problems)

    def _added_up(self, results: Iterable[DocResult], rules) -> BatchResult:
        tally = Tally.for_rules(rules)
        rows, lines, failed, size, legacy = [], [], [], 0, []
        for result in results:
            row = result.row
            tally.add(result.mentions, result.only, result.several, row.error is not None)
            if row.error:
                failed.append((row.path, row.error))
            if self.lines:
                lines.append(json_line(row))
            size += row.size or 0
            rows.append(keyed(row))
            legacy.append(result.legacy)
        # a batch holding a copy is added up document by document from its lines, or else from its rows
        stored = rows_json(rows, legacy if self.legacy else None) if self.store or not self.lines else None
        return BatchResult(len(rows), size, [key_bytes(row.key) for row in rows], stored,
                           "\n".join(lines).encode() if self.lines else None, tally, failed,
                           legacy if self.legacy else None)


def _open_archive(path: str, options: dict | None):
    """An archive, to be read from its start to its end (a local file or an object through fsspec)."""
    if corpus.is_url(path):
        return remote.open_stream(path, options)
    return open(path.removeprefix("file://"), "rb")


def failed_batch(refs: list, reason: str, job: BatchJob) -> BatchResult:
    """A batch its workers could not scan (a worker killed, an error outside any document), after its retries: each
    document a failed one (stored so, tried again next run), an archive a problem (read again next run)."""
    if refs and isinstance(refs[0], ArchiveRef):
        return BatchResult(0, 0, [], b"" if job.store else None, b"" if job.lines else None,
                           Tally.for_rules(rules_for(job.config)), [], problems=[(refs[0].path, reason)])
    rules = rules_for(job.config)
    results = []
    for ref in map(file_ref, refs):
        row = keyed(Row("", ref.path, 0, _counts_json(dict.fromkeys(rules.ids, 0)), "{}", reason, ref.size,
                        ref.mtime_ns))
        results.append(DocResult(row, dict.fromkeys(rules.ids, 0), None, False))
    return job._added_up(results, rules)


def batches(items: Iterable[list[FileRef] | ArchiveRef], size: int | None = None) -> Iterator[list]:
    """Documents (given in lists) in batches of `size` documents, or (None) of about BATCH_BYTES of work, at most
    BATCH_DOCUMENTS documents; an archive alone (its members are its batch). A PDF's byte is PDF_WORK text bytes
    of work (extracting a page costs ~100x matching its text), so PDFs come a few per batch and two workers share
    the last of them evenly."""
    if size:
        for chunk in _chunks(items, size):
            yield [chunk] if type(chunk) is ArchiveRef else chunk
        return
    batch: list = []
    held = 0
    for item in items:
        if type(item) is ArchiveRef:
            if batch:
                yield batch
                batch, held = [], 0
            yield [item]
            continue
        # the work of each document, added up: a batch ends where BATCH_BYTES or BATCH_DOCUMENTS is reached
        default = BATCH_BYTES // 8
        work = [TEXT_WORK if type(ref) is str else
                (ref.size or default) * (PDF_WORK if ref.path[-4:].lower() == ".pdf" else 1) for ref in item]
        start = 0
        for end, amount in enumerate(work, 1):
            held += amount
            if held >= BATCH_BYTES or len(batch) + end - start >= BATCH_DOCUMENTS:
                batch.extend(item[start:end])
                yield batch
                batch, held, start = [], 0, end
        batch.extend(item[start:])
    if batch:
        yield batch


# ---------------------------------------------------------------- a run

@dataclass
class RunSummary:
    found: int = 0
    skipped: int = 0           # scanned before (and unchanged)
    left: int = 0              # --retry-failed: not scanned before, so not scanned now
    scanned: int = 0           # read and matched in this run
    duplicates: int = 0        # the same content as another document of the run
    failures: int = 0          # this run's failed documents
    failed: list[tuple[str, str]] = dc_field(default_factory=list)  # (path, reason) of the first 100 of them
    unreadable: list[tuple[str, str]] = dc_field(default_factory=list)  # folders that could not be listed
    problems: list[tuple[str, str]] = dc_field(default_factory=list)  # (where, why) not a document: the first 100
    problem_count: int = 0
    seconds: float = 0.0
    engine: str = ""
    tally: Tally | None = None  # the run's documents (scanned or skipped), each content once
    migrated: state.Migration | None = None  # the store's rows re-keyed from sha256 by this run
    writer_cpu: float | None = None  # CPU seconds of the process that wrote the rows, when one did

    @property
    def usable(self) -> int:
        return self.tally.scanned if self.tally else 0


def run(paths: Iterable[str], config: ScanConfig, *, connection=None, store=None, venue: str = NO_VENUE, year: int = NO_YEAR,
        mode: str = "resume", workers: int = 1, scheduler: str | None = None, batch: int | None = None,
        progress: bool = False, out: TextIO | None = None,
        on_result: Callable[[dict], None] | None = None, on_progress: Callable[[int, int], None] | None = None
        ) -> RunSummary:
    """Scan the documents under `paths`, skipping (with a connection to the store) those already scanned.

    The rows are written through `connection` (a DuckDB connection to the store) by a thread of this process; or to
    `store` (a Store, as the scan command's), with worker processes (`workers` > 1, or a cluster) by a process of
    its own (state.StateWriter.in_process: this process then does not hold the store's file until the run ends),
    else by a thread of this process.

    `out`: a stream to write each document's --json line to (scanned and skipped alike); `on_result`: called with
    each document as a dict (as --json prints it); `on_progress(documents, bytes)`: called as work advances.
    """
    from mindshare.scan.rules import method_of

    started = time.perf_counter()
    rules = rules_for(config)
    json_lines = out is not None or on_result is not None
    summary = RunSummary(tally=Tally.for_rules(rules), engine=getattr(getattr(rules, "matcher", None), "engine", ""))
    roots = corpus.check_roots(paths, config.options)
    key = StateKey(method_of(config.rules), venue, year, config.field)
    if store is not None and (workers > 1 or scheduler):  # off the process every worker waits on
        writer: StateWriter | None = StateWriter.in_process(store, key)
    elif store is not None or connection is not None:  # a scan in one process: on its one core either way
        writer = StateWriter(connection if connection is not None else store.connection, key)
    else:
        writer = None
    seen: set[bytes] = set()  # the run's documents by content: a copy under another name is counted once
    display = _Display(corpus.count(roots) if progress else None, progress, on_progress)

    def emit(text: str | bytes | None) -> None:
        """Print --json lines (joined): one write for many lines, since with PYTHONUNBUFFERED (common in
        containers) every write is a system call. A batch's lines come as the worker wrote them (ASCII JSON, as
        bytes), and go to a binary stream as they are, not decoded and encoded again."""
        if not text:
            return
        if out is not None:
            binary = getattr(out, "buffer", None) if type(text) is bytes else None
            if binary is not None:
                out.flush()  # what was written as text first
                binary.write(text)
                binary.write(b"\n")
                binary.flush()
            else:
                out.write((text.decode() if type(text) is bytes else text) + "\n")
                out.flush()
        if on_result is not None:
            for line in text.split(b"\n" if type(text) is bytes else "\n"):
                on_result(json.loads(line))

    def on_batch(result: BatchResult) -> None:
        keys = result.keys
        if result.legacy is None and seen.isdisjoint(keys) and len(set(keys)) == len(keys):
            seen.update(keys)  # no copy of another document: the batch as it came
            summary.tally.merge(result.tally)
            rows, count = result.rows, result.documents
        else:
            rows, count = add_one_by_one(result, keys)
        if writer:
            writer.save_rows(rows, count, result.archive)
        if result.archive:  # an archive's members are found as it is read
            summary.found += result.documents
        summary.scanned += result.documents
        summary.failures += len(result.failed)
        summary.failed.extend(result.failed[:max(0, 100 - len(summary.failed))])
        summary.problem_count += len(result.problems)
        summary.problems.extend(result.problems[:max(0, 100 - len(summary.problems))])
        emit(result.lines)
        display.done(result.documents, result.size)
        display.show()

    def add_one_by_one(result: BatchResult, keys: list[bytes]) -> tuple[bytes, int]:
        """A batch holding a copy of a document seen before (or twice), or whose documents also carry their
        sha256 (a store with rows keyed so): each content is counted and stored once. Its rows to store."""
        rows = json_rows(result.rows)[0] if result.rows is not None else [None] * result.documents
        docs = [json.loads(line) for line in result.lines.split(b"\n")] if result.lines else None
        aliases = result.legacy or [None] * result.documents
        kept, replaces = [], []
        for index, (key, row, alias) in enumerate(zip(keys, rows, aliases)):
            also = key_bytes(alias) if alias else None
            if key in seen or also in seen:
                summary.duplicates += 1
                continue
            seen.update((key, also) if also else (key,))
            kept.append(row)
            replaces.append(alias)
            doc = docs[index] if docs is not None else stored_document(row.path, row.key, row.pages,
                                                                        row.mentions, row.detail, row.error)
            summary.tally.add_document(rules, doc)
        # rows from a worker: keyed already, each content once
        return (rows_json(kept, replaces if result.legacy is not None else None) if writer else None), len(kept)

    def skip(docs: Iterable[dict]) -> None:
        """Documents scanned before: counted from the store (each content once) and printed."""
        lines = []
        for doc in docs:
            summary.skipped += 1
            digest = key_bytes(doc["content_key"])
            if digest not in seen:
                seen.add(digest)
                summary.tally.add_document(rules, doc)
            if json_lines:
                lines.append(json.dumps(doc))
        emit("\n".join(lines))

    def archive_todo(ref: ArchiveRef) -> ArchiveRef | None:
        """The archive with what is stored of it left out (its members scanned before, without error), or None
        when it was read to its end as it is and nothing of it failed."""
        complete, stored = writer.archive(ref.path, ref.identity, mode) if writer else (False, [])
        good = {name: doc for name, doc in stored if not doc["error"]}
        failed = frozenset(name for name, doc in stored if doc["error"])
        if mode == "rescan":
            return ref
        summary.found += len(good)
        skip(good.values())
        if mode == "retry-failed":
            return ref._replace(only=failed) if failed else None
        if complete and not failed:
            return None
        return ref._replace(done=frozenset(good))

    def pending() -> Iterator[list[FileRef] | ArchiveRef]:
        """What is left to scan, as lists of documents and archives one by one."""
        found = corpus.listings(roots, lambda folder, why: summary.unreadable.append((folder, why)), config.options)
        for files in _chunks(found, 8192):
            if type(files) is ArchiveRef:
                if (ref := archive_todo(files)) is not None:
                    yield ref
                continue
            summary.found += len(files)
            todo, skipped, skipped_bytes = writer.split(files, mode) if writer else (files, [], 0)
            skip(skipped)
            if mode == "retry-failed":
                summary.left += len(files) - len(todo) - len(skipped)
            if len(todo) < len(files):
                display.done(len(files) - len(todo), skipped_bytes)
            yield todo

    if writer:
        summary.migrated = writer.migrated
    if out is not None:
        out.write(json_header(config) + "\n")
    job = BatchJob(config, lines=json_lines, store=writer is not None, legacy=bool(writer and writer.legacy))
    from mindshare.scan import pool

    try:
        with display:
            work = batches(pending(), batch)
            if scheduler:
                pool.run_dask(work, job, scheduler, on_batch, lambda refs, why: on_batch(failed_batch(refs, why, job)))
            elif workers <= 1:
                pool.run_here(work, job, on_batch, display.progress, display.show)
            else:
                pool.run_pool(work, job, workers, on_batch, display.attach, display.show,
                              lambda refs, why: on_batch(failed_batch(refs, why, job)))
    finally:
        if writer:
            writer.close()
            summary.writer_cpu = writer.cpu_seconds
    if summary.found == 0 and not summary.unreadable and not summary.problems:
        raise InputError(f"no .pdf, .txt, .md, .tex, gzipped source or .tar files under {', '.join(map(str, paths))}")
    summary.seconds = time.perf_counter() - started
    return summary


def _chunks(found: Iterable[list | ArchiveRef], size: int) -> Iterator[list | ArchiveRef]:
    """Lists of documents (corpus.listings) joined and cut into chunks of `size` documents, each archive alone, in
    their order."""
    chunk: list = []
    for item in found:
        if type(item) is ArchiveRef:
            if chunk:
                yield chunk
                chunk = []
            yield item
            continue
        chunk.extend(item)
        if len(chunk) >= size:
            whole = len(chunk) - len(chunk) % size
            for start in range(0, whole, size):
                yield chunk[start:start + size]
            chunk = chunk[whole:]
    if chunk:
        yield chunk


class _Display:
    """The progress bar (documents and bytes; a large file advances it while it is read), on stderr."""

    def __init__(self, totals: tuple[int, int] | None, enabled: bool, on_progress):
        from mindshare.scan.pool import Progress

        self.totals = totals
        self.enabled = enabled
        self.on_progress = on_progress
        self.progress = Progress() if (enabled or on_progress) else None
        self.documents = self.bytes = 0
        self._bar = self._task = None
        self._shown = 0.0

    def attach(self, progress) -> None:
        if self.progress is not None:
            self.progress = progress

    def done(self, documents: int, size: int) -> None:
        self.documents += documents
        self.bytes += size

    def show(self) -> None:
        partial = self.progress.partial() if self.progress else 0
        if self.on_progress:
            self.on_progress(self.documents, self.bytes + partial)
        now = time.monotonic()
        if self._bar is not None and now - self._shown >= 0.1:
            self._shown = now
            self._bar.update(self._task, completed=self.bytes + partial, docs=self.documents)

    def __enter__(self):
        if self.enabled:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            from mindshare.console import err

            files, size = self.totals or (0, 0)
            self._bar = Progress(TextColumn("scanning"), BarColumn(), TextColumn("{task.fields[docs]:,}/"
                                 f"{files:,} documents"), DownloadColumn(), TransferSpeedColumn(),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 console=err, transient=False)
            self._bar.__enter__()
            self._task = self._bar.add_task("scan", total=size or None, docs=0)
        return self

    def __exit__(self, *exc) -> None:
        self._shown = 0.0
        self.show()
        if self._bar is not None:
            self._bar.__exit__(*exc)


# ---------------------------------------------------------------- what is stored

def venue_tally(connection, config: ScanConfig, venue: str, year: int) -> tuple[Tally, datetime | None]:
    """The tallies of every document stored for the venue-year (earlier runs and other folders included), and
    when the newest of them was scanned."""
    from mindshare.scan.rules import method_of

    rules = rules_for(config)
    table = ScanTable(connection, StateKey(method_of(config.rules), venue, year, config.field))
    tally = Tally.for_rules(rules)
    for doc in table.documents():
        tally.add_document(rules, doc)
    return tally, table.latest_scanned_at()


def store_venue_tallies(store, config: ScanConfig, field, venue: str, year: int):
    """Store the venue-year's tallies as one snapshot of research observations (nothing new when unchanged)."""
    from mindshare.observations import SnapshotKind, Sources
    from mindshare.scan.rules import method_of
    from mindshare.scan.tallies import observation_rows

    tally, latest = venue_tally(store.connection, config, venue, year)
    method = method_of(config.rules)
    frame = observation_rows(tally, field, method, venue, year, latest or datetime.now(UTC).replace(tzinfo=None))
    result = store.add_snapshot(frame, kind=SnapshotKind.SCAN, source=Sources.SCAN,
                                description=f"{venue} {year}: {tally.documents} papers, rules {method}")
    return tally, frame, result


def load_results(connection, config: ScanConfig, venue: str = NO_VENUE, year: int = NO_YEAR) -> list[dict]:
    """Every stored document of a key, as --json prints them (for tests and notebooks)."""
    from mindshare.scan.rules import method_of

    return list(ScanTable(connection, StateKey(method_of(config.rules), venue, year, config.field)).documents())
