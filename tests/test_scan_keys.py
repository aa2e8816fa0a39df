"""The scan's content key moved from sha256 to BLAKE3 (issue 25): a store whose rows were keyed by sha256 is
re-keyed once, from the files themselves, so a scan resumed across the upgrade neither scans a document again nor
counts one twice; rows whose file is gone keep their sha256 (as "sha256:<hex>") and a copy of such a document is
still recognised. Also: the --json header names the key once, and the native text batch writes the rows, lines and
tallies the Python path writes."""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindshare.scan import corpus, extract, runner, state
from mindshare.scan.match import HAVE_NATIVE
from mindshare.store import open_store

needs_native = pytest.mark.skipif(not HAVE_NATIVE, reason="the native matcher was not built (no libhs headers)")
WORDS = ["We", "use", "PyTorch", "TensorFlow", "JAX", "Keras", "and", "data", "model", "ajax", "ﬁne", "Tensor-\nFlow"]


def papers(folder: Path, count: int, seed: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for index in range(count):
        (folder / f"{index:03d}.txt").write_text(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 40))))
    (folder / "binary.txt").write_bytes(b"\x00" * 100)  # a failed document keyed by its content
    return folder


def as_before_blake3(db: Path) -> None:
    """Turn a store's scan rows back into what mindshare wrote before BLAKE3: every key the sha256 of the file (an
    unreadable document: of its path), and no record of the move."""
    store = open_store(db)
    try:
        con = store.connection
        for key, path in con.execute("SELECT sha256, path FROM scan_documents").fetchall():
            try:
                old = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            except OSError:
                old = hashlib.sha256(path.encode()).hexdigest()
            con.execute("UPDATE scan_documents SET sha256 = ? WHERE sha256 = ? AND path = ?", [old, key, path])
        con.execute("DELETE FROM meta WHERE key = ?", [state.MIGRATED])
    finally:
        store.close()


def scan(paths, db: Path, **options) -> runner.RunSummary:
    store = open_store(db)
    try:
        return runner.run([str(p) for p in paths], runner.ScanConfig(), connection=store.connection, venue="V",
                          year=2021, **options)
    finally:
        store.close()


def stored(db: Path) -> dict[str, str]:
    store = open_store(db, read_only=True)
    try:
        return dict(store.connection.execute("SELECT path, sha256 FROM scan_documents").fetchall())
    finally:
        store.close()


def figures(db: Path) -> dict:
    store = open_store(db, read_only=True)
    try:
        return runner.venue_tally(store.connection, runner.ScanConfig(), "V", 2021)[0].figures()
    finally:
        store.close()


def test_a_sha256_store_is_rekeyed_once_and_a_resumed_scan_neither_rescans_nor_double_counts(tmp_path):
    folder = papers(tmp_path / "papers", 40)
    db, fresh = tmp_path / "old.duckdb", tmp_path / "fresh.duckdb"
    half = sorted(folder.glob("0[0-1]*.txt")) + [folder / "binary.txt"]
    scan(half, db)  # a run of the old version, killed half-way (20 papers, one failed document)...
    as_before_blake3(db)
    copy = folder / "zz-copy-of-000.txt"  # ...and, since, a copy of a document it had scanned
    copy.write_bytes((folder / "000.txt").read_bytes())
    resumed = scan([folder], db)
    assert resumed.migrated == state.Migration(rekeyed=21, kept=0)
    assert resumed.skipped == 20  # the 21 stored, but the failed one: tried again (failures always are)
    assert resumed.scanned == 42 - 20 and resumed.duplicates == 1  # the copy: the same content as 000.txt
    assert resumed.failures == 1
    scan([folder], fresh)
    assert figures(db) == figures(fresh)
    keys = stored(db)
    assert keys == stored(fresh)  # every key BLAKE3, as a fresh scan gives
    assert keys[str(folder / "001.txt")] == extract.content_key((folder / "001.txt").read_bytes())
    again = scan([folder], db)
    # once: then only the failed document is tried again, and the copy read (a duplicate is not stored)
    assert again.migrated is None and again.scanned == 2 and again.duplicates == 1


