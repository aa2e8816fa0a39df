"""Waiting for a store another process holds.

DuckDB lets one process write a file or many read it, and refuses an open that conflicts with a lock another
process holds ("Could not set lock on file ...: Conflicting lock is held in /usr/bin/python3 (PID 123)"). The
store (mindshare.store) holds the file only for one transaction or one consistent read, so a conflict is short;
`retry_while_locked` waits it out, up to the settings' lock wait (MINDSHARE_LOCK_WAIT), and says on stderr who it
is waiting for ("waiting for the store, held by PID 123 (mindshare scan)") with the seconds waited, then gives up
with one line naming MINDSHARE_LOCK_WAIT.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable, TypeVar

import duckdb

from mindshare.errors import StoreLockedError
from mindshare.settings import ENV_LOCK_WAIT

T = TypeVar("T")

# A wait shorter than this is not worth a line (another process's transaction or consistent read).
SAY_AFTER_SECONDS = 0.5
POLL_SECONDS = 0.1

_HOLDER = re.compile(r"(?:held in (?P<program>\S+) )?\(PID (?P<pid>\d+)\)")
# The root options of `mindshare` that take a value (mindshare.cli): skipped to find the verb a holder runs.
_ROOT_OPTIONS_WITH_VALUE = {"--db", "--cache-dir"}


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB refused to open the file because another process holds a conflicting lock on it."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def holder_of(message: str) -> str:
    """Who holds the store, from DuckDB's lock message: 'PID 123 (mindshare report)', or 'another process'."""
    found = _HOLDER.search(message)
    if not found:
        return "another process"
    pid = int(found["pid"])
    what = _command_of(pid) or (Path(found["program"]).name if found["program"] else "")
    return f"PID {pid} ({what})" if what else f"PID {pid}"


def _parent_of(pid: int) -> int:
    """The parent's PID (0 when the system does not say)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _command_of(pid: int, depth: int = 0) -> str:
    """'mindshare VERB' for a mindshare process, else the program's name; '' when the system does not say. A
    process forked by a multiprocessing forkserver (a scan's store writer, or a worker) is named by the command
    that started its forkserver: 'mindshare scan'."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return ""
    argv = [a for a in argv if a]
    if not argv:
        return ""
    if depth < 3 and any("multiprocessing.forkserver" in arg for arg in argv):
        parent = _parent_of(pid)
        if parent > 1:
            return _command_of(parent, depth + 1)
    for at, arg in enumerate(argv):
        if Path(arg).name == "mindshare" or (arg == "mindshare" and at > 0 and argv[at - 1] == "-m"):
            rest = iter(argv[at + 1:])
            for word in rest:
                if word in _ROOT_OPTIONS_WITH_VALUE:
                    next(rest, None)
                elif not word.startswith("-"):
                    return f"mindshare {word}"
            return "mindshare"
    return Path(argv[0]).name


def retry_while_locked(path: Path, attempt: Callable[[], T], wait_seconds: float) -> T:
    """`attempt()` (an open of the store at `path`), again every POLL_SECONDS while another process holds the file,
    for at most `wait_seconds`; then StoreLockedError, one line naming MINDSHARE_LOCK_WAIT."""
    started = time.monotonic()
    shown = None
    try:
        while True:
            try:
                return attempt()
            except duckdb.IOException as exc:
                if not is_lock_conflict(exc):
                    raise
                holder = holder_of(str(exc))
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                raise StoreLockedError(
                    f"store {path} is in use by another process ({holder}); gave up after {wait_seconds:g} s: set "
                    f"{ENV_LOCK_WAIT} to wait longer (seconds), or use --db to choose another store") from None
            if shown is None and waited >= SAY_AFTER_SECONDS:
                shown = _Progress(path, holder, wait_seconds)
            if shown is not None:
                shown.update(waited)
            time.sleep(min(POLL_SECONDS, max(wait_seconds - waited, 0.01)))
    finally:
        if shown is not None:
            shown.stop()


class _Progress:
    """The waiting line on stderr: said once (a log keeps it), then, on a terminal, the seconds waited."""

    def __init__(self, path: Path, holder: str, wait_seconds: float):
        from mindshare import console

        self.limit = wait_seconds
        console.say(f"waiting for the store, held by {holder}: {path} (giving up after {wait_seconds:g} s; "
                    f"{ENV_LOCK_WAIT} sets how long)")
        live = console.err.is_terminal and console.verbosity() is not console.Verbosity.QUIET
        self.status = console.err.status("") if live else nullcontext()
        self.status.__enter__()

    def update(self, waited: float) -> None:
        if hasattr(self.status, "update"):
            self.status.update(f"waiting for the store: {waited:.0f} s of {self.limit:g} s")

    def stop(self) -> None:
        self.status.__exit__(None, None, None)
