"""mindshare's temporary files: under its own cache folder, one folder per process, swept when that process is gone.

A survey import unzips a 20-35 MB CSV to a temporary folder, and a scan's process pool (multiprocessing) keeps
its sockets in one (`pymp-*`). A run killed with SIGKILL cannot remove them. So every command (mindshare.cli)
makes `<cache>/tmp/<host>-<pid>-<start>/` the process's temporary folder — Python's `tempfile` (and with it
multiprocessing's) and TMPDIR for the programs it starts — and first removes the folders of earlier processes
that no longer run. The folder is named by the host (a cache on a shared home is swept only by its own machine:
a short digest of the host's name) and the process's start time as well as its PID (a PID used again by a newer
process does not keep an old folder).

A Unix socket's path holds at most 107 bytes, and multiprocessing's go 32 below the temporary folder
(`pymp-XXXXXXXX/listener-XXXXXXXX`): where the cache lies deeper than that allows (or cannot be written), the
process's folder is made in `mindshare-<uid>` under the system's temporary folder instead, and swept alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from mindshare.settings import Settings, exported

# The longest temporary folder under which multiprocessing's sockets still fit in a Unix socket's path.
LONGEST = 107 - len("/pymp-XXXXXXXX/listener-XXXXXXXX")


@contextmanager
def temporary_folder(settings: Settings) -> Iterator[Path | None]:
    """Make a folder under the settings' `temporary_dir` (the cache's `tmp`) this process's temporary folder while
    the block runs, after sweeping the folders of processes that are gone; afterwards restore the previous one, and
    remove the folder if it is empty (multiprocessing removes its own `pymp-*` only at exit: the next run sweeps
    what is left). A cache too deep for multiprocessing's sockets, or one that cannot be written, gives way to
    `mindshare-<uid>` in the system's temporary folder; where neither serves, nothing changes and None is
    yielded."""
    roots = (settings.temporary_dir, Path(tempfile.gettempdir()) / f"mindshare-{os.getuid()}")
    for root in roots:
        sweep(root)
    mine = _made(root / _name(os.getpid()) for root in roots)
    if mine is None:
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


def _made(candidates: Iterable[Path]) -> Path | None:
    """The first of `candidates` short enough for multiprocessing's sockets that could be made."""
    for folder in candidates:
        if len(str(folder)) <= LONGEST:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                return folder
            except OSError:
                continue
    return None


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
    """This machine, in 8 characters (folder names stay short: see LONGEST)."""
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=4).hexdigest()
