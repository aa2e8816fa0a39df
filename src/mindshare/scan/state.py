"""The scan's side table in the store, `scan_documents` (its schema is the store's: mindshare/store.py): one row
per document scanned under a key (rules version, venue, year, field), keyed by the document's content key
(extract.CONTENT_KEY, BLAKE3, in the store's column `sha256`), so an interrupted run resumes and a copy of a
document under another name is not counted twice.

* Resume: a re-run skips the files whose path, size and modification time match a row scanned without error (so
  an unchanged file is not read again); every other file is read, keyed and scanned. A file whose content is
  already in the table under another name is a duplicate and is not stored twice; a file changed in place
  replaces its old row. Failed documents are retried on every run.
* Writes: rows arrive in batches from the matching loop and are written by one thread of their own (`StateWriter`)
  in large Arrow batches, one transaction each, so a kill at any moment leaves whole batches and a re-run redoes
  only what was lost.
* The content key was sha256 before BLAKE3. `migrate_content_keys` re-keys a store's rows once, from the files
  themselves (each read again and checked against its sha256; nothing is scanned again); a row whose file is
  gone or changed keeps its sha256 as "sha256:<hex>", and while a key holds such rows a run also computes each
  document's sha256 (`ScanTable.legacy`), so a moved copy of an old document is still one document.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Iterator, NamedTuple

from mindshare.errors import StoreError
from mindshare.scan.extract import CONTENT_KEY, DEFAULT_MAX_BYTES, content_key, sha256_bytes

TABLE = "scan_documents"
# columns written from a scan result, in the order of `Row` (the store names the content key's column sha256);
# the key columns and scanned_at are added
ROW_COLUMNS = ("sha256", "path", "pages", "mentions", "detail", "error", "size", "mtime_ns")
_json_string = json.encoder.encode_basestring_ascii
LEGACY = "sha256:"  # the key of a row from before BLAKE3 that could not be re-keyed
MIGRATED = "scan_content_key"  # the store's meta entry: the content key its scan rows are keyed by
NO_VENUE = ""
NO_YEAR = 0
MODES = ("resume", "retry-failed", "rescan")


@dataclass(frozen=True)
class StateKey:
    method: str
    venue: str
    year: int
    field: str

    def params(self) -> list:
        return [self.method, self.venue, self.year, self.field]


_KEY_WHERE = "method = ? AND venue = ? AND year = ? AND field = ?"


def _archive_key(key: StateKey, url: str) -> str:
    """The store's meta entry recording that an archive was read to its end under a key (its value: the archive's
    identity then)."""
    return "scan-archive " + json.dumps([key.method, key.venue, key.year, key.field, url])


class FileRef(NamedTuple):
    """A document to scan: its path or URL, and for a local file its size and modification time."""

    path: str
    size: int | None = None
    mtime_ns: int | None = None


def file_ref(item: FileRef | str) -> FileRef:
    """A document as a FileRef: a local text found by a lazy walk (corpus.walk: its path alone) stat-ed now."""
    if type(item) is not str:
        return item  # type: ignore[return-value]
    try:
        info = os.stat(item)
    except OSError:
        return FileRef(item)  # read later, and recorded as a failed document with the reason
    return FileRef(item, info.st_size, info.st_mtime_ns)


class Row(NamedTuple):
    key: str       # the content key ("" until `keyed`, for a document that could not be read)
    path: str
    pages: int
    mentions: str  # JSON
    detail: str    # JSON
    error: str | None
    size: int | None
    mtime_ns: int | None

    @property
    def sha256(self) -> str:
        """The content key under the store column's name (mindshare.research reads it so)."""
        return self.key


def stored_document(path: str, key: str, pages: int, mentions: str, detail: str, error: str | None) -> dict:
    """A stored row as --json prints it."""
    doc = {"path": path, "content_key": key, "pages": pages, "mentions": json.loads(mentions), "error": error}
    doc.update(json.loads(detail or "{}"))
    return doc


def key_bytes(key: str) -> bytes:
    """A content key as the run keeps it to count each content once: 32 bytes, or a legacy key's text."""
    return key.encode() if key.startswith(LEGACY) else bytes.fromhex(key)


def keyed(row: Row) -> Row:
    """The row with its key in the store: its content key, or for an unreadable document (no content to key) the
    content key of its path."""
    return row if row.key else row._replace(key=content_key(row.path.encode()))