def as_schema_3(db: Path) -> None:
    """Turn a store back into schema version 3, whose scan table had a primary key (its rows kept)."""
    store = open_store(db)
    try:
        con = store.connection
        con.execute("CREATE TABLE scan_documents_3 (sha256 VARCHAR NOT NULL, method VARCHAR NOT NULL, venue "
                    "VARCHAR NOT NULL, year INTEGER NOT NULL, field VARCHAR NOT NULL, path VARCHAR NOT NULL, pages "
                    "INTEGER, mentions VARCHAR NOT NULL, detail VARCHAR, error VARCHAR, scanned_at TIMESTAMP NOT "
                    "NULL, size BIGINT, mtime_ns BIGINT, PRIMARY KEY (sha256, method, venue, year, field))")
        con.execute("INSERT INTO scan_documents_3 SELECT * FROM scan_documents")
        con.execute("DROP TABLE scan_documents")
        con.execute("ALTER TABLE scan_documents_3 RENAME TO scan_documents")
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    finally:
        store.close()


def primary_keys(db: Path) -> list:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT constraint_text FROM duckdb_constraints() WHERE table_name = 'scan_documents' "
                           "AND constraint_type = 'PRIMARY KEY'").fetchall()
    finally:
        con.close()


def test_a_store_whose_scan_table_had_a_primary_key_upgrades_and_a_resumed_scan_neither_rescans_nor_double_counts(
        tmp_path):
    folder = papers(tmp_path / "papers", 40)
    db, fresh = tmp_path / "old.duckdb", tmp_path / "fresh.duckdb"
    scan(sorted(folder.glob("0[0-1]*.txt")) + [folder / "binary.txt"], db)  # killed half-way, by schema 3
    as_schema_3(db)
    assert primary_keys(db)
    resumed = scan([folder], db)
    assert primary_keys(db) == []  # the rows checked one by one no more (store.py, schema 4)
    assert resumed.skipped == 20 and resumed.scanned == 41 - 20 and resumed.failures == 1
    scan([folder], fresh)
    assert figures(db) == figures(fresh) and stored(db) == stored(fresh)
    again = scan([folder], db)
    assert again.skipped == 40 and again.scanned == 1  # the failed document, tried again: stored once still
    assert len(stored(db)) == 41
    # a row written twice (no key refuses it now) is still one document to every reader
    store = open_store(db)
    try:
        store.connection.execute("INSERT INTO scan_documents SELECT * FROM scan_documents WHERE path = ?",
                                 [str(folder / "000.txt")])
    finally:
        store.close()
    assert figures(db) == figures(fresh)


def test_rows_whose_files_are_gone_keep_sha256_and_a_moved_copy_is_still_one_document(tmp_path):
    folder = papers(tmp_path / "papers", 10)
    db = tmp_path / "old.duckdb"
    scan([folder], db)
    as_before_blake3(db)
    moved = tmp_path / "moved"
    os.rename(folder, moved)  # the papers moved to another folder since the old version scanned them
    gone = moved / "003.txt"
    before = figures(db)
    resumed = scan([moved / "003.txt"], db)
    assert resumed.migrated == state.Migration(rekeyed=0, kept=11)
    assert resumed.duplicates == 0 and resumed.scanned == 1
    keys = stored(db)
    assert str(folder / "003.txt") not in keys  # the old row of the same content was replaced by the new one
    assert keys[str(gone)] == extract.content_key(gone.read_bytes())
    assert keys[str(folder / "004.txt")] == state.LEGACY + hashlib.sha256((moved / "004.txt").read_bytes()).hexdigest()
    assert figures(db) == before  # the same ten papers and one failure: none counted twice


def test_the_json_header_names_the_key_once_and_skipped_documents_carry_it(tmp_path):
    import io

    folder = papers(tmp_path / "papers", 3)
    db = tmp_path / "s.duckdb"
    for _ in range(2):  # scanned, then printed from the store
        out = io.StringIO()
        scan([folder], db, out=out)
        header, *docs = map(json.loads, out.getvalue().splitlines())
        assert header["mindshare_scan"]["content_key"] == extract.CONTENT_KEY == "blake3"
        assert all("sha256" not in doc for doc in docs)
        good = [doc for doc in docs if not doc["error"]]
        assert {doc["content_key"] for doc in good} == {extract.content_key(Path(d["path"]).read_bytes())
                                                        for d in good}


