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
import re
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd
import platformdirs

from mindshare.errors import StoreError, StoreLockedError

SCHEMA_VERSION = 1
ENV_DB = "MINDSHARE_DB"
LOCK_WAIT_SECONDS = float(os.environ.get("MINDSHARE_LOCK_WAIT", "3"))

# The columns of one observation, in order. `kind` is 'number' or 'note' (a qualitative fact: value is null
# and value_text holds the source's words; notes are never turned into numbers).
OBSERVATION_COLUMNS: dict[str, str] = {
    "snapshot_id": "VARCHAR NOT NULL",
    "signal": "VARCHAR NOT NULL",       # jobs, research, search, usage, downloads, github, qa, ...
    "metric": "VARCHAR NOT NULL",       # what was counted: downloads_30d, pct_of_posts, survey_share, ...
    "source": "VARCHAR NOT NULL",       # who published or served the number
    "contender": "VARCHAR",             # contender id in the field, or null when the subject is not one
    "subject": "VARCHAR NOT NULL",      # the name as the source gives it (a package, a tag, 'Torch/PyTorch')
    "period_start": "DATE",
    "period_end": "DATE",
    "period_label": "VARCHAR",          # the source's own words for the period
    "value": "DOUBLE",
    "value_text": "VARCHAR",
    "unit": "VARCHAR",
    "segment": "VARCHAR NOT NULL",      # who or where: 'professional developers', a venue, a country, 'all'
    "method": "VARCHAR NOT NULL",       # method or rules version; a change of method breaks a series
    "reference": "VARCHAR",             # URL, repository path or file the number came from
    "query": "VARCHAR",                 # the query or request that produced it
    "note": "VARCHAR",
    "collected_at": "TIMESTAMP",        # when the number was fetched from its source
    "kind": "VARCHAR NOT NULL",
}

# A measurement is the same measurement in two snapshots when these agree; the newest snapshot wins.
MEASUREMENT_KEY = ("signal", "metric", "source", "subject", "segment", "method", "period_start", "period_end",
                   "period_label")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,              -- bundled, collect, import, scan
    source VARCHAR NOT NULL,
    description VARCHAR,
    created_at TIMESTAMP NOT NULL,
    content_hash VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    mindshare_version VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    {", ".join(f"{name} {kind}" for name, kind in OBSERVATION_COLUMNS.items())}
);
CREATE OR REPLACE VIEW latest_observations AS
SELECT o.* FROM observations o JOIN snapshots s USING (snapshot_id)
QUALIFY row_number() OVER (
    PARTITION BY {", ".join(f"o.{k}" for k in MEASUREMENT_KEY)}
    ORDER BY s.created_at DESC, o.snapshot_id DESC) = 1;
"""


def default_path() -> Path:
    """`MINDSHARE_DB` if set, else `mindshare.duckdb` in the user's data directory."""
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB]).expanduser()
    return Path(platformdirs.user_data_dir("mindshare")) / "mindshare.duckdb"


@dataclass(frozen=True)
class SnapshotResult:
    snapshot_id: str
    rows: int
    added: bool  # False when identical content was already stored


