"""The store: one DuckDB file of observations, each with its provenance.

Shape: `snapshots` (one row per import or collection run) and `observations` (one row per number or
qualitative note). Nothing is updated in place: a new collection is a new snapshot, and readers see, for
each measurement, the value from its most recent snapshot (`latest_observations`). A snapshot is written in
one transaction, so a reader never sees half of one, and re-importing identical content adds nothing
(snapshots carry a hash of their content).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

import duckdb

from mindshare import settings as settings_module
from mindshare.errors import InputError, StoreError, StoreLockedError
from mindshare.observations import COLUMNS, IGNORED_FOR_IDENTITY, MEASUREMENT_KEY, NOTE, NUMBER, SIGNALS, SnapshotKind
from mindshare.store_lock import retry_while_locked

if TYPE_CHECKING:  # pandas is imported where it is used: a scan opens the store and never needs it
    import pandas as pd

SCHEMA_VERSION = 4
T = TypeVar("T")

# Kept under these names for the modules that read them from here.
OBSERVATION_COLUMNS = COLUMNS

_LATEST_VIEW = f"""
CREATE OR REPLACE VIEW latest_observations AS
SELECT o.* FROM observations o JOIN snapshots s USING (snapshot_id)
QUALIFY row_number() OVER (
    PARTITION BY {", ".join(f"o.{k}" for k in MEASUREMENT_KEY)}
    ORDER BY s.created_at DESC, o.snapshot_id DESC) = 1;
"""

# The scanner's side table (mindshare.scan.state reads and writes it): one row per document scanned under a key
# (rules version, venue, year, field), keyed by the document's content key (BLAKE3, in the column named sha256).
# Each content is kept once per key by its writer (a run counts each content once, and a run on a key that holds
# rows first deletes the rows its new ones replace), so the table has no primary key: checking one row by row
# cost the scan process more than matching the document costs a worker (docs/scan.md), and its index grew with
# every document of a corpus. Readers still take one row per content key (state.ScanTable).
_SCAN_COLUMNS = """
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
    size BIGINT,
    mtime_ns BIGINT
"""
_SCAN_DOCUMENTS = f"CREATE TABLE IF NOT EXISTS scan_documents ({_SCAN_COLUMNS});\n"
_SCAN_NAMES = "sha256, method, venue, year, field, path, pages, mentions, detail, error, scanned_at, size, mtime_ns"

# The whole schema of a new store, at SCHEMA_VERSION.
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,              -- bundled, collect, import, scan (observations.SnapshotKind)
    source VARCHAR NOT NULL,
    description VARCHAR,
    created_at TIMESTAMP NOT NULL,
    content_hash VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    mindshare_version VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    {", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())}
);
{_LATEST_VIEW}
{_SCAN_DOCUMENTS}
"""

# How a store of an older schema version is brought to the next one, in one transaction each.
_MIGRATIONS: dict[int, str] = {
    # 1 -> 2: `published` (when a figure became public, for --as-of); appended, as COLUMNS lists it last.
    1: "ALTER TABLE observations ADD COLUMN published DATE;" + _LATEST_VIEW,
    # 2 -> 3: the scan table joins the schema (a scan before this created it itself, without size and mtime_ns).
    2: _SCAN_DOCUMENTS + "ALTER TABLE scan_documents ADD COLUMN IF NOT EXISTS size BIGINT;"
                         "ALTER TABLE scan_documents ADD COLUMN IF NOT EXISTS mtime_ns BIGINT;",
    # 3 -> 4: the scan table without its primary key (see _SCAN_COLUMNS); DuckDB drops a constraint only with its
    # table, so the rows move to a new one.
    3: f"CREATE TABLE scan_documents_4 ({_SCAN_COLUMNS}); INSERT INTO scan_documents_4 SELECT {_SCAN_NAMES} FROM "
       "scan_documents; DROP TABLE scan_documents; ALTER TABLE scan_documents_4 RENAME TO scan_documents;",
}