# The rows travel from a worker to the store as JSON lines (`rows_json`; the native text batch writes the same), one
# object per row, and DuckDB reads them itself (`json_lines_source`): no pyarrow, which with numpy is ~0.1 s of a
# scan's start-up, in the scan process or in its workers.
ROW_TYPES = {"sha256": "VARCHAR", "path": "VARCHAR", "pages": "INTEGER", "mentions": "VARCHAR", "detail": "VARCHAR",
             "error": "VARCHAR", "size": "BIGINT", "mtime_ns": "BIGINT"}


def rows_json(rows: list[Row], replaces: list[str | None] | None = None) -> bytes:
    """Rows as JSON lines, as the store's table takes them. `replaces`: per row, the legacy key ("sha256:<hex>") of
    its content, whose old row it replaces."""
    dumps = json.dumps
    if replaces is None:
        lines = [dumps(dict(zip(ROW_COLUMNS, row))) for row in rows]
    else:
        lines = [dumps(dict(zip(ROW_COLUMNS, row), replaces=also)) for row, also in zip(rows, replaces)]
    return "\n".join(lines).encode()


def json_rows(data: bytes | None) -> tuple[list[Row], list[str | None]]:
    """The rows of `rows_json` again, and what each replaces."""
    rows, replaces = [], []
    for line in (data or b"").splitlines():
        values = json.loads(line)
        rows.append(Row(*(values[name] for name in ROW_COLUMNS)))
        replaces.append(values.get("replaces"))
    return rows, replaces


@contextmanager
def json_lines_source(data: bytes, columns: dict[str, str]) -> Iterator[str]:
    """A DuckDB table expression over JSON lines held in memory: a memory file (Linux: memfd, never on disk, gone
    with the process), else a temporary file deleted afterwards."""
    spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fd = os.memfd_create("mindshare-scan-rows", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            yield f"read_json('/proc/self/fd/{fd}', columns={spec}, format='newline_delimited')"
        finally:
            os.close(fd)
        return
    import tempfile

    with tempfile.NamedTemporaryFile(prefix="mindshare-scan-", suffix=".jsonl") as handle:
        handle.write(data)
        handle.flush()
        yield f"read_json('{handle.name}', columns={spec}, format='newline_delimited')"


# ---------------------------------------------------------------- sha256 -> BLAKE3, once per store

@dataclass
class Migration:
    rekeyed: int = 0  # rows re-keyed from their files (or, for an unreadable document, its path)
    kept: int = 0     # rows whose file is gone or changed: kept under "sha256:<hex>"


def migrate_content_keys(connection) -> Migration | None:
    """Re-key the store's scan rows from sha256 to the content key, once (the store's meta entry MIGRATED says
    it is done): a scan resumed across the upgrade then neither scans a document again (rows are skipped by path,
    size and time, as before) nor counts one twice (a copy of an old document has the key the old row now has).
    Each file is read once more and checked against its stored sha256; one transaction. None when nothing was to
    do."""
    import duckdb

    try:
        done = connection.execute("SELECT value FROM meta WHERE key = ?", [MIGRATED]).fetchall()
    except duckdb.CatalogException:
        return None  # a bare scan table (tests, a notebook), not a store: left as it is
    if done and done[0][0] == CONTENT_KEY:
        return None
    stored = connection.execute(f"SELECT DISTINCT sha256, path, error FROM {TABLE} WHERE sha256 NOT LIKE "
                                f"'{LEGACY}%'").fetchall()
    if not stored:  # nothing keyed by sha256 (a new store): only the entry saying so, with no rows to move
        try:
            connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [MIGRATED, CONTENT_KEY])
        except BaseException as exc:
            _undo(connection, exc)
            raise
        return None
    result, old_keys, paths, new_keys = Migration(), [], [], []
    for old, path, error in stored:
        new = _rekeyed(old, path, error)
        result.rekeyed += new is not None
        result.kept += new is None
        old_keys.append(old)
        paths.append(path)
        new_keys.append(new or LEGACY + old)
    mapping = "\n".join(json.dumps({"old": o, "path": p, "new": n}) for o, p, n in zip(old_keys, paths, new_keys))
    with json_lines_source(mapping.encode(), {"old": "VARCHAR", "path": "VARCHAR", "new": "VARCHAR"}) as source:
        connection.execute("BEGIN TRANSACTION")
        try:
            # DuckDB updates a primary key's column as a delete and an insert
            connection.execute(f"CREATE TEMP TABLE scan_rekeyed AS SELECT * FROM {source}")
            connection.execute(f"CREATE TEMP TABLE scan_moved AS SELECT s.* REPLACE (m.new AS sha256) FROM "
                               f"{TABLE} s JOIN scan_rekeyed m ON s.sha256 = m.old AND s.path = m.path")
            connection.execute(f"DELETE FROM {TABLE} WHERE (sha256, path) IN (SELECT old, path FROM scan_rekeyed)")
            connection.execute(f"INSERT INTO {TABLE} SELECT * FROM scan_moved")
            connection.execute("DROP TABLE scan_moved")
            connection.execute("DROP TABLE scan_rekeyed")
            connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [MIGRATED, CONTENT_KEY])
            connection.execute("COMMIT")
        except BaseException as exc:
            _undo(connection, exc)
            raise
    return result


