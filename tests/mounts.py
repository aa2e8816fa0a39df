"""Small file systems for the tests of full disks and read-only stores: a tmpfs of a given size, mounted for the
test and unmounted after it. Mounting needs root (CI and this machine run as root); elsewhere the test is skipped.
"""

from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "300k") mounted at `where` (created) for the block."""
    where.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def make_read_only(where: Path) -> None:
    """Remount the tmpfs at `where` read-only: even root cannot write there (as a user without permission)."""
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