_SQLITE_MAGIC = b"SQLite format 3\x00"


def default_path() -> Path:
    """`MINDSHARE_DB` if set, else `mindshare.duckdb` in the user's data directory."""
    return settings_module.load().store_path


@dataclass(frozen=True)
class SnapshotResult:
    snapshot_id: str
    rows: int
    added: bool  # False when identical content was already stored


class Access(Enum):
    """How a Store holds its file; `open_store`'s `read_only` chooses (False, None, True)."""

    WRITE = "write"   # read_only=False: a verb that writes (import, collect, scan)
    READ = "read"     # read_only=None: a verb that reads (report, observations, snapshots); it may load the bundle
    VIEW = "view"     # read_only=True: the file itself, read-only, held until close


class Store:
    """An open store. Use `open_store()` rather than building one directly.

    Many processes share one store (every checkout of a user shares the default one), and DuckDB lets one process
    write a file or many read it. So a Store holds the file as briefly as it can:

    - a write (`add_snapshot`, `delete_snapshot`, `set_meta`, `transaction()`) opens the file read-write for its
      one transaction and closes it, waiting (with a line on stderr) while another process holds the file;
    - a reader's reads (`observations`, `snapshots`, `meta`, ...) come from `workspace`, a consistent in-memory copy
      of the store's tables taken in one short read-only open, taken again after the store's own writes; a
      writer's reads open the file read-only for the one query;
    - `connection` is the file itself, opened on first use and held until `close()` (read-write for a store opened
      to write, read-only for one opened read_only=True): the scan's resumable table is written through it. While
      it is open every read and write goes through it. A reader (read_only=None) is handed its `workspace` instead,
      which holds nothing: the report's analysis runs there while other processes write the store.
    """

    def __init__(self, path: Path, *, access: Access, read_only: bool, lock_wait: float):
        self.path = path
        self.read_only = read_only  # True when this store may not be written (asked so, or it cannot be)
        self._access = access
        self._lock_wait = lock_wait
        self._file: duckdb.DuckDBPyConnection | None = None  # the file, held (see `connection`)
        self._transaction: duckdb.DuckDBPyConnection | None = None  # the file, for the transaction in progress
        self._copy: duckdb.DuckDBPyConnection | None = None  # the workspace
        self._copy_is_stale = True

    @property
    def lock_wait(self) -> float:
        """How long an open of this store's file waits while another process holds it (seconds)."""
        return self._lock_wait

    # -- the connections -------------------------------------------------------------------------------------
    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The connection that code needing SQL on the store uses: inside `transaction()`, the transaction's; for
        a reader (read_only=None), the `workspace`; otherwise the file, opened on first use and held until close."""
        if self._transaction is not None:
            return self._transaction
        if self._file is not None:
            return self._file
        if self._access is Access.READ:
            return self.workspace
        self._file = _open_file(self.path, read_only=self._access is Access.VIEW, lock_wait=self._lock_wait)
        return self._file

    @property
    def workspace(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection holding a consistent copy of the store's meta, snapshots and observations
        (and the view latest_observations), taken in one short read-only open of the file; it holds no lock, so
        other processes read and write the store meanwhile. What others write later is not in it; what this
        store writes is (the copy is taken again, in place, on the next use after a write)."""
        if self._copy is None:
            self._copy = duckdb.connect(config=_DUCKDB_CONFIG)
        if self._copy_is_stale:
            version = _copy_store(self.path, self._copy, self._lock_wait)
            if version != SCHEMA_VERSION:  # the file was replaced meanwhile
                raise StoreError(f"store {self.path} changed while open (schema version {version}); run again")
            self._copy_is_stale = False
        return self._copy

    def _read(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """`work(connection)` on what this store reads from: the transaction, the held file, the workspace (a
        reader), or the file opened read-only for this one read (a writer)."""
        held = self._transaction or self._file
        if held is not None:
            return work(held)
        if self._access is Access.READ:
            return work(self.workspace)
        connection = _open_file(self.path, read_only=True, lock_wait=self._lock_wait)
        try:
            return work(connection)
        finally:
            connection.close()

    # -- writing -------------------------------------------------------------------------------------------
    def add_snapshot(self, frame: pd.DataFrame, *, kind: str, source: str, description: str = "",
                     created_at: datetime | None = None) -> SnapshotResult:
        """Store `frame` (observation columns, no snapshot_id) as one new snapshot, in one transaction.

        Identical content (same kind, source and rows) already stored is not stored again (looked for inside the
        transaction: two processes storing the same content at once store it once).
        """
        self._require_writable("add a snapshot")
        frame = normalise_observations(frame)
        content_hash = content_hash_of(frame, kind, source)
        created_at = created_at or datetime.now(UTC).replace(tzinfo=None)
        snapshot_id = f"{kind}-{created_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        frame = frame.assign(snapshot_id=snapshot_id)[list(COLUMNS)]
        from mindshare._version import __version__

        with self.transaction() as connection:
            existing = connection.execute(
                "SELECT snapshot_id, rows FROM snapshots WHERE content_hash = ?", [content_hash]).fetchone()
            if existing:
                return SnapshotResult(existing[0], int(existing[1]), added=False)
            connection.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [snapshot_id, kind, source, description, created_at, content_hash, len(frame), __version__])
            connection.register("incoming_observations", frame)
            try:
                connection.execute(
                    f"INSERT INTO observations SELECT {', '.join(COLUMNS)} FROM incoming_observations")
            finally:
                connection.unregister("incoming_observations")
        return SnapshotResult(snapshot_id, len(frame), added=True)

    def delete_snapshot(self, snapshot_id: str) -> int:
        """Remove one snapshot and its observations, in one transaction; returns the rows removed.

        The bundled dataset is refused: it is loaded again on the next run, so deleting it would change nothing.
        """
        self._require_writable("delete a snapshot")
        with self.transaction() as connection:
            found = connection.execute("SELECT kind, rows FROM snapshots WHERE snapshot_id = ?",
                                       [snapshot_id]).fetchone()
            if found is None:
                raise InputError(f"store {self.path.name} has no snapshot {snapshot_id!r}; "
                                 f"`mindshare snapshots` lists them")
            if found[0] == SnapshotKind.BUNDLED:
                raise InputError(f"{snapshot_id} is the bundled dataset; it is loaded again on every run and "
                                 f"cannot be deleted")
            removed = connection.execute("DELETE FROM observations WHERE snapshot_id = ?",
                                         [snapshot_id]).fetchone()[0]
            connection.execute("DELETE FROM snapshots WHERE snapshot_id = ?", [snapshot_id])
        return int(removed)

    def same_content_as(self, kind: str, source: str, frame: pd.DataFrame) -> str | None:
        """The newest snapshot of this kind and source if every row of `frame` is already in the store's latest
        view of that source's snapshots, ignoring when the rows were fetched; else None.

        This is what "no duplicates" means for a collection: the same numbers for the same measurements, fetched
        again (a resumed run, a re-run the same day, a subset of contenders collected again), add nothing.
        """
        def newest_holding_it(connection: duckdb.DuckDBPyConnection) -> str | None:
            stored = connection.execute(
                "SELECT * FROM latest_observations WHERE snapshot_id IN "
                "(SELECT snapshot_id FROM snapshots WHERE kind = ? AND source = ?)", [kind, source]).df()
            if stored.empty:
                return None
            if not content_rows(frame) <= content_rows(stored.drop(columns=["snapshot_id"])):
                return None
            return str(connection.execute(
                "SELECT snapshot_id FROM snapshots WHERE kind = ? AND source = ? ORDER BY created_at DESC LIMIT 1",
                [kind, source]).fetchone()[0])

        return self._read(newest_holding_it)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on the file, yielding its connection (also `store.connection` until it ends). The file
        is opened read-write for it and closed after, unless this store holds it already. A full disk or any
        failure rolls it back and leaves the store as it was."""
        self._require_writable("write to it")
        if self._transaction is not None:
            raise StoreError(f"store {self.path}: a transaction is already in progress")
        connection = self._file
        opened = connection is None
        if opened:
            connection = _open_file(self.path, read_only=False, lock_wait=self._lock_wait)
        self._transaction = connection
        try:
            with _transaction(connection, self.path):
                yield connection
        finally:
            self._transaction = None
            self._copy_is_stale = True
            if opened:
                _close_quietly(connection)

    def _require_writable(self, doing: str) -> None:
        if self.read_only:
            raise StoreError(f"store {self.path} is open read-only (it cannot be written here); "
                             f"cannot {doing}")

    # -- reading -------------------------------------------------------------------------------------------
    def observations(self, *, signal: str | list[str] | None = None, contenders: list[str] | None = None,
                     metric: str | list[str] | None = None, source: str | None = None,
                     as_of: str | date | None = None, include_notes: bool = True,
                     all_snapshots: bool = False, snapshot_kind: str | list[str] | None = None) -> pd.DataFrame:
        """Observations as a DataFrame, newest snapshot per measurement unless `all_snapshots`.

        `as_of` (YYYY-MM-DD) keeps what was known on that day: figures that had become public by then (their
        `published` day, or else the end of the period they measure). An unknown `signal` is an InputError.
        `snapshot_kind` keeps rows of snapshots of that kind (observations.SnapshotKind).
        """
        table = "observations" if all_snapshots else "latest_observations"
        where, params = [], []
        if signal:
            self._check_signals([signal] if isinstance(signal, str) else list(signal))
        for column, wanted in (("signal", signal), ("metric", metric)):
            if wanted:
                values = [wanted] if isinstance(wanted, str) else list(wanted)
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params += values
        if contenders:
            where.append(f"contender IN ({', '.join('?' * len(contenders))})")
            params += list(contenders)
        if source:
            where.append("source = ?")
            params.append(source)
        if not include_notes:
            where.append(f"kind = '{NUMBER}'")
        if snapshot_kind:
            kinds = [snapshot_kind] if isinstance(snapshot_kind, str) else list(snapshot_kind)
            where.append(f"snapshot_id IN (SELECT snapshot_id FROM snapshots WHERE kind IN "
                         f"({', '.join('?' * len(kinds))}))")
            params += kinds
        if as_of:
            # What was known that day: a figure is known once public. A dataset compiled later (Horace He's
            # 2021-10 recount of 2019 papers) carries the day it became public; otherwise a figure is known
            # when the period it measures has ended (a period still running on that day was not known yet).
            where.append("(coalesce(published, period_end, period_start) IS NULL "
                         "OR coalesce(published, period_end, period_start) <= ?)")
            params.append(parse_day(as_of, "as_of"))
        sql = f"SELECT * FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY signal, metric, subject, segment, period_start NULLS FIRST"
        import pandas as pd  # here, not at the top: a scan opens the store and never needs pandas

        frame = self._read(lambda connection: connection.execute(sql, params).df())
        for column in ("period_start", "period_end", "published"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def signals(self) -> list[str]:
        """The signals the store holds observations of, sorted."""
        return [row[0] for row in self._read(lambda connection: connection.execute(
            "SELECT DISTINCT signal FROM observations ORDER BY signal").fetchall())]

    def _check_signals(self, wanted: list[str]) -> None:
        """A signal that is neither one mindshare knows nor one in this store is a typo: name the known ones."""
        unknown = [s for s in wanted if s not in SIGNALS]
        if unknown:
            known = sorted(set(SIGNALS) | set(self.signals()))
            missing = [s for s in unknown if s not in known]
            if missing:
                raise InputError(f"unknown signal {missing[0]!r}; signals: {', '.join(known)}")

    def snapshots(self) -> pd.DataFrame:
        return self._read(lambda connection: connection.execute("SELECT * FROM snapshots ORDER BY created_at").df())

    def has_snapshot(self, kind: str, source: str | None = None) -> bool:
        sql, params = "SELECT count(*) FROM snapshots WHERE kind = ?", [kind]
        if source:
            sql += " AND source = ?"
            params.append(source)
        return bool(self._read(lambda connection: connection.execute(sql, params).fetchone()[0]))

    def meta(self, key: str) -> str | None:
        row = self._read(lambda connection: connection.execute(
            "SELECT value FROM meta WHERE key = ?", [key]).fetchone())
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._require_writable("record its state")
        with self.transaction() as connection:
            connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def close(self) -> None:
        for connection in (self._file, self._copy):
            if connection is not None:
                _close_quietly(connection)
        self._file = self._copy = None
        self._copy_is_stale = True


def parse_day(text: str | date, what: str = "date") -> date:
    """A day given as YYYY-MM-DD (or a date), or an InputError saying how to write it."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2020-01-26") from None