def _rekeyed(old: str, path: str, error: str | None) -> str | None:
    """The content key of a row keyed by sha256, from its file (read again, checked against the sha256), or for
    an unreadable document from its path; None when the file is gone, changed or not a local file."""
    if error and old == sha256_bytes(path.encode()):
        return content_key(path.encode())
    if "://" in path and not path.startswith("file://"):
        return None
    try:
        with open(path.removeprefix("file://"), "rb") as handle:
            data = handle.read(DEFAULT_MAX_BYTES + 1)  # extract.load keys a file over the bound by this prefix
    except OSError:
        return None
    return content_key(data) if sha256_bytes(data) == old else None


def _undo(connection, exc: BaseException) -> None:
    """Roll a failed write back and raise what the user can act on. A COMMIT that failed (a full disk fails
    there, when DuckDB writes its log) has already ended the transaction: ROLLBACK then has nothing to undo, and
    its own error must not hide the reason."""
    import duckdb

    try:
        connection.execute("ROLLBACK")
    except duckdb.Error:
        pass
    if isinstance(exc, duckdb.Error) and "no space left on device" in str(exc).lower():
        raise StoreError(f"no space left on device writing {_store_file(connection)}; the documents stored "
                         "before are kept: free some space and run the same command again") from None


def _store_file(connection) -> str:
    """The store's file, for messages."""
    try:
        found = connection.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                                   "current_database()").fetchall()
    except Exception:  # noqa: BLE001 - only a message is at stake
        found = None
    return found[0][0] if found and found[0][0] else "the store"


def needs_lookup(refs: list, mode: str, fresh: bool) -> bool:
    """Whether what is stored can change which of `refs` are scanned: not when everything is scanned again, and not
    under a key with nothing stored before the run (the run itself lists each path once)."""
    return bool(refs) and mode != "rescan" and not fresh


def as_listed(refs: list, mode: str) -> tuple[list, list[dict], int]:
    """`ScanTable.split` of refs no row decides: all of them to scan (none, retrying only what failed)."""
    return ([] if mode == "retry-failed" else list(refs)), [], 0


