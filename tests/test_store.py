import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest

from mindshare.errors import StoreError, StoreLockedError
from mindshare.store import SCHEMA_VERSION, open_store, store_session


def _frame(value=1.0, subject="torch", period="2024-01-01"):
    return pd.DataFrame([{
        "signal": "downloads", "metric": "downloads_30d", "source": "test", "contender": "pytorch",
        "subject": subject, "period_start": period, "period_end": period, "value": value,
        "value_text": str(value), "unit": "downloads", "reference": "file.csv", "collected_at": "2024-01-02",
    }])


def test_new_store_has_schema_version_and_bundle(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        version = store.connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION
        snapshots = store.snapshots()
        assert list(snapshots["kind"]) == ["bundled"]
        assert len(store.observations()) == snapshots["rows"].iloc[0]


def test_reopening_adds_nothing(tmp_path):
    path = tmp_path / "s.duckdb"
    with store_session(path) as store:
        first = store.connection.execute("SELECT count(*) FROM observations").fetchone()[0]
    with store_session(path) as store:
        assert store.connection.execute("SELECT count(*) FROM observations").fetchone()[0] == first
        assert len(store.snapshots()) == 1


def test_identical_snapshot_is_not_stored_twice_but_new_values_are(tmp_path):
    with store_session(tmp_path / "s.duckdb", bootstrap=False) as store:
        first = store.add_snapshot(_frame(1.0), kind="collect", source="test")
        again = store.add_snapshot(_frame(1.0), kind="collect", source="test")
        newer = store.add_snapshot(_frame(2.0), kind="collect", source="test")
        assert first.added and not again.added and newer.added
        assert again.snapshot_id == first.snapshot_id
        # both values are kept; readers see the newest by default
        assert sorted(store.observations(all_snapshots=True)["value"]) == [1.0, 2.0]
        assert list(store.observations()["value"]) == [2.0]


class _FailingObservationsInsert:
    """A connection whose insert of observations fails, after the snapshot row was written."""

    def __init__(self, real):
        self.real = real

    def execute(self, sql, *args):
        if sql.startswith("INSERT INTO observations"):
            raise duckdb.IOException("disk full")
        return self.real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_failed_write_leaves_no_partial_snapshot(tmp_path):
    with store_session(tmp_path / "s.duckdb", bootstrap=False) as store:
        real = store.connection
        store.connection = _FailingObservationsInsert(real)
        with pytest.raises(duckdb.IOException):
            store.add_snapshot(_frame(), kind="collect", source="test")
        store.connection = real
        assert store.snapshots().empty
        assert real.execute("SELECT count(*) FROM observations").fetchone()[0] == 0


def test_observation_without_required_column_is_refused(tmp_path):
    with store_session(tmp_path / "s.duckdb", bootstrap=False) as store:
        with pytest.raises(StoreError, match="no signal"):
            store.add_snapshot(_frame().assign(signal=None), kind="collect", source="test")
        with pytest.raises(StoreError, match="neither a value nor"):
            store.add_snapshot(_frame().assign(value=None, value_text=None), kind="collect", source="test")


def test_notes_are_kept_as_words(tmp_path):
    with store_session(tmp_path / "s.duckdb", bootstrap=False) as store:
        store.add_snapshot(_frame().assign(value=None, value_text="about 2"), kind="import", source="test")
        row = store.observations().iloc[0]
        assert pd.isna(row["value"]) and row["value_text"] == "about 2" and row["kind"] == "note"


def test_as_of_hides_later_periods(tmp_path):
    with store_session(tmp_path / "s.duckdb", bootstrap=False) as store:
        store.add_snapshot(pd.concat([_frame(1.0, period="2020-01-01"), _frame(2.0, period="2023-01-01")]),
                           kind="import", source="test", )
        values = store.observations(as_of="2021-01-01")["value"].tolist()
        assert values == [1.0]
        assert store.observations(as_of="2019-12-31").empty


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path, bootstrap=False).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(StoreError, match="newer than this mindshare"):
        open_store(path)


def test_not_a_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    path.write_text("hello, this is not a database\n" * 100)
    with pytest.raises(StoreError, match="not a mindshare store|cannot open"):
        open_store(path)


def test_foreign_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE other (x INT)")
    con.close()
    with pytest.raises(StoreError, match="not a mindshare store"):
        open_store(path)


def test_store_held_by_another_process_gives_a_clear_error(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path, bootstrap=False).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r})
        print("holding", flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreLockedError, match="in use by another process"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()