def normalise_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """Give `frame` every observation column with the right type; refuse rows that break the schema."""
    import pandas as pd

    frame = frame.copy()
    for column in COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["kind"] = frame["value"].isna().map({True: NOTE, False: NUMBER})
    frame["segment"] = frame["segment"].fillna("all")
    frame["method"] = frame["method"].fillna("as published")
    for column in ("period_start", "period_end", "published"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["collected_at"] = pd.to_datetime(frame["collected_at"])
    frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype("float64")
    for column, kind in COLUMNS.items():
        if "NOT NULL" in kind and column != "snapshot_id" and frame[column].isna().any():
            row = int(frame[column].isna().to_numpy().nonzero()[0][0])
            raise StoreError(f"observation {row} has no {column}; every observation needs one")
    notes_without_text = frame["value"].isna() & frame["value_text"].isna()
    if notes_without_text.any():
        raise StoreError("an observation has neither a value nor the source's words (value_text)")
    return frame.drop(columns=["snapshot_id"])


def content_hash_of(frame: pd.DataFrame, kind: str, source: str) -> str:
    import pandas as pd

    digest = hashlib.sha256(f"{kind}\x1f{source}\x1f".encode())
    ordered = frame.drop(columns=["snapshot_id"], errors="ignore")
    ordered = ordered.sort_values(list(ordered.columns), na_position="first", kind="stable")
    digest.update(pd.util.hash_pandas_object(ordered.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def content_rows(frame: pd.DataFrame) -> set[tuple]:
    """The rows of `frame` as comparable tuples of every column that makes content (IGNORED_FOR_IDENTITY aside)."""
    columns = [c for c in COLUMNS if c not in IGNORED_FOR_IDENTITY]
    return set(map(tuple, normalise_observations(frame)[columns].astype(str).to_numpy().tolist()))


# -- opening ---------------------------------------------------------------------------------------------------
# Never fetch DuckDB extensions from the internet: a store is a plain DuckDB file, and opening something else
# (an SQLite file) must fail here, not trigger a download of sqlite_scanner.
_DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# What a reader's workspace copies. The scan's table stays in the file: it can be large, and no reader reads it.
_COPIED_TABLES = ("meta", "snapshots", "observations")
_ATTACHED = "mindshare_store"  # the file's name while a workspace copies it


def open_store(path: str | Path | None = None, *, read_only: bool | None = False,
               lock_wait: float | None = None, settings: settings_module.Settings | None = None) -> Store:
    """Open the store at `path` (default: the settings' store path), creating it where that is allowed. The bundled
    dataset is not loaded here: `mindshare.session` joins the store and the bundle for the CLI and the API.

    `read_only` says what the caller does (see Store for how each holds the file):
    - False, a verb that writes: a missing store is created, folders and all; a store that cannot be written
      here is an error;
    - None, a verb that reads: reads come from a consistent copy, and the bundle may still be written. A missing
      store is created only in a folder that exists (or the default store's own folder): a mistyped --db names
      no new folder. A store the user may read but not write is read as it is (snapshots, observations and report
      still work);
    - True: the file itself, read-only, held until close.
    `settings`: where the default path and the lock wait come from (default: `mindshare.settings.load()`).
    Raises StoreError with one line naming the problem: not a DuckDB file (an SQLite file is named as such),
    written by a newer mindshare, held by another process (after waiting up to the lock wait, saying so), no space
    left, cannot be written or created here, no such store.
    """
    config = settings or settings_module.load()
    path = Path(path).expanduser() if path else config.store_path
    wait = config.lock_wait_seconds if lock_wait is None else lock_wait
    access = {False: Access.WRITE, None: Access.READ, True: Access.VIEW}[read_only]
    if path.is_dir():
        raise StoreError(f"store {path} is a folder; give the path of a .duckdb file")
    _refuse_foreign_file(path)
    writable = _writable(path)
    if access is Access.WRITE and not writable:
        raise StoreError(f"store {path} cannot be written here (no write permission, or a read-only file "
                         f"system); the verbs that only read it (snapshots, observations, report) still work")
    made = False
    if not path.exists():
        _check_may_create(path, access, writable)
        _make_folder(path)
        _make_current(path, wait)
        made = True
    store = Store(path, access=access, read_only=access is Access.VIEW or not writable, lock_wait=wait)
    if made and access is Access.WRITE:
        return store  # made current just now, under its lock: not opened a second time to look again (~15 ms)
    try:
        _bring_up_to_date(store, writable)
    except BaseException:
        store.close()
        raise
    return store


def _check_may_create(path: Path, access: Access, writable: bool) -> None:
    """A store that does not exist yet may be created by a verb that writes; by one that reads, only in a folder
    that exists (or the default store's folder, made on first use) and that can be written."""
    if access is Access.VIEW:
        raise StoreError(f"there is no store at {path}")
    if access is Access.READ:
        if not path.parent.is_dir() and path != settings_module.default_store_path():
            raise StoreError(f"there is no store at {path}, and its folder {path.parent} does not exist; check "
                             f"the path (--db or {settings_module.ENV_DB})")
        if not writable:
            raise StoreError(f"there is no store at {path}, and none can be made there (no write permission, or "
                             f"a read-only file system); choose another with --db or {settings_module.ENV_DB}")


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for store {path}: {exc.strerror}") from None


def _bring_up_to_date(store: Store, writable: bool) -> None:
    """Check the store is one this mindshare reads; migrate an older one (or give an empty one its schema) when it
    may be written. A reader takes its workspace here, a view opens its file: both in the same one open."""
    path, wait = store.path, store._lock_wait
    if store._access is Access.VIEW:
        store._file = _open_file(path, read_only=True, lock_wait=wait)
        version = _inspect(store._file, path)
    elif store._access is Access.READ:
        store._copy = duckdb.connect(config=_DUCKDB_CONFIG)
        version = _copy_store(path, store._copy, wait)
        store._copy_is_stale = version != SCHEMA_VERSION
    else:
        connection = _open_file(path, read_only=True, lock_wait=wait)
        try:
            version = _inspect(connection, path)
        finally:
            connection.close()
    if version == SCHEMA_VERSION:
        return
    if version is None and not writable:
        raise StoreError(f"store {path} is empty; run any mindshare command without read-only first")
    if not writable or store._access is Access.VIEW:
        raise StoreError(f"store {path} has schema version {version} and is open read-only; open it "
                         f"once where it can be written to bring it to version {SCHEMA_VERSION}")
    _make_current(path, wait)


def _make_current(path: Path, lock_wait: float) -> None:
    """Give a new or empty store its schema, or migrate an older one, in the file opened read-write (looked at
    again under its lock: another process may have done it meanwhile). A store this leaves without tables (a full
    disk) is removed: a next run would read it as a damaged store."""
    new_file = not path.exists()
    try:
        connection = _open_file(path, read_only=False, lock_wait=lock_wait)
    except StoreLockedError:
        raise  # another process made the file meanwhile: it is that process's store
    except BaseException:
        if new_file:  # DuckDB may have begun the file before the disk filled: never leave it behind
            _remove_store_files(path)
        raise
    version = None
    try:
        version = _inspect(connection, path)
        if version is None:
            with _transaction(connection, path):
                connection.execute(_SCHEMA)
                connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            version = SCHEMA_VERSION
        while version < SCHEMA_VERSION:
            if version not in _MIGRATIONS:
                raise StoreError(f"store {path} has schema version {version}; this mindshare needs "
                                 f"{SCHEMA_VERSION} and has no migration for it")
            with _transaction(connection, path):
                connection.execute(_MIGRATIONS[version])
                connection.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version + 1)])
            version += 1
    except BaseException:
        _close_quietly(connection)
        if version is None:  # never leave a half-made store (schema only, or less) behind
            _remove_store_files(path)
        raise
    _close_quietly(connection)