class ScanTable:
    """Reads and writes of one key's rows. Used from one thread at a time (DuckDB connections are not shared
    between threads: `StateWriter` gives this its own cursor)."""

    def __init__(self, connection, key: StateKey):
        self.connection = connection
        self.key = key
        # nothing stored under the key yet: nothing to skip, and (the run itself hashing each content once and
        # listing each path once) nothing to replace, so rows are simply appended
        self.fresh = connection.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {_KEY_WHERE} LIMIT 1)",
                                        key.params()).fetchall()[0][0] == 0

    @property
    def legacy(self) -> bool:
        """Whether the key holds rows still keyed by sha256 (their files were gone or changed when the store moved
        to BLAKE3): a run then also computes each document's sha256, so a copy of one is not counted twice."""
        return not self.fresh and self.connection.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {_KEY_WHERE} AND sha256 LIKE '{LEGACY}%' LIMIT 1)",
            self.key.params()).fetchall()[0][0] > 0

    def split(self, refs: list[FileRef | str], mode: str = "resume") -> tuple[list[FileRef | str], list[dict], int]:
        """(the refs to scan, the stored documents of those skipped, their bytes). `mode`: resume (skip what was
        scanned without error), retry-failed (scan only what failed before), rescan (scan everything).

        One join by path finds the rows stored for the refs; only a local text with a row (found by a lazy walk:
        its path alone, `file_ref`) is stat-ed here, to compare its size and modification time with the row's: a
        text new to the key goes to its worker as it came."""
        if not needs_lookup(refs, mode, self.fresh):
            return as_listed(refs, mode)
        chunk = "\n".join(f'{{"i": {i}, "path": {_json_string(ref if type(ref) is str else ref.path)}}}'
                          for i, ref in enumerate(refs))
        with json_lines_source(chunk.encode(), {"i": "BIGINT", "path": "VARCHAR"}) as source:
            rows = self.connection.execute(
                f"SELECT c.i, s.size, s.mtime_ns, s.sha256, s.pages, s.mentions, s.detail, s.error FROM {source} c "
                f"JOIN {TABLE} s ON s.path = c.path WHERE s.{_KEY_WHERE.replace(' AND ', ' AND s.')} "
                f"ORDER BY c.i, s.error NULLS FIRST", self.key.params()).fetchall()
        found: dict[int, list[tuple]] = {}
        for i, *rest in rows:
            found.setdefault(i, []).append(tuple(rest))
        todo, skipped, skipped_bytes = [], [], 0
        for i, ref in enumerate(refs):
            row = None
            if i in found:
                ref = file_ref(ref)
                # the row of the file as it is now (a URL: by its address alone), one scanned without error first
                row = next((r[2:] for r in found[i] if ref.size is None or (r[0], r[1]) == (ref.size, ref.mtime_ns)),
                           None)
            done = row is not None and row[4] is None
            wanted = (row is not None and not done) if mode == "retry-failed" else not done
            if wanted:
                todo.append(ref)
            elif done:
                skipped.append(stored_document(ref.path, *row))
                skipped_bytes += ref.size or 0
        return todo, skipped, skipped_bytes

    def archive(self, url: str, identity: str, mode: str) -> tuple[bool, list[tuple[str, dict]]]:
        """What is stored of an archive's members: (whether it was read to its end as it is now, so it need not
        be read again; (member name, document) of each member stored, as --json prints it)."""
        if self.fresh:
            return False, []
        marker = self.connection.execute("SELECT value FROM meta WHERE key = ?",
                                         [_archive_key(self.key, url)]).fetchall()
        rows = self.connection.execute(
            f"SELECT path, sha256, pages, mentions, detail, error FROM {TABLE} WHERE {_KEY_WHERE} AND "
            f"starts_with(path, 'tar://') AND ends_with(path, ?) ORDER BY path", self.key.params() + ["::" + url]
        ).fetchall()
        from mindshare.scan.archive import member_name

        stored = [(member_name(path), stored_document(path, *rest)) for path, *rest in rows]
        return bool(marker) and marker[0][0] == identity and mode != "rescan", stored

    def save(self, rows: list[Row]) -> None:
        """Write rows in one transaction (a document scanned again replaces its row; a file changed in place
        replaces the row of its old content)."""
        unique: dict[str, Row] = {}
        for row in map(keyed, rows):
            unique.setdefault(row.key, row)
        self.save_rows(rows_json(list(unique.values())))

    def save_rows(self, data: bytes, archives: list[tuple[str, str]] = ()) -> None:
        """Write rows given as JSON lines (`rows_json`, each key once) in one transaction, with the archives read to
        their end: (URL, identity) each."""
        if not data and not archives:
            return
        if not self.fresh:
            migrate_content_keys(self.connection)  # never BLAKE3 rows beside sha256 ones not yet re-keyed
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            self._in_transaction(data)
            for url, identity in archives:
                con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_archive_key(self.key, url), identity])
            con.execute("COMMIT")
        except BaseException as exc:
            _undo(con, exc)
            raise

    def _in_transaction(self, data: bytes) -> None:
        if not data:
            return
        con = self.connection
        now = datetime.now(UTC).replace(tzinfo=None)
        with json_lines_source(data, ROW_TYPES | {"replaces": "VARCHAR"}) as source:
            incoming = source
            if not self.fresh:  # the same content scanned again, or the old content of a path: replaced
                con.execute(f"CREATE TEMP TABLE scan_incoming AS SELECT * FROM {source}")
                incoming = "scan_incoming"
                con.execute(f"DELETE FROM {TABLE} WHERE {_KEY_WHERE} AND (sha256 IN (SELECT sha256 FROM "
                            f"scan_incoming) OR path IN (SELECT path FROM scan_incoming) OR sha256 IN (SELECT "
                            f"replaces FROM scan_incoming WHERE replaces IS NOT NULL))", self.key.params())
            con.execute(f"INSERT INTO {TABLE} (sha256, method, venue, year, field, path, pages, mentions, "
                        f"detail, error, scanned_at, size, mtime_ns) SELECT sha256, ?, ?, ?, ?, path, pages, "
                        f"mentions, detail, error, ?, size, mtime_ns FROM {incoming}", self.key.params() + [now])
            if not self.fresh:
                con.execute("DROP TABLE scan_incoming")

    def documents(self, batch: int = 10_000) -> Iterator[dict]:
        """Every stored document of the key, as --json prints it, in path order, a batch at a time: each content
        once (the table has no primary key: its writers keep each content once, and this holds to it)."""
        cursor = self.connection.execute(
            f"SELECT path, sha256, pages, mentions, detail, error FROM {TABLE} WHERE {_KEY_WHERE} QUALIFY "
            "row_number() OVER (PARTITION BY sha256 ORDER BY error IS NOT NULL, scanned_at DESC, path) = 1 "
            "ORDER BY path", self.key.params())
        while rows := cursor.fetchmany(batch):
            for row in rows:
                yield stored_document(*row)

    def latest_scanned_at(self) -> datetime | None:
        """When the newest figure was obtained: the latest document scanned without error (a failure tried again
        and failing again changes no figure), else the latest try."""
        return self.connection.execute(
            f"SELECT coalesce(max(scanned_at) FILTER (WHERE error IS NULL), max(scanned_at)) FROM {TABLE} "
            f"WHERE {_KEY_WHERE}", self.key.params()).fetchall()[0][0]


