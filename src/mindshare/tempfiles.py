"""mindshare's temporary files: under its own cache folder, one folder per process, swept when that process is gone.

A survey import unzips a 20-35 MB CSV to a temporary folder, and a scan's process pool (multiprocessing) keeps
its sockets in one (`pymp-*`). A run killed with SIGKILL cannot remove them. So every command (mindshare.cli)
makes `<cache>/tmp/<host>-<pid>-<start>/` the process's temporary folder — Python's `tempfile` (and with it
multiprocessing's) and TMPDIR for the programs it starts — and first removes the folders of earlier processes
that no longer run. The folder is named by the host (a cache on a shared home is swept only by its own machine)
and the process's start time as well as its PID (a PID used again by a newer process does not keep an old
folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from mindshare.settings import Settings, exported

@contextmanager
def temporary_folder(settings: Settings) -> Iterator[Path | None]:
    """Make a folder under the settings' `temporary_dir` (the cache's `tmp`) this process's temporary folder while the block runs, after sweeping
    the folders of processes that are gone; afterwards restore the previous one, and remove the folder if it is
    empty (multiprocessing removes its own `pymp-*` only at exit: the next run sweeps what is left). Yields None
    (and changes nothing) when the cache cannot be written: the system's temporary folder serves then."""
    root = settings.temporary_dir
    sweep(root)
    mine = root / _name(os.getpid())
    try:
        mine.mkdir(parents=True, exist_ok=True)
    except OSError:
        yield None
        return
    before = tempfile.tempdir
    tempfile.tempdir = str(mine)
    try:
        with exported("TMPDIR", str(mine)):
            yield mine
    finally:
        tempfile.tempdir = before
        try:
            mine.rmdir()
        except OSError:
            pass


def sweep(root: Path) -> list[Path]:
    """Remove the folders under `root` whose process is gone (on this host); returns those removed."""
    removed = []
    try:
        folders = list(root.iterdir())
    except OSError:
        return removed
    host = _host()
    for folder in folders:
        owner = _owner(folder.name, host)
        if owner is not None and not _running(*owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _name(pid: int) -> str:
    return f"{_host()}-{pid}-{_start_of(pid) or 0}"


def _owner(name: str, host: str) -> tuple[int, int] | None:
    """(pid, start time) of a folder this module made on this host, else None (not ours to sweep)."""
    rest = name.removeprefix(host + "-")
    if rest == name:
        return None
    pid, _, start = rest.partition("-")
    if not (pid.isdigit() and start.isdigit()):
        return None
    return int(pid), int(start)


def _running(pid: int, start: int) -> bool:
    """Process `pid` runs and is the one that made the folder (same start time, where the system tells it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    now = _start_of(pid)
    return not (start and now and now != start)


def _start_of(pid: int) -> int | None:
    """When process `pid` started, in clock ticks since boot (Linux's /proc/PID/stat, field 22); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name, in brackets, may hold spaces
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def _host() -> str:
    return "".join(c if c.isalnum() else "_" for c in socket.gethostname()) or "host"