def _inspect(connection: duckdb.DuckDBPyConnection, path: Path, catalog: str | None = None) -> int | None:
    """The schema version of the store open on `connection` (in `catalog`, default the connection's own), None for
    an empty DuckDB file; StoreError for a DuckDB file that is not a store this mindshare reads."""
    catalog = catalog or connection.execute("SELECT current_database()").fetchone()[0]
    tables = {row[0] for row in connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main'",
        [catalog]).fetchall()}
    if "meta" not in tables:
        if tables:
            raise StoreError(f"store {path} is a DuckDB file but not a mindshare store "
                             f"(it has tables {', '.join(sorted(tables))})")
        return None
    row = connection.execute(f'SELECT value FROM "{catalog}".main.meta WHERE key = \'schema_version\'').fetchone()
    version = int(row[0]) if row and row[0].isdigit() else None
    if version is None:
        raise StoreError(f"store {path} has no schema version; it was not written by mindshare")
    if version > SCHEMA_VERSION:
        raise StoreError(f"store {path} has schema version {version}, newer than this mindshare "
                         f"understands ({SCHEMA_VERSION}); upgrade mindshare")
    return version


def _copy_store(path: Path, into: duckdb.DuckDBPyConnection, lock_wait: float) -> int | None:
    """Copy the store's tables (_COPIED_TABLES, and the view) into `into`, an in-memory connection, in one read-only
    open of the file (waiting while a writer holds it); returns the store's schema version. Nothing is copied from a
    store of another version (the caller migrates it first)."""
    quoted = str(path).replace("'", "''")
    try:
        _translated(path, lambda: retry_while_locked(
            path, lambda: into.execute(f"ATTACH '{quoted}' AS {_ATTACHED} (READ_ONLY)"), lock_wait))
    except StoreError as exc:
        if "already attached" not in str(exc) and "file handle conflict" not in str(exc).lower():
            raise
        return _copy_through_this_process(path, into, lock_wait)
    try:
        version = _inspect(into, path, _ATTACHED)
        if version == SCHEMA_VERSION:
            with _transaction(into, path):
                for table in _COPIED_TABLES:
                    into.execute(f"CREATE OR REPLACE TABLE memory.main.{table} AS "
                                 f"SELECT * FROM {_ATTACHED}.main.{table}")
                into.execute(_LATEST_VIEW)
    finally:
        into.execute(f"DETACH {_ATTACHED}")
    return version