# ---------------------------------------------------------------- the native batch against the Python path

BATCH_PIECES = ["We use PyTorch", "TensorFlow", " ", "\n", "Tensor-\nFlow", "PyTorch-\nbased", "ﬁne", "é", "e\u0301",
                "https://github.com/pytorch/pytorch", "\nReferences\n", "[1] JAX: composable", "AllenNLP", "ajax",
                "\r\n", "\ufffe", "\u00ad", "µ", "𝑧", "keras2", "“Keras”", "–"]
documents = st.lists(st.sampled_from(BATCH_PIECES), max_size=30).map("".join)


@needs_native
@settings(max_examples=150, deadline=None)
@given(st.lists(documents, min_size=1, max_size=6), st.sampled_from(["plain", "odd \"name\"\u00e9"]))
def test_the_native_batch_writes_what_the_python_path_writes(texts, name):
    config = runner.ScanConfig()
    rules = runner.rules_for(config)
    with tempfile.TemporaryDirectory() as folder:
        refs = []
        for index, text in enumerate(texts):
            path = Path(folder) / f"{name}{index}.txt"
            path.write_text(text)
            info = path.stat()
            refs.append(state.FileRef(str(path), info.st_size, info.st_mtime_ns))  # what C reads with fstat
        job = runner.BatchJob(config, lines=True, store=True)
        native = job._in_c(rules.text_batch(), refs, rules)
        python = job._in_python(refs, rules, None)
    assert state.json_rows(native.rows) == state.json_rows(python.rows)
    assert native.lines == python.lines and native.keys == python.keys
    assert native.tally == python.tally and native.documents == python.documents and native.size == python.size


@needs_native
def test_the_native_batch_leaves_to_python_what_it_does_not_take(tmp_path):
    # a PDF, binary data posing as text, a file gone since it was listed, a large text: Python's, in their place
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from scan_pdfs import make_pdf

    files = {"a.txt": b"We use PyTorch.", "b.pdf": make_pdf(text="TensorFlow"), "c.txt": b"\x00\x01" * 50,
             "e.txt": "Keras \u00e9\n".encode() * 30, "f.TXT": b"JAX-\nbased"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    refs = [corpus._ref(str(tmp_path / name)) for name in files]
    refs.insert(3, state.FileRef(str(tmp_path / "d-gone.txt"), 10, 0))
    rules = runner.rules_for(runner.ScanConfig())
    taken, *_ = rules.text_batch().run([ref.path for ref in refs], True, 200)  # 200: 'e.txt' is too large
    assert list(taken) == [1, 0, 0, 0, 0, 1]
    job = runner.BatchJob(runner.ScanConfig(), lines=True)
    mixed, python = job(refs), job._in_python(refs, rules, None)
    assert state.json_rows(mixed.rows) == state.json_rows(python.rows)
    assert mixed.lines == python.lines and mixed.keys == python.keys and mixed.tally == python.tally
    assert [reason.split(" (")[0] for _, reason in mixed.failed] == ["not text", "cannot read it"]


def test_the_move_to_blake3_is_recorded_on_a_store_without_rows_and_a_bare_table_is_left_alone(tmp_path):
    """With no sha256 rows to re-key (a new store), the move is only recorded, so no later run looks again; a scan
    table that is not in a store (no meta: a notebook's, a test's) is left as it is."""
    import duckdb

    store = open_store(tmp_path / "s.duckdb")
    try:
        con = store.connection
        con.execute("DELETE FROM meta WHERE key = ?", [state.MIGRATED])
        assert state.migrate_content_keys(con) is None
        assert con.execute("SELECT value FROM meta WHERE key = ?", [state.MIGRATED]).fetchall() == \
            [(extract.CONTENT_KEY,)]
        assert con.execute("SELECT count(*) FROM scan_documents").fetchall() == [(0,)]
    finally:
        store.close()
    bare = duckdb.connect()
    bare.execute("CREATE TABLE scan_documents (sha256 VARCHAR, path VARCHAR, error VARCHAR)")
    bare.execute("INSERT INTO scan_documents VALUES ('ab', 'x.txt', NULL)")
    assert state.migrate_content_keys(bare) is None
    assert bare.execute("SELECT sha256 FROM scan_documents").fetchall() == [("ab",)]
