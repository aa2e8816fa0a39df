"""What the scan's tests share: a scan killed with SIGKILL once it has printed some of its --json lines."""

from __future__ import annotations

import signal
import subprocess


def kill_after_lines(command: list[str], lines: int) -> None:
    """Run `command` (a `mindshare scan ... --json`) and kill -9 it once it has printed `lines` lines: --json
    prints each document as its batch comes back, before or after its rows are committed, so the kill lands
    mid-run whatever the machine's load. Fails when the scan ends first."""
    scan = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        for _ in range(lines):
            assert scan.stdout.readline(), "the scan ended before it was killed"
        scan.send_signal(signal.SIGKILL)
    finally:
        scan.kill()
        scan.wait()
        scan.stdout.close()