def _copy_through_this_process(path: Path, into: duckdb.DuckDBPyConnection, lock_wait: float) -> int | None:
    """`_copy_store` when this process has the file open already (another Store, or the caller's own connection),
    so DuckDB will not attach it a second time: the tables are read through that open file, as Arrow."""
    source = _open_file(path, read_only=True, lock_wait=lock_wait)
    try:
        version = _inspect(source, path)
        if version == SCHEMA_VERSION:
            tables = {table: _arrow(source.sql(f"SELECT * FROM {table}")) for table in _COPIED_TABLES}
            with _transaction(into, path):
                for table, rows in tables.items():
                    into.register("incoming_rows", rows)
                    try:
                        into.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM incoming_rows")
                    finally:
                        into.unregister("incoming_rows")
                into.execute(_LATEST_VIEW)
    finally:
        source.close()
    return version


def _arrow(relation):
    """A DuckDB relation as an Arrow table (to_arrow_table since DuckDB 1.4, fetch_arrow_table before)."""
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch()


def _open_file(path: Path, *, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    """The store's file opened by DuckDB, waiting (up to `lock_wait`) while another process holds it."""
    def attempt() -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_DUCKDB_CONFIG)
        except duckdb.ConnectionException as exc:
            if read_only and "different configuration" in str(exc):
                # this process has the file open read-write already: DuckDB shares that open file with us
                return duckdb.connect(str(path), read_only=False, config=_DUCKDB_CONFIG)
            raise

    return _translated(path, lambda: retry_while_locked(path, attempt, lock_wait))