class Store:
    """An open store. Use `open_store()` rather than building one directly."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path):
        self.connection = connection
        self.path = path

    # -- writing -------------------------------------------------------------------------------------------
    def add_snapshot(self, frame: pd.DataFrame, *, kind: str, source: str, description: str = "",
                     created_at: datetime | None = None) -> SnapshotResult:
        """Store `frame` (observation columns, no snapshot_id) as one new snapshot, in one transaction.

        Identical content (same kind, source and rows) already stored is not stored again.
        """
        frame = normalise_observations(frame)
        content_hash = content_hash_of(frame, kind, source)
        existing = self.connection.execute(
            "SELECT snapshot_id, rows FROM snapshots WHERE content_hash = ?", [content_hash]).fetchone()
        if existing:
            return SnapshotResult(existing[0], int(existing[1]), added=False)
        created_at = created_at or datetime.now(UTC).replace(tzinfo=None)
        snapshot_id = f"{kind}-{created_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        frame = frame.assign(snapshot_id=snapshot_id)[list(OBSERVATION_COLUMNS)]
        from mindshare import __version__

        with self.transaction():
            self.connection.execute(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [snapshot_id, kind, source, description, created_at, content_hash, len(frame), __version__])
            self.connection.register("incoming_observations", frame)
            try:
                self.connection.execute(
                    f"INSERT INTO observations SELECT {', '.join(OBSERVATION_COLUMNS)} FROM incoming_observations")
            finally:
                self.connection.unregister("incoming_observations")
        return SnapshotResult(snapshot_id, len(frame), added=True)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            self.connection.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------------------------
    def observations(self, *, signal: str | list[str] | None = None, contenders: list[str] | None = None,
                     metric: str | list[str] | None = None, source: str | None = None,
                     as_of: str | None = None, include_notes: bool = True,
                     all_snapshots: bool = False) -> pd.DataFrame:
        """Observations as a DataFrame, newest snapshot per measurement unless `all_snapshots`.

        `as_of` (YYYY-MM-DD) keeps the figures whose period had ended by that day.
        """
        table = "observations" if all_snapshots else "latest_observations"
        where, params = [], []
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
            where.append("kind = 'number'")
        if as_of:
            # A figure is dated by the period it measures, not by when it was imported: hand-gathered 2020
            # counts typed in today still belong to a report "as of 2020". A period still running on that
            # day was not known yet.
            where.append("(coalesce(period_end, period_start) IS NULL "
                         "OR coalesce(period_end, period_start) <= CAST(? AS DATE))")
            params.append(as_of)
        sql = f"SELECT * FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY signal, metric, subject, segment, period_start NULLS FIRST"
        frame = self.connection.execute(sql, params).df()
        for column in ("period_start", "period_end"):
            frame[column] = pd.to_datetime(frame[column])
        return frame

    def snapshots(self) -> pd.DataFrame:
        return self.connection.execute("SELECT * FROM snapshots ORDER BY created_at").df()

    def has_snapshot(self, kind: str, source: str | None = None) -> bool:
        sql, params = "SELECT count(*) FROM snapshots WHERE kind = ?", [kind]
        if source:
            sql += " AND source = ?"
            params.append(source)
        return bool(self.connection.execute(sql, params).fetchone()[0])

    def close(self) -> None:
        self.connection.close()


def normalise_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """Give `frame` every observation column with the right type; refuse rows that break the schema."""
    frame = frame.copy()
    for column in OBSERVATION_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["kind"] = frame["value"].isna().map({True: "note", False: "number"})
    frame["segment"] = frame["segment"].fillna("all")
    frame["method"] = frame["method"].fillna("as published")
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    frame["collected_at"] = pd.to_datetime(frame["collected_at"])
    frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype("float64")
    for column, kind in OBSERVATION_COLUMNS.items():
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


# -- opening ---------------------------------------------------------------------------------------------------
_LOCK_HOLDER = re.compile(r"PID (\d+)")


def open_store(path: str | Path | None = None, *, read_only: bool = False, bootstrap: bool = True) -> Store:
    """Open (creating if needed) the store at `path`; load the bundled dataset into a new store.

    Raises StoreError with one line naming the problem: not a DuckDB file, written by a newer mindshare,
    or held by another process (after waiting briefly for it).
    """
    path = Path(path).expanduser() if path else default_path()
    if path.is_dir():
        raise StoreError(f"store {path} is a folder; give the path of a .duckdb file")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for store {path}: {exc.strerror}") from None
    connection = _connect(path, read_only)
    store = Store(connection, path)
    try:
        _check_or_create_schema(store, read_only)
        if bootstrap and not read_only:
            from mindshare.bundle import ensure_bundle

            ensure_bundle(store)
    except BaseException:
        connection.close()
        raise
    return store


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
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
    if version < SCHEMA_VERSION:
        raise StoreError(f"store {store.path} has schema version {version}; this mindshare needs "
                         f"{SCHEMA_VERSION} and has no migration for it yet")


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else message


@contextmanager
def store_session(path: str | Path | None = None, **kwargs) -> Iterator[Store]:
    store = open_store(path, **kwargs)
    try:
        yield store
    finally:
        store.close()