class _Writing:
    """The key's table as its writer holds it: its connection (a cursor of the scan's, or a store a writer process
    opened), with DuckDB held to one thread (its own threads only add hand-offs to inserts of a few thousand rows,
    on cores the workers need)."""

    def __init__(self, connection, key: StateKey, store=None):
        self.store = store  # the store a writer process opened for the run: closed with it
        self.migrated = migrate_content_keys(connection)
        self.table = ScanTable(connection if store is not None else connection.cursor(), key)
        self._threads = self.table.connection.execute("SELECT current_setting('threads')").fetchall()[0][0]
        self.table.connection.execute("SET threads TO 1")

    def opened(self) -> tuple[Migration | None, bool, bool]:
        return self.migrated, self.table.legacy, self.table.fresh

    def split(self, refs, mode):
        return self.table.split(refs, mode)

    def archive(self, url, identity, mode):
        return self.table.archive(url, identity, mode)

    def save_rows(self, data, archives):
        return self.table.save_rows(data, archives)

    def close(self) -> float | None:
        """Close the connection; a writer process says the CPU seconds it used (its start-up and last checkpoint
        included), which bench/scan.py reports beside the scan process's own."""
        try:
            self.table.connection.execute(f"SET threads TO {int(self._threads)}")
        except Exception:  # noqa: BLE001 - a store that failed: its error is the one to report
            pass
        if self.store is None:
            self.table.connection.close()
            return None
        import resource

        self.store.close()
        return sum(resource.getrusage(resource.RUSAGE_SELF)[:2])


_WRITING: list[_Writing] = []  # a writer process's one table (StateWriter.in_process)


def _open_in_writer(path: str, lock_wait: float, key: StateKey, scan_pid: int) -> tuple[Migration | None, bool, bool]:
    """In a writer process: open the store (waiting, as any command does, while another process holds it) and its
    key's table."""
    import signal

    from mindshare.scan.pool import die_with
    from mindshare.store import open_store

    die_with(scan_pid)
    # Ctrl-C reaches the terminal's whole process group: the scan process handles it, and on its way out hands this
    # writer what it has queued and closes it (a writer ended by the same Ctrl-C would lose that, and end the run
    # as "died" rather than "interrupted")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = open_store(path, read_only=False, lock_wait=lock_wait)
    try:
        _WRITING.append(_Writing(store.connection, key, store))
    except BaseException:
        store.close()
        raise
    return _WRITING[0].opened()


def _in_writer(name: str, *args):
    return getattr(_WRITING[0], name)(*args)


WRITER_DIED = "the scan's store writer process died; what it had committed is kept: run the scan again to resume"


class _Here:
    """The writer as a thread of this process, on a cursor of `connection`."""

    def __init__(self, connection, key: StateKey):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-store")
        self.writing = _Writing(connection, key)
        self.opened = self.writing.opened()

    def call(self, name: str, *args) -> Future:
        return self.executor.submit(getattr(self.writing, name), *args)


