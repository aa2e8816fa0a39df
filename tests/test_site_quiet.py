"""A publish with no new data on the same day (site.identity): when the store, field, options, day and code are those
of the last publish and the folder holds what it left, the publish makes nothing (no page rendered, the store not
even opened once its digest is remembered) and changes no file; anything else is a full publish, which repairs a
file deleted or edited.

Publishes run in this process on given days (time-machine), as in test_site_publish.py: the suite's travelling
clock (MINDSHARE_TEST_TODAY) changes nothing here.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from site_steps import files_of, import_new_job_counts
from site_steps import publish_on as publish

BASE = "https://example.org/mindshare/"
DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 8)


def settle(db: Path) -> None:
    """The store last changed a minute ago (by the file system's clock), so its digest may be remembered."""
    now = os.stat(db)
    os.utime(db, ns=(now.st_atime_ns, now.st_mtime_ns - 60_000_000_000))


@pytest.fixture
def store(tmp_path, bundled_store_path) -> Path:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_store_path, db)
    settle(db)
    return db


@pytest.fixture
def made(monkeypatch):
    """Counts the sites made (site.publish.site_files), which a quiet publish must not call."""
    from mindshare.site import publish as site_publish

    calls = []
    real = site_publish.site_files

    def counted(*args, **kwargs):
        calls.append(kwargs.get("today"))
        return real(*args, **kwargs)

    monkeypatch.setattr(site_publish, "site_files", counted)
    return calls


OPTIONS = ("--base-url", BASE, "--history", "2")


def test_a_quiet_publish_makes_nothing_and_changes_no_file(tmp_path, store, made, monkeypatch):
    from mindshare import session
    from mindshare.report import render

    site = tmp_path / "site"
    first = publish(store, site, DAY1, *OPTIONS)
    assert "files written" in first and len(made) == 1
    before = files_of(site)
    settle(store)   # the first publish opened the store for writing; a minute later it has settled

    def refused(*args, **kwargs):
        raise AssertionError("a quiet publish rendered a page")

    monkeypatch.setattr(render, "render_html", refused)
    monkeypatch.setattr(render, "render_sources_html", refused)
    # the store's digest is not remembered yet: this publish opens the store, finds the identity and stops there
    again = publish(store, site, DAY1, *OPTIONS)
    assert len(made) == 1
    assert "published 2026-12-01" in again and "nothing changed" in again
    assert files_of(site) == before            # not a byte, not a file time, the manifest too

    def opened(*args, **kwargs):
        raise AssertionError("a quiet publish opened the store")

    monkeypatch.setattr(session, "open_session", opened)
    third = publish(store, site, DAY1, *OPTIONS)
    assert len(made) == 1
    assert third.splitlines()[0].split(": ", 1)[1] == first_nothing(before)
    assert files_of(site) == before


def first_nothing(files: dict) -> str:
    """What a publish that changed nothing says of the site: every file of today's publish, unchanged."""
    made = [path for path in files if not path.startswith(".") and not path.startswith("2026-11")]
    return f"nothing changed ({len(made)} files)"


def test_a_deleted_or_edited_file_is_repaired_by_the_next_publish(tmp_path, store, made):
    site = tmp_path / "site"
    publish(store, site, DAY1, *OPTIONS)
    good = {path: body for path, (body, _) in files_of(site).items()}
    (site / "badge" / "downloads.svg").unlink()
    publish(store, site, DAY1, *OPTIONS)
    assert len(made) == 2
    (site / "index.html").write_bytes(b"edited")
    out = publish(store, site, DAY1, *OPTIONS)
    assert len(made) == 3 and "1 files written" in out
    assert {path: body for path, (body, _) in files_of(site).items()} == good
    publish(store, site, DAY1, *OPTIONS)
    assert len(made) == 3                     # repaired: quiet again


def test_an_edited_manifest_or_earlier_answer_is_a_full_publish(tmp_path, store, made):
    site = tmp_path / "site"
    publish(store, site, DAY1, *OPTIONS)
    publish(store, site, DAY2, *OPTIONS)
    assert len(made) == 2
    earlier = site / "2026-12-01" / "results.json"
    earlier.write_bytes(earlier.read_bytes().replace(b'"generated_at"', b' "generated_at"', 1))
    publish(store, site, DAY2, *OPTIONS)      # the archive reads each earlier permalink's answer
    assert len(made) == 3
    manifest = site / ".mindshare-site.json"
    manifest.write_bytes(manifest.read_bytes() + b"\n")
    publish(store, site, DAY2, *OPTIONS)
    assert len(made) == 4
    publish(store, site, DAY2, *OPTIONS)
    assert len(made) == 4


@pytest.mark.parametrize("other", [("--history", "1"), ("--base-url", "https://example.org/elsewhere/"),
                                   ("--contenders", "pytorch,tensorflow")])
def test_another_option_is_a_full_publish(tmp_path, store, made, other):
    site = tmp_path / "site"
    options = dict(zip(OPTIONS[::2], OPTIONS[1::2]))
    publish(store, site, DAY1, *OPTIONS)
    options.update({other[0]: other[1]})
    publish(store, site, DAY1, *[part for pair in options.items() for part in pair])
    assert len(made) == 2


def test_another_day_or_new_data_is_a_full_publish(tmp_path, store, made):
    site = tmp_path / "site"
    publish(store, site, DAY1, *OPTIONS)
    week = publish(store, site, DAY2, *OPTIONS)
    assert made == [DAY1, DAY2] and "published 2026-12-08" in week and "files written" in week
    assert (site / "2026-12-01" / "index.html").is_file() and (site / "2026-12-08" / "index.html").is_file()
    import_new_job_counts(store, tmp_path)
    settle(store)
    new = publish(store, site, DAY2, *OPTIONS)
    assert made == [DAY1, DAY2, DAY2] and "published 2026-12-08-2" in new
