"""The store: one DuckDB file of observations, each with its provenance.

Shape: `snapshots` (one row per import or collection run) and `observations` (one row per number or
qualitative note). Nothing is updated in place: a new collection is a new snapshot, and readers see, for
each measurement, the value from its most recent snapshot (`latest_observations`). A snapshot is written in
one transaction, so a reader never sees half of one, and re-importing identical content adds nothing
(snapshots carry a hash of their content).
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from mindshare import settings as settings_module
from mindshare.errors import InputError, StoreError, StoreLockedError
from mindshare.observations import (COLUMNS, IGNORED_FOR_IDENTITY, MEASUREMENT_KEY, NOTE, NUMBER, SIGNALS,
                                    SnapshotKind)

SCHEMA_VERSION = 3

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
# (rules version, venue, year, field), keyed by the document's sha256.
_SCAN_DOCUMENTS = """
CREATE TABLE IF NOT EXISTS scan_documents (
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
    mtime_ns BIGINT,
    PRIMARY KEY (sha256, method, venue, year, field)
);
"""

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


class Store:
    """An open store. Use `open_store()` rather than building one directly."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, read_only: bool = False):
        self.connection = connection
        self.path = path
        self.read_only = read_only

    # -- writing -------------------------------------------------------------------------------------------
    def add_snapshot(self, frame: pd.DataFrame, *, kind: str, source: str, description: str = "",
                     created_at: datetime | None = None) -> SnapshotResult:
        """Store `frame` (observation columns, no snapshot_id) as one new snapshot, in one transaction.

        Identical content (same kind, source and rows) already stored is not stored again.
        """
        self._require_writable("add a snapshot")
        frame = normalise_observations(frame)
        content_hash = content_hash_of(frame, kind, source)
        existing = self.connection.execute(
            "SELECT snapshot_id, rows FROM snapshots WHERE content_hash = ?", [content_hash]).fetchone()
        if existing:
            return SnapshotResult(existing[0], int(existing[1]), added=False)
        created_at = created_at or datetime.now(UTC).replace(tzinfo=None)
        snapshot_id = f"{kind}-{created_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        frame = frame.assign(snapshot_id=snapshot_id)[list(COLUMNS)]
        from mindshare import __version__

        with self.transaction():
            self.connection.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [snapshot_id, kind, source, description, created_at, content_hash, len(frame), __version__])
            self.connection.register("incoming_observations", frame)
            try:
                self.connection.execute(
                    f"INSERT INTO observations SELECT {', '.join(COLUMNS)} FROM incoming_observations")
            finally:
                self.connection.unregister("incoming_observations")
        return SnapshotResult(snapshot_id, len(frame), added=True)

    def delete_snapshot(self, snapshot_id: str) -> int:
        """Remove one snapshot and its observations, in one transaction; returns the rows removed.

        The bundled dataset is refused: it is loaded again on the next run, so deleting it would change nothing.
        """
        self._require_writable("delete a snapshot")
        found = self.connection.execute("SELECT kind, rows FROM snapshots WHERE snapshot_id = ?",
                                        [snapshot_id]).fetchone()
        if found is None:
            raise InputError(f"store {self.path.name} has no snapshot {snapshot_id!r}; "
                             f"`mindshare snapshots` lists them")
        if found[0] == SnapshotKind.BUNDLED:
            raise InputError(f"{snapshot_id} is the bundled dataset; it is loaded again on every run and "
                             f"cannot be deleted")
        with self.transaction():
            removed = self.connection.execute("DELETE FROM observations WHERE snapshot_id = ?",
                                              [snapshot_id]).fetchone()[0]
            self.connection.execute("DELETE FROM snapshots WHERE snapshot_id = ?", [snapshot_id])
        return int(removed)

    def same_content_as(self, kind: str, source: str, frame: pd.DataFrame) -> str | None:
        """The newest snapshot of this kind and source if every row of `frame` is already in the store's latest
        view of that source's snapshots, ignoring when the rows were fetched; else None.

        This is what "no duplicates" means for a collection: the same numbers for the same measurements, fetched
        again (a resumed run, a re-run the same day, a subset of contenders collected again), add nothing.
        """
        stored = self.connection.execute(
            "SELECT * FROM latest_observations WHERE snapshot_id IN "
            "(SELECT snapshot_id FROM snapshots WHERE kind = ? AND source = ?)", [kind, source]).df()
        if stored.empty:
            return None
        if not content_rows(frame) <= content_rows(stored.drop(columns=["snapshot_id"])):
            return None
        return str(self.connection.execute(
            "SELECT snapshot_id FROM snapshots WHERE kind = ? AND source = ? ORDER BY created_at DESC LIMIT 1",
            [kind, source]).fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; a full disk or any failure rolls it back and leaves the store as it was."""
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
            self.connection.execute("COMMIT")
        except BaseException as exc:
            try:
                self.connection.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT has already ended the transaction
            if isinstance(exc, duckdb.Error) and _is_disk_full(exc):
                raise StoreError(f"no space left on device writing {self.path}; nothing of this run was "
                                 f"stored") from None
            raise

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
        frame = self.connection.execute(sql, params).df()
        for column in ("period_start", "period_end", "published"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def signals(self) -> list[str]:
        """The signals the store holds observations of, sorted."""
        return [row[0] for row in self.connection.execute(
            "SELECT DISTINCT signal FROM observations ORDER BY signal").fetchall()]

    def _check_signals(self, wanted: list[str]) -> None:
        """A signal that is neither one mindshare knows nor one in this store is a typo: name the known ones."""
        unknown = [s for s in wanted if s not in SIGNALS]
        if unknown:
            known = sorted(set(SIGNALS) | set(self.signals()))
            missing = [s for s in unknown if s not in known]
            if missing:
                raise InputError(f"unknown signal {missing[0]!r}; signals: {', '.join(known)}")

    def snapshots(self) -> pd.DataFrame:
        return self.connection.execute("SELECT * FROM snapshots ORDER BY created_at").df()

    def has_snapshot(self, kind: str, source: str | None = None) -> bool:
        sql, params = "SELECT count(*) FROM snapshots WHERE kind = ?", [kind]
        if source:
            sql += " AND source = ?"
            params.append(source)
        return bool(self.connection.execute(sql, params).fetchone()[0])

    def meta(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._require_writable("record its state")
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def close(self) -> None:
        self.connection.close()


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
_LOCK_HOLDER = re.compile(r"PID (\d+)")
# Never fetch DuckDB extensions from the internet: a store is a plain DuckDB file, and opening something else
# (an SQLite file) must fail here, not trigger a download of sqlite_scanner.
_DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def open_store(path: str | Path | None = None, *, read_only: bool | None = False,
               lock_wait: float | None = None, settings: settings_module.Settings | None = None) -> Store:
    """Open (creating if needed) the store at `path` (default: the settings' store path). The bundled dataset is
    not loaded here: `mindshare.session` joins the store and the bundle for the CLI and the API.

    `settings`: where the default path and the lock wait come from (default: `mindshare.settings.load()`).
    `read_only=None` opens for writing when the file can be written, else read-only (a store the user may
    read but not write still serves `snapshots`, `observations` and `report`).
    Raises StoreError with one line naming the problem: not a DuckDB file (an SQLite file is named as such),
    written by a newer mindshare, held by another process (after waiting briefly for it), no space left, cannot
    be written here (asked to write a store the user may only read).
    """
    config = settings or settings_module.load()
    path = Path(path).expanduser() if path else config.store_path
    wait = config.lock_wait_seconds if lock_wait is None else lock_wait
    if path.is_dir():
        raise StoreError(f"store {path} is a folder; give the path of a .duckdb file")
    _refuse_foreign_file(path)
    if read_only is None:
        read_only = path.exists() and not _writable(path)
    elif not read_only and not _writable(path):
        raise StoreError(f"store {path} cannot be written here (no write permission, or a read-only file "
                         f"system); the verbs that only read it (snapshots, observations, report) still work")
    created = not read_only and not path.exists()
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for store {path}: {exc.strerror}") from None
    try:
        connection = _connect(path, read_only, wait)
    except StoreLockedError:
        raise  # another process made the file meanwhile: it is that process's store
    except BaseException:
        if created:  # DuckDB may have begun the file before the disk filled: never leave it behind
            _remove_store_files(path)
        raise
    store = Store(connection, path, read_only=read_only)
    try:
        _check_or_create_schema(store, read_only)
    except BaseException:
        connection.close()
        if created:  # never leave a half-made store (schema only, or less) behind
            _remove_store_files(path)
        raise
    return store


def _remove_store_files(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _writable(path: Path) -> bool:
    """The file (or, for a new store, the nearest folder that exists) and its folder may be written: DuckDB
    writes a .wal file beside the store."""
    import os

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


def _connect(path: Path, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_DUCKDB_CONFIG)
        except duckdb.IOException as exc:
            message = str(exc)
            if "lock" in message.lower():
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                holder = _LOCK_HOLDER.search(message)
                by = f" (PID {holder.group(1)})" if holder else ""
                raise StoreLockedError(
                    f"store {path} is in use by another process{by}; wait for it to finish, "
                    f"or use --db to choose another store") from None
            if _is_disk_full(exc):
                raise StoreError(f"no space left on device writing {path}") from None
            raise StoreError(f"cannot open store {path}: {_first_line(message)}") from None
        except duckdb.Error as exc:
            raise StoreError(f"store {path} is not a mindshare store (not a readable DuckDB file): "
                             f"{_first_line(str(exc))}") from None


def _check_or_create_schema(store: Store, read_only: bool) -> None:
    con = store.connection
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if "meta" not in tables:
        if tables:
            raise StoreError(f"store {store.path} is a DuckDB file but not a mindshare store "
                             f"(it has tables {', '.join(sorted(tables))})")
        if read_only:
            raise StoreError(f"store {store.path} is empty; run any mindshare command without read-only first")
        with store.transaction():
            con.execute(_SCHEMA)
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        return
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and row[0].isdigit() else None
    if version is None:
        raise StoreError(f"store {store.path} has no schema version; it was not written by mindshare")
    if version > SCHEMA_VERSION:
        raise StoreError(f"store {store.path} has schema version {version}, newer than this mindshare "
                         f"understands ({SCHEMA_VERSION}); upgrade mindshare")
    while version < SCHEMA_VERSION:
        if version not in _MIGRATIONS:
            raise StoreError(f"store {store.path} has schema version {version}; this mindshare needs "
                             f"{SCHEMA_VERSION} and has no migration for it")
        if read_only:
            raise StoreError(f"store {store.path} has schema version {version} and is open read-only; open it "
                             f"once where it can be written to bring it to version {SCHEMA_VERSION}")
        with store.transaction():
            con.execute(_MIGRATIONS[version])
            version += 1
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])


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
