"""A warm report does not open the store when the store is as a report left it (report.build.store_state): the
digest of its content is remembered beside what the file system says of the file, and only when that is safe."""

from __future__ import annotations

import os
import shutil

import pytest

from mindshare import settings as settings_module
from mindshare.fields import load_field
from mindshare.report import build


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MINDSHARE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def settled_store(tmp_path, bundled_store_path):
    """A copy of the bundled store, last changed a minute ago (by the file system's clock, not the process's: the
    suite also runs with a travelling clock)."""
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    copied = os.stat(db)
    os.utime(db, ns=(copied.st_atime_ns, copied.st_mtime_ns - 60_000_000_000))
    return db


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_store_as_a_report_left_it_is_not_opened_for_the_same_report(tmp_path, own_cache, settled_store,
                                                                      monkeypatch):
    from mindshare import api, session

    chosen = settings_module.read().with_store(settled_store)
    with settings_module.using(chosen):
        api.write_report_folder(chosen, load_field(), tmp_path / "first", png=False)

        def opened(*args, **kwargs):
            raise AssertionError("the store was opened")

        monkeypatch.setattr(session, "open_session", opened)
        api.write_report_folder(chosen, load_field(), tmp_path / "again", png=False)
    assert _files(tmp_path / "first") == _files(tmp_path / "again")


def test_a_changed_store_is_read_again(own_cache, settled_store):
    field = load_field()
    before = build.store_state_before_reading(settled_store)
    build.remember_store_digest(settled_store, field, before, "digest of the store")
    assert build.remembered_store_digest(settled_store, field) == "digest of the store"
    with open(settled_store, "ab") as store:   # any write changes the file's size or times
        store.write(b"\0")
    assert build.remembered_store_digest(settled_store, field) is None


def test_a_store_changed_a_moment_ago_is_not_remembered(own_cache, tmp_path, bundled_store_path):
    """A write in the same tick of the clock as the last one would leave the file's times as they were: a digest
    read so soon after a change is not remembered (the next report opens the store and remembers it then)."""
    db = tmp_path / "fresh.duckdb"
    shutil.copy(bundled_store_path, db)   # changed just now
    build.remember_store_digest(db, load_field(), build.store_state_before_reading(db), "digest of the store")
    assert build.remembered_store_digest(db, load_field()) is None


def test_a_digest_is_not_remembered_when_the_store_changed_while_it_was_read(own_cache, settled_store):
    before = build.store_state_before_reading(settled_store)
    os.utime(settled_store, None)   # a writer, between the look at the file and the end of the read
    build.remember_store_digest(settled_store, load_field(), before, "digest of the store")
    assert build.remembered_store_digest(settled_store, load_field()) is None