class _Apart:
    """The writer as a process of its own, on the file of `store` (a Store: its path and how long to wait for it),
    forked by the scan pool's forkserver: it dies with the scan, as the workers do."""

    def __init__(self, store, key: StateKey):
        from concurrent.futures import ProcessPoolExecutor

        from mindshare.scan.pool import pool_context

        self.executor = ProcessPoolExecutor(max_workers=1, mp_context=pool_context())
        try:
            self.opened = _outcome(self.executor.submit(_open_in_writer, str(store.path), store.lock_wait, key,
                                                        os.getpid()))
        except BaseException:
            self.executor.shutdown(wait=True, cancel_futures=True)
            raise

    def call(self, name: str, *args) -> Future:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.executor.submit(_in_writer, name, *args)
        except BrokenProcessPool:
            raise StoreError(WRITER_DIED) from None


def _outcome(future: Future):
    """A writer call's result; a writer process that died, one line."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise StoreError(WRITER_DIED) from None


class StateWriter:
    """The table seen from the matching loop: `split` answers at once, `save_rows` queues rows (JSON lines) that the
    writer writes in batches of `flush_rows` (or when `close` is called). Errors surface on the next call.

    The writer is a thread of this process, on a cursor of `connection`; or (`in_process`, what the scan command
    does) a process of its own that opens the store itself: the store's work (DuckDB reading the rows, inserting
    and compressing them, ~4.5 us a document) is then off the scan process, which every worker waits on. The scan
    process must not hold the store's file meanwhile (Store.connection opens it on first use: after the run)."""

    def __init__(self, connection, key: StateKey, flush_rows: int = 4096, flush_seconds: float = 1.0, *,
                 home: _Here | _Apart | None = None):
        self._home = home or _Here(connection, key)
        self.migrated, self.legacy, self.fresh = self._home.opened
        self.cpu_seconds: float | None = None  # a writer process's, once closed
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self._pending: list[bytes] = []  # rows as JSON lines
        self._pending_rows = 0
        self._archives: list[tuple[str, str]] = []  # read to their end: recorded with the rows
        self._writes: list[Future] = []
        self._flushed = time.monotonic()

    @classmethod
    def in_process(cls, store, key: StateKey, flush_rows: int = 4096, flush_seconds: float = 1.0) -> StateWriter:
        """A writer in a process of its own, on `store`'s file."""
        return cls(None, key, flush_rows, flush_seconds, home=_Apart(store, key))

    def split(self, refs: list[FileRef | str], mode: str) -> tuple[list[FileRef | str], list[dict], int]:
        if not needs_lookup(refs, mode, self.fresh):  # answered here: the documents need not travel to the writer
            return as_listed(refs, mode)
        return _outcome(self._home.call("split", refs, mode))

    def archive(self, url: str, identity: str, mode: str) -> tuple[bool, list[tuple[str, dict]]]:
        if self.fresh:
            return False, []
        return _outcome(self._home.call("archive", url, identity, mode))

    def save_rows(self, data: bytes | None, count: int, archive: tuple[str, str] | None = None) -> None:
        """Queue `count` rows (JSON lines, `rows_json`), and the archive they came from when it was read to its end
        ((URL, identity): recorded in the same transaction); they are written when enough are queued or a second
        has passed (a slow scan of large PDFs commits as it goes, so a kill loses at most about a second of
        work)."""
        if data:
            self._pending.append(data)
            self._pending_rows += count
        if archive:
            self._archives.append(archive)
        if self._pending_rows >= self.flush_rows or time.monotonic() - self._flushed >= self.flush_seconds:
            self._flush()

    def _flush(self) -> None:
        self._flushed = time.monotonic()
        if self._pending or self._archives:
            self._writes.append(self._home.call("save_rows", b"\n".join(self._pending), self._archives))
            self._pending, self._pending_rows, self._archives = [], 0, []
        # at most two batches queued: a slow disk slows the scan rather than filling memory
        while len(self._writes) > 2 or (self._writes and self._writes[0].done()):
            _outcome(self._writes.pop(0))

    def close(self) -> None:
        """Write what is queued and wait for it; then close the writer's connection (a writer process's store:
        its last checkpoint there)."""
        try:
            self._flush()
            for write in self._writes:
                _outcome(write)
        finally:
            self._writes = []
            try:
                self.cpu_seconds = _outcome(self._home.call("close"))
            finally:
                self._home.executor.shutdown(wait=True)