def _translated(path: Path, open_it: Callable[[], T]) -> T:
    """`open_it()`, with DuckDB's errors on opening a file made one line each (StoreLockedError passes through)."""
    try:
        return open_it()
    except duckdb.IOException as exc:
        if _is_disk_full(exc):
            raise StoreError(f"no space left on device writing {path}") from None
        raise StoreError(f"cannot open store {path}: {_first_line(str(exc))}") from None
    except duckdb.ConnectionException as exc:
        raise StoreError(f"cannot open store {path}: {_first_line(str(exc))}") from None
    except duckdb.Error as exc:
        raise StoreError(f"store {path} is not a mindshare store (not a readable DuckDB file): "
                         f"{_first_line(str(exc))}") from None


@contextmanager
def _transaction(connection: duckdb.DuckDBPyConnection, path: Path) -> Iterator[None]:
    """One transaction on `connection`; a failure rolls it back (a full disk becomes one StoreError)."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException as exc:
        try:
            connection.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed COMMIT has already ended the transaction
        if isinstance(exc, duckdb.Error) and _is_disk_full(exc):
            raise StoreError(f"no space left on device writing {path}; nothing of this run was stored") from None
        raise


def _close_quietly(connection: duckdb.DuckDBPyConnection) -> None:
    """Close, checkpointing what was committed; a checkpoint the disk has no room for leaves the committed rows in
    the write-ahead log, where the next open finds them."""
    try:
        connection.close()
    except duckdb.Error:
        pass


def discard_if_empty(path: Path, lock_wait: float = 0.0) -> None:
    """Remove the store at `path` if it holds no snapshot (a first run whose bundle could not be loaded), so that a
    first run leaves a whole store or none. A store another process holds, or has filled, is left alone."""
    try:
        connection = _open_file(path, read_only=False, lock_wait=lock_wait)
    except StoreLockedError:
        return
    except StoreError:
        _remove_store_files(path)
        return
    try:
        empty = connection.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0
    except duckdb.Error:
        empty = True
    finally:
        _close_quietly(connection)
    if empty:
        _remove_store_files(path)


def _remove_store_files(path: Path) -> None:
    """The store's file and its write-ahead log, gone; a file system that refuses (read-only) keeps them."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def _writable(path: Path) -> bool:
    """The file (or, for a new store, the nearest folder that exists) and its folder may be written: DuckDB
    writes a .wal file beside the store."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if path.exists() and not os.access(path, os.W_OK):
        return False
    return os.access(folder, os.W_OK)


def _refuse_foreign_file(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read store {path}: {exc.strerror}") from None
    if head == _SQLITE_MAGIC:
        raise StoreError(f"{path} is an SQLite file, not a mindshare store; give a .duckdb path with --db")


def _is_disk_full(exc: BaseException) -> bool:
    return "no space left on device" in str(exc).lower()


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


@contextmanager
def store_session(path: str | Path | None = None, **kwargs) -> Iterator[Store]:
    """An open store (no bundle: see mindshare.session), closed afterwards."""
    store = open_store(path, **kwargs)
    try:
        yield store
    finally:
        store.close()
