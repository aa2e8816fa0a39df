import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest
from mounts import make_read_only, tmpfs

from mindshare.errors import InputError, StoreError, StoreLockedError
from mindshare.session import session
from mindshare.store import SCHEMA_VERSION, open_store, store_session


def _frame(value=1.0, subject="torch", period="2024-01-01"):
    return pd.DataFrame([{
        "signal": "downloads", "metric": "downloads_30d", "source": "test", "contender": "pytorch",
        "subject": subject, "period_start": period, "period_end": period, "value": value,
        "value_text": str(value), "unit": "downloads", "reference": "file.csv", "collected_at": "2024-01-02",
    }])


def test_new_store_has_schema_version_and_bundle(tmp_path):
    with session(tmp_path / "s.duckdb") as store:
        version = store.connection.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION
        snapshots = store.snapshots()
        assert list(snapshots["kind"]) == ["bundled"]
        assert len(store.observations()) == snapshots["rows"].iloc[0]


def test_reopening_adds_nothing(tmp_path):
    path = tmp_path / "s.duckdb"
    with session(path) as store:
        first = store.connection.execute("SELECT count(*) FROM observations").fetchone()[0]
    with session(path) as store:
        assert store.connection.execute("SELECT count(*) FROM observations").fetchone()[0] == first
        assert len(store.snapshots()) == 1


