"""The site folder: permalinks written once and never rewritten, nothing mindshare did not write ever touched, and
a second publish of the same site changing no byte and no file time."""

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mindshare.errors import ReportError
from mindshare.site.folder import MANIFEST, SiteFolder, is_permalink


def _tree(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder`: its digest and its modification time in ns."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _site(day: str, answer: bytes) -> dict[str, bytes]:
    return {f"{day}/index.html": answer, f"{day}/results.json": b"{}", "index.html": answer,
            "latest/index.html": f"-> {day}".encode(), "feed.xml": b"<feed/>", "badge/downloads.svg": b"<svg/>"}


def test_a_second_publish_with_no_new_data_changes_nothing(tmp_path):
    site = tmp_path / "site"
    first = SiteFolder(site).write(_site("2026-12-01", b"answer 1"))
    assert sorted(first.written) == sorted(_site("2026-12-01", b"").keys()) and not first.unchanged
    before = _tree(site)
    assert json.loads((site / MANIFEST).read_text())["files"] == sorted(_site("2026-12-01", b""))
    again = SiteFolder(site).write(_site("2026-12-01", b"answer 1"))
    assert again.written == [] and again.removed == [] and len(again.unchanged) == 6
    assert _tree(site) == before            # same bytes, same times: the manifest too


def test_permalinks_stay_as_published(tmp_path):
    site = tmp_path / "site"
    SiteFolder(site).write(_site("2026-12-01", b"answer 1"))
    folder = SiteFolder(site)
    assert folder.permalinks() == ["2026-12-01"]
    done = folder.write(_site("2026-12-02", b"answer 2"))
    assert (site / "2026-12-01" / "index.html").read_bytes() == b"answer 1"
    assert (site / "2026-12-02" / "index.html").read_bytes() == b"answer 2"
    assert (site / "index.html").read_bytes() == b"answer 2" and "index.html" in done.written
    assert SiteFolder(site).permalinks() == ["2026-12-01", "2026-12-02"]
    assert done.removed == []


def test_a_permalink_is_never_rewritten(tmp_path):
    site = tmp_path / "site"
    SiteFolder(site).write(_site("2026-12-01", b"answer 1"))
    before = _tree(site)
    with pytest.raises(ReportError, match="2026-12-01/index.html is a published permalink"):
        SiteFolder(site).write(_site("2026-12-01", b"answer 1, revised"))
    assert _tree(site) == before             # refused before anything was written


def test_a_second_different_publish_on_one_day_gets_its_own_permalink(tmp_path):
    site = tmp_path / "site"
    SiteFolder(site).write(_site("2026-12-01", b"answer 1"))
    folder = SiteFolder(site)
    same = {"index.html": b"answer 1", "results.json": b"{}"}
    assert folder.permalink_for(date(2026, 12, 1), same) == "2026-12-01"
    assert folder.permalink_for(date(2026, 12, 1), {**same, "index.html": b"answer 1b"}) == "2026-12-01-2"
    assert folder.permalink_for(date(2026, 12, 2), same) == "2026-12-02"
    folder.write(_site("2026-12-01-2", b"answer 1b"))
    assert SiteFolder(site).permalinks() == ["2026-12-01", "2026-12-01-2"]
    assert is_permalink("2026-12-01-2/index.html") and not is_permalink("2026-12-01") \
        and not is_permalink("latest/index.html")


def test_what_the_user_added_stays_and_what_mindshare_dropped_goes(tmp_path):
    site = tmp_path / "site"
    SiteFolder(site).write(_site("2026-12-01", b"a") | {"embed/old_chart.svg": b"<svg/>"})
    (site / "CNAME").write_text("mindshare.example.org")
    (site / "embed" / "mine.svg").write_text("<svg/>")
    done = SiteFolder(site).write(_site("2026-12-02", b"b"))
    assert done.removed == ["embed/old_chart.svg"]
    assert (site / "CNAME").exists() and (site / "embed" / "mine.svg").exists()
    assert (site / "2026-12-01" / "index.html").exists()      # dropped from the new set, kept: a permalink
    with pytest.raises(ReportError, match="CNAME is already there and mindshare did not write it"):
        SiteFolder(site).write(_site("2026-12-03", b"c") | {"CNAME": b"other"})
    assert (site / "CNAME").read_text() == "mindshare.example.org" and not (site / "2026-12-03").exists()


@pytest.mark.parametrize("setup, why", [
    (lambda p: (p.mkdir(), (p / "thesis.tex").write_text("x")), "not empty and is not a mindshare site"),
    (lambda p: (p.mkdir(), (p / ".mindshare-report.json").write_text('{"files": []}')), "holds a mindshare report"),
    (lambda p: p.write_text("a file"), "it is a file"),
    (lambda p: (p.mkdir(), (p / MANIFEST).write_text("{not json")), "cannot be read"),
    (lambda p: (p.mkdir(), (p / MANIFEST).write_text('{"permalinks": [], "files": ["../../etc/passwd"]}')), "cannot be read"),
])
def test_a_folder_that_is_not_a_site_is_refused(tmp_path, setup, why):
    path = tmp_path / "out"
    setup(path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(ReportError, match=why) as caught:
        SiteFolder(path).write({"index.html": b"x"})
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_an_empty_folder_is_fine_and_paths_stay_inside(tmp_path):
    (tmp_path / "empty").mkdir()
    SiteFolder(tmp_path / "empty").write({"index.html": b"x"})
    for bad in ("../escape.html", "/etc/x", "a\\b", MANIFEST, "a//b", "dir/"):
        with pytest.raises(ReportError, match="is not a path inside the site"):
            SiteFolder(tmp_path / "empty").write({bad: b"x"})
    assert not (tmp_path / "escape.html").exists()


def test_an_interrupted_publish_still_knows_its_files(tmp_path, monkeypatch):
    site = tmp_path / "site"
    SiteFolder(site).write(_site("2026-12-01", b"a") | {"embed/gone.svg": b"<svg/>"})
    calls = []
    real = SiteFolder._write_file

    def failing(self, name, data):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(self, name, data)

    monkeypatch.setattr(SiteFolder, "_write_file", failing)
    with pytest.raises(ReportError, match="No space left on device"):
        SiteFolder(site).write(_site("2026-12-02", b"b"))
    monkeypatch.setattr(SiteFolder, "_write_file", real)
    listed = set(json.loads((site / MANIFEST).read_text())["files"])
    assert set(_site("2026-12-02", b"")) | {"embed/gone.svg"} <= listed    # old and new together
    assert not [p for p in site.rglob("*.tmp")]
    assert SiteFolder(site).permalinks() == ["2026-12-01"]     # the half-written one is not published yet
    done = SiteFolder(site).write(_site("2026-12-02", b"b"))
    assert done.removed == ["embed/gone.svg"] and (site / "2026-12-02" / "index.html").read_bytes() == b"b"
    assert SiteFolder(site).permalinks() == ["2026-12-01", "2026-12-02"]


def test_temporary_files_of_a_killed_publish_are_swept(tmp_path):
    from mindshare.report.folder import _host

    site = tmp_path / "site"
    SiteFolder(site).write({"index.html": b"x"})
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead = site / f".index.html.mindshare-{_host()}-{finished.stdout.strip()}-abcdef.tmp"
    alive = site / f".feed.xml.mindshare-{_host()}-{os.getpid()}-abcdef.tmp"
    dead.write_bytes(b"half"), alive.write_bytes(b"half")
    SiteFolder(site).write({"index.html": b"x"})
    assert not dead.exists() and alive.exists()
