"""Temporary files live under mindshare's cache, one folder per process, and the next run sweeps the folders of
processes that are gone (issue 24: a `survey import` killed mid-unzip left a 20-35 MB CSV in /tmp, a killed
scan its multiprocessing folder). The kills are real: SIGKILL to the `mindshare` process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SHARED

from mindshare import settings, tempfiles

MINDSHARE = [sys.executable, "-m", "mindshare"]
KAGGLE_2019 = SHARED / "surveys" / "raw" / "kaggle_survey_2019.zip"
PAPERS = SHARED / "corpus" / "papers"


def needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared real files beside the checkout)")
    return path


_MADE: list[Path] = []


def short_folder() -> Path:
    """A folder with a short path (a socket's path must fit below it), as /tmp and a user's cache are; removed
    after the test."""
    _MADE.append(Path(tempfile.mkdtemp(prefix="ms-", dir="/tmp")))
    return _MADE[-1]


@pytest.fixture(autouse=True)
def _remove_short_folders():
    yield
    while _MADE:
        shutil.rmtree(_MADE.pop(), ignore_errors=True)


def user(tmp_path: Path, cache: Path | None = None) -> dict[str, str]:
    """A user with their own cache (by default a short path), and a system temporary folder (TMPDIR) in which
    mindshare may make nothing but its own `mindshare-<uid>` folder."""
    system_tmp = short_folder()
    cache = cache or short_folder() / "cache"
    return {**os.environ, "MINDSHARE_CACHE": str(cache), "TMPDIR": str(system_tmp),
            "MINDSHARE_DB": str(tmp_path / "s.duckdb")}


def killed_when(process: subprocess.Popen, pattern: str, root: Path, min_bytes: int = 0) -> Path:
    """SIGKILL `process` as soon as a path matching `pattern` under `root` appears (and holds `min_bytes`)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        found = [p for p in root.glob(pattern) if min_bytes == 0 or p.is_file() and p.stat().st_size >= min_bytes]
        if found:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return found[0]
        time.sleep(0.005)
    process.kill()
    raise AssertionError(f"{pattern} never appeared under {root}: {process.communicate()[1]}")


def the_next_run_sweeps(env: dict[str, str]) -> None:
    result = subprocess.run([*MINDSHARE, "fields"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    cache_tmp = Path(env["MINDSHARE_CACHE"]) / "tmp"
    assert not cache_tmp.exists() or list(cache_tmp.iterdir()) == []
    system_tmp = Path(env["TMPDIR"])
    assert [p.name for p in system_tmp.iterdir()] in ([], [f"mindshare-{os.getuid()}"])
    assert not list(system_tmp.glob("*/*"))


def test_a_survey_import_killed_mid_unzip_leaves_nothing_after_the_next_run(tmp_path):
    env = user(tmp_path)
    cache = Path(env["MINDSHARE_CACHE"])
    importing = subprocess.Popen([*MINDSHARE, "survey", "import", str(needs(KAGGLE_2019)), "--source", "kaggle",
                                  "--year", "2019"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env)
    left = killed_when(importing, "tmp/*/mindshare-import-*/*.csv", cache, min_bytes=1 << 20)
    assert left.exists() and left.parent.parent.name.split("-")[-2] == str(importing.pid)   # the killed one's
    assert list(Path(env["TMPDIR"]).iterdir()) == []   # nothing went to the system's temporary folder
    the_next_run_sweeps(env)


@pytest.mark.parametrize("where", ["cache", "deep cache"])
def test_a_scan_killed_with_its_process_pool_leaves_nothing_after_the_next_run(tmp_path, where):
    """The pool's sockets (`pymp-*/listener-*`) are bound in the temporary folder; below a cache too deep for a
    socket's path, in mindshare's folder of the system's temporary folder instead (it was 'OSError: AF_UNIX path
    too long')."""
    deep = tmp_path / ("a-folder-deep-enough-that-no-unix-socket-fits-below-it-" * 2) / "cache"
    env = user(tmp_path, deep if where == "deep cache" else None)
    root = Path(env["MINDSHARE_CACHE"]) if where == "cache" else Path(env["TMPDIR"])
    pattern = "tmp/*/pymp-*/listener-*" if where == "cache" else f"mindshare-{os.getuid()}/*/pymp-*/listener-*"
    scanning = subprocess.Popen([*MINDSHARE, "scan", str(needs(PAPERS)), "--workers", "2", "--batch", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    left = killed_when(scanning, pattern, root)
    assert left.is_socket()
    deadline = time.monotonic() + 30   # the pool's workers notice their scan is gone and end
    while time.monotonic() < deadline and _processes_with(str(left.parent.parent)):
        time.sleep(0.1)
    the_next_run_sweeps(env)


def _processes_with(text: str) -> list[int]:
    """PIDs whose environment names `text` (the pool's forkserver and workers inherit TMPDIR)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_command_works_in_its_own_folder_and_leaves_none():
    chosen = replace(settings.read(), cache_root=short_folder() / "cache")
    before = tempfile.gettempdir()
    with tempfiles.temporary_folder(chosen) as mine:
        assert mine.parent == chosen.cache_root / "tmp"
        assert tempfile.gettempdir() == str(mine) and os.environ["TMPDIR"] == str(mine)
        with tempfile.TemporaryDirectory() as inner:
            assert Path(inner).parent == mine
    assert tempfile.gettempdir() == before and not mine.exists()


def test_the_sweep_keeps_the_folders_of_running_processes_and_what_is_not_its_own(tmp_path):
    root = tmp_path / "tmp"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        running = root / tempfiles._name(alive.pid)
        dead = root / tempfiles._name(gone.pid)
        reused = root / f"{tempfiles._host()}-{alive.pid}-1"          # the PID, but an earlier process's start
        other_host = root / f"elsewhere-{gone.pid}-1"                  # a shared cache: another machine's
        not_ours = root / "something-else"
        for folder in (running, dead, reused, other_host, not_ours):
            (folder / "x").mkdir(parents=True)
        assert sorted(tempfiles.sweep(root)) == sorted([dead, reused])
        assert sorted(root.iterdir()) == sorted([running, other_host, not_ours])
    finally:
        alive.kill()
        alive.wait()


def test_a_cache_too_deep_for_a_socket_or_unwritable_gives_way_to_mindshares_folder_in_the_system_one(tmp_path):
    system = short_folder()
    blocker = short_folder() / "cache"
    blocker.write_text("a file where the cache folder would be")
    deep = tmp_path / ("deep-" * 20) / "cache"
    tempdir = tempfile.tempdir
    tempfile.tempdir = str(system)
    try:
        for cache in (deep, blocker):
            with tempfiles.temporary_folder(replace(settings.read(), cache_root=cache)) as mine:
                assert mine.parent == system / f"mindshare-{os.getuid()}"
                assert len(str(mine)) <= tempfiles.LONGEST
        tempfile.tempdir = str(tmp_path / ("deep-" * 20))   # nowhere serves: nothing changes
        with tempfiles.temporary_folder(replace(settings.read(), cache_root=deep)) as mine:
            assert mine is None and tempfile.tempdir == str(tmp_path / ("deep-" * 20))
    finally:
        tempfile.tempdir = tempdir