def test_identical_snapshot_is_not_stored_twice_but_new_values_are(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
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


def test_failed_write_leaves_no_partial_snapshot(tmp_path, monkeypatch):
    import mindshare.store as store_module

    opened = store_module._open_file
    with store_session(tmp_path / "s.duckdb") as store:
        monkeypatch.setattr(store_module, "_open_file",
                            lambda *args, **kwargs: _FailingObservationsInsert(opened(*args, **kwargs)))
        with pytest.raises(duckdb.IOException):
            store.add_snapshot(_frame(), kind="collect", source="test")
        monkeypatch.undo()
        assert store.snapshots().empty
        assert store.connection.execute("SELECT count(*) FROM observations").fetchone()[0] == 0


def test_observation_without_required_column_is_refused(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        with pytest.raises(StoreError, match="no signal"):
            store.add_snapshot(_frame().assign(signal=None), kind="collect", source="test")
        with pytest.raises(StoreError, match="neither a value nor"):
            store.add_snapshot(_frame().assign(value=None, value_text=None), kind="collect", source="test")


def test_notes_are_kept_as_words(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        store.add_snapshot(_frame().assign(value=None, value_text="about 2"), kind="import", source="test")
        row = store.observations().iloc[0]
        assert pd.isna(row["value"]) and row["value_text"] == "about 2" and row["kind"] == "note"


def test_as_of_hides_later_periods(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        store.add_snapshot(pd.concat([_frame(1.0, period="2020-01-01"), _frame(2.0, period="2023-01-01")]),
                           kind="import", source="test", )
        values = store.observations(as_of="2021-01-01")["value"].tolist()
        assert values == [1.0]
        assert store.observations(as_of="2019-12-31").empty


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
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
    open_store(path).close()
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


# -- the store alone, the session, and bad stores ---------------------------------------------------------------
def test_the_store_opens_without_the_bundle_and_the_session_loads_it(tmp_path):
    path = tmp_path / "s.duckdb"
    with store_session(path) as store:
        assert store.snapshots().empty  # opening a store parses no bundled file
    with session(path) as store:
        assert list(store.snapshots()["kind"]) == ["bundled"]


def test_a_version_1_store_is_migrated_and_keeps_its_rows(tmp_path):
    from old_stores import version_1_store

    path = tmp_path / "v1.duckdb"
    con = version_1_store(path)
    con.execute("INSERT INTO snapshots VALUES ('import-1', 'import', 'test', '', '2024-01-01', 'h', 1, '0.1.0')")
    con.execute("INSERT INTO observations (snapshot_id, signal, metric, source, subject, value, segment, method, kind)"
                " VALUES ('import-1', 'downloads', 'downloads_30d', 'test', 'torch', 5, 'all', 'm', 'number')")
    con.close()
    with store_session(path) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
        rows = store.observations()
        assert rows["value"].tolist() == [5.0] and rows["published"].isna().all()


def test_an_sqlite_file_is_named_as_such_and_nothing_is_downloaded(tmp_path):
    import sqlite3

    path = tmp_path / "data.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match=r"data.sqlite is an SQLite file, not a mindshare store"):
        open_store(path)


def test_extensions_are_never_fetched(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        settings = dict(store.connection.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name LIKE '%known_extensions'").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_as_of_must_be_a_date_and_an_unknown_signal_names_the_known_ones(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        for bad in ("2020-13-01", "yesterday"):
            with pytest.raises(InputError, match=r"is not a date; write it as YYYY-MM-DD"):
                store.observations(as_of=bad)
        with pytest.raises(InputError, match=r"unknown signal 'dowloads'; signals: .*downloads"):
            store.observations(signal="dowloads")
        assert store.observations(signal="search").empty  # known, just not collected yet


def test_as_of_keeps_what_was_known_that_day(bundled_store_path):
    """The 2020 article (2020-01-26) could cite Horace He's 2019-11 counts of NeurIPS 2019, not his 2021-10 ones."""
    with store_session(bundled_store_path, read_only=True) as store:
        then = store.observations(signal="research", source="Horace He, pytorch-vs-tensorflow", as_of="2020-01-26")
        later = store.observations(signal="research", source="Horace He, pytorch-vs-tensorflow", as_of="2021-11-30")
    neurips_2019 = lambda f: f[(f.segment == "NeurIPS") & (f.period_label == "2019")]  # noqa: E731
    assert set(neurips_2019(then)["method"]) == {"horace-he-2019-11"}
    assert set(neurips_2019(later)["method"]) == {"horace-he-2019-11", "horace-he-2021-10"}


def test_delete_a_snapshot_in_one_transaction(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        kept = store.add_snapshot(_frame(1.0), kind="import", source="a").snapshot_id
        gone = store.add_snapshot(_frame(2.0, subject="tensorflow"), kind="import", source="b").snapshot_id
        assert store.delete_snapshot(gone) == 1
        assert list(store.snapshots()["snapshot_id"]) == [kept]
        assert store.observations()["value"].tolist() == [1.0]
        with pytest.raises(InputError, match="has no snapshot 'nope'"):
            store.delete_snapshot("nope")


def test_the_bundled_snapshot_cannot_be_deleted(tmp_path):
    with session(tmp_path / "s.duckdb") as store:
        bundled = store.snapshots()["snapshot_id"].iloc[0]
        with pytest.raises(InputError, match="bundled dataset"):
            store.delete_snapshot(bundled)


def test_the_same_numbers_fetched_again_are_the_same_content(tmp_path):
    with store_session(tmp_path / "s.duckdb") as store:
        first = store.add_snapshot(_frame(1.0), kind="collect", source="x").snapshot_id
        again = _frame(1.0).assign(collected_at="2025-06-01")
        assert store.same_content_as("collect", "x", again) == first
        assert store.same_content_as("collect", "x", _frame(2.0)) is None


@pytest.fixture
def small_disk(tmp_path):
    """A 300 kB tmpfs: too small for the bundled dataset."""
    with tmpfs(tmp_path / "disk", "300k") as mount:
        yield mount


def test_a_full_disk_is_one_line_and_leaves_no_half_made_store(small_disk):
    path = small_disk / "s.duckdb"
    with pytest.raises(StoreError, match=rf"no space left on device writing {path}"):
        session(path).__enter__()
    assert list(small_disk.iterdir()) == []


@pytest.mark.parametrize("size, fails_in", [("8k", "the file itself"), ("12k", "the schema")])
def test_a_disk_too_full_for_an_empty_store_leaves_nothing(tmp_path, size, fails_in):
    """On 8 kB DuckDB fails while making the file (it had begun it); on 12 kB while writing the schema. Either
    way a first run leaves no file the next run would read as a damaged store."""
    with tmpfs(tmp_path / "disk", size) as disk:
        path = disk / "s.duckdb"
        with pytest.raises(StoreError, match=rf"^no space left on device writing {path}"):
            open_store(path)
        assert list(disk.iterdir()) == [], fails_in


def test_a_full_disk_mid_snapshot_keeps_what_was_stored(tmp_path):
    """Room for a store and a small snapshot (each transaction is checkpointed into the file when it ends: DuckDB
    allocates it in blocks of 256 kB), not for a big one."""
    with tmpfs(tmp_path / "disk", "2500k") as disk:
        path = disk / "s.duckdb"
        with store_session(path) as store:
            store.add_snapshot(_frame(1.0), kind="import", source="small")
            big = pd.DataFrame({**_frame().iloc[0].to_dict(), "value": range(30000)}).assign(
                subject=[f"pkg-{i}-" + "x" * 200 for i in range(30000)])
            with pytest.raises(StoreError, match="no space left on device"):
                store.add_snapshot(big, kind="import", source="big")
        with store_session(path, read_only=True) as store:
            assert list(store.snapshots()["source"]) == ["small"]
            assert store.observations()["value"].tolist() == [1.0]


def test_a_store_that_cannot_be_written_is_read(tmp_path):
    """A read-only file system (root can write any file, but not there): reading verbs still work."""
    with tmpfs(tmp_path / "ro", "20m") as mount:
        with session(mount / "s.duckdb") as store:
            rows = len(store.observations())
        make_read_only(mount)
        with session(mount / "s.duckdb", read_only=None) as store:
            assert store.read_only and len(store.observations()) == rows
            with pytest.raises(StoreError, match="open read-only"):
                store.add_snapshot(_frame(1.0), kind="import", source="x")


def test_asked_to_write_a_store_it_cannot_write_says_so(tmp_path):
    with tmpfs(tmp_path / "ro", "20m") as mount:
        with session(mount / "s.duckdb"):
            pass
        make_read_only(mount)
        with pytest.raises(StoreError, match=r"s.duckdb cannot be written here .*read-only file system"):
            open_store(mount / "s.duckdb")
        with pytest.raises(StoreError, match=r"new.duckdb cannot be written here"):
            open_store(mount / "new.duckdb")


# -- faults a user meets on the command line: one line, rc 3, nothing made ------------------------------------
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mindshare", *args], capture_output=True, text=True, timeout=300)


def _one_line(result) -> str:
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("verb", [["snapshots"], ["observations"], ["report", "--no-png"]])
def test_a_read_verb_never_makes_a_store_in_a_folder_that_does_not_exist(tmp_path, verb):
    """A mistyped --db made the folders and a new store; a verb that only reads makes neither."""
    db = tmp_path / "nonexistent" / "dir" / "x.duckdb"
    args = [*verb, "--out", str(tmp_path / "r")] if verb[0] == "report" else verb
    line = _one_line(_cli("--db", str(db), *args))
    assert line == (f"error: there is no store at {db}, and its folder {db.parent} does not exist; check the path "
                    f"(--db or MINDSHARE_DB)")
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "r").exists()


def test_a_verb_that_writes_makes_the_folders_of_a_new_store(tmp_path):
    db = tmp_path / "new" / "dir" / "x.duckdb"
    counts = tmp_path / "counts.csv"
    counts.write_text("site,country,date,query,contender,count\nIndeed,us,2020-02-01,pytorch,pytorch,4167\n")
    result = _cli("--db", str(db), "import", str(counts))
    assert result.returncode == 0, result.stderr
    assert db.is_file()


@pytest.mark.parametrize("verb", [["snapshots"], ["report", "--no-png"]])
def test_a_new_store_on_a_read_only_file_system_is_one_line(tmp_path, verb):
    """It was `OSError: [Errno 30]` from the removal of the store the read verb had failed to make."""
    with tmpfs(tmp_path / "ro", "1m") as mount:
        make_read_only(mount)
        db = mount / "s.duckdb"
        args = [*verb, "--out", str(tmp_path / "r")] if verb[0] == "report" else verb
        line = _one_line(_cli("--db", str(db), *args))
        assert line == (f"error: there is no store at {db}, and none can be made there (no write permission, or a "
                        f"read-only file system); choose another with --db or MINDSHARE_DB")
        assert list(mount.iterdir()) == []


def test_a_read_only_view_of_a_store_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(StoreError, match=r"^there is no store at .*missing.duckdb$"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


# -- -v / -q before the verb, as the README writes them ------------------------------------------------------
def test_verbose_and_quiet_before_the_verb_hold_for_any_verb(tmp_path):
    """`mindshare -v collect` was a usage error: -v and -q were options of each verb only."""
    db = tmp_path / "s.duckdb"
    with store_session(db) as store:
        ids = [store.add_snapshot(_frame(value), kind="import", source="t").snapshot_id for value in (1.0, 2.0)]
    said = _cli("--db", str(db), "snapshots", "delete", ids[0])
    assert said.returncode == 0 and "deleted snapshot" in said.stderr, said.stderr
    quiet = _cli("-q", "--db", str(db), "snapshots", "delete", ids[1])
    assert (quiet.returncode, quiet.stderr) == (0, "")
    verbose = _cli("-v", "--db", str(db), "observations", "-s", "downloads")
    assert verbose.returncode == 0 and f"store {db}" in verbose.stderr, verbose.stderr
    assert f"store {db}" not in _cli("--db", str(db), "observations", "-s", "downloads").stderr
    both = _cli("-q", "-v", "--db", str(db), "snapshots")
    assert both.returncode == 2 and "--quiet and --verbose contradict each other" in both.stderr


def test_a_new_store_opened_to_write_opens_its_file_twice_not_three_times(tmp_path, monkeypatch):
    """Making the store (its schema, under its lock) and then the held connection; the version just written is not
    read again in an open of its own (~15 ms of every first scan's start-up). An existing store: its version is
    read in one open, then the held one."""
    import mindshare.store as store_module

    opened = []
    real_connect = duckdb.connect

    def counting_connect(database=":memory:", *args, **kwargs):
        opened.append((str(database), kwargs.get("read_only", False)))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(store_module.duckdb, "connect", counting_connect)
    path = tmp_path / "s.duckdb"
    store = open_store(path)
    try:
        assert store.connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == \
            str(SCHEMA_VERSION)
    finally:
        store.close()
    assert opened == [(str(path), False), (str(path), False)]
    opened.clear()
    store = open_store(path)
    store.connection
    store.close()
    assert opened == [(str(path), True), (str(path), False)]
