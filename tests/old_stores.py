"""Stores as earlier versions of mindshare wrote them, for the tests of the store's migrations."""

from __future__ import annotations

from pathlib import Path

import duckdb


def version_1_store(path: Path) -> duckdb.DuckDBPyConnection:
    """A store of schema version 1 at `path` (meta, snapshots, observations without `published`), left open so
    the test can add the rows (or the older side tables) it needs before closing it."""
    from mindshare.observations import COLUMNS

    v1 = {k: v for k, v in COLUMNS.items() if k != "published"}
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("CREATE TABLE snapshots (snapshot_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, source VARCHAR "
                "NOT NULL, description VARCHAR, created_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL, "
                "rows BIGINT NOT NULL, mindshare_version VARCHAR NOT NULL)")
    con.execute(f"CREATE TABLE observations ({', '.join(f'{n} {t}' for n, t in v1.items())})")
    return con
