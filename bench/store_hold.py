"""Benchmark how long `mindshare report` holds the store's file, beside how long the report takes (the anchor),
in the same run.

    .venv/bin/python bench/store_hold.py [--runs 5] [--before REF]

DuckDB lets one process write a file or many read it, by POSIX locks on the file: while a process holds it
read-write, every other process that opens the store waits or fails (issue 24: a report held the shared default
store for most of its run, and `make report` in a second checkout failed). This starts `mindshare report` on a
copy of a store holding the bundled dataset (a warm render cache: one report first) and, from this process,
asks the kernel every 2 ms whether any process holds a lock on the file (fcntl F_GETLK, which takes none itself),
and of which kind: a read lock (other readers go on; writers wait) or a write lock (everyone waits).

Printed per variant, the median of the runs: the report's wall time (the anchor), the time the file was held at
all and held read-write, each also as a share of the report; and when the file was first taken and last let go.
--before REF runs the same report from git revision REF's src/ as well, round by round in turn.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PROBE_SECONDS = 0.002
_FLOCK = "hhqqi4x"  # struct flock on Linux x86-64/arm64: l_type, l_whence, l_start, l_len, l_pid


@dataclass
class Holding:
    wall: float
    held: float
    written: float
    first: float | None
    last: float | None


def lock_on(fd: int) -> int:
    """The kind of lock another process holds on the whole file: F_RDLCK, F_WRLCK or F_UNLCK (none)."""
    asked = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
    return struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, asked))[0]


def watch_report(env: dict[str, str], store: Path, out: Path) -> Holding:
    fd = os.open(store, os.O_RDWR)
    held = written = 0.0
    first = last = None
    try:
        started = time.perf_counter()
        report = subprocess.Popen([PY, "-m", "mindshare", "report", "--out", str(out)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        before = started
        while report.poll() is None:
            now = time.perf_counter()
            kind = lock_on(fd)
            if kind != fcntl.F_UNLCK:
                held += now - before
                written += (now - before) if kind == fcntl.F_WRLCK else 0.0
                first = now - started if first is None else first
                last = now - started
            before = now
            time.sleep(PROBE_SECONDS)
        wall = time.perf_counter() - started
        if report.returncode != 0:
            raise SystemExit(f"the report failed: {report.stderr.read()}")
    finally:
        os.close(fd)
    return Holding(wall, held, written, first, last)


def export(ref: str, folder: Path) -> Path:
    """git revision `ref`'s src/ in `folder`, with the built native matcher copied in."""
    archive = subprocess.run(["git", "archive", ref, "src"], capture_output=True, cwd=REPO, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    for built in (REPO / "src" / "mindshare" / "scan").glob("_native*.so"):
        shutil.copy(built, folder / "src" / "mindshare" / "scan" / built.name)
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="REF", help="Also run the report from this git revision.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="store-hold-") as work:
        work = Path(work)
        base = {k: v for k, v in os.environ.items() if k not in ("MINDSHARE_DB", "PYTHONPATH")}
        base["MINDSHARE_CACHE"] = str(work / "cache")
        bundled = work / "bundled.duckdb"
        subprocess.run([PY, "-m", "mindshare", "--db", str(bundled), "snapshots"], env=base, check=True,
                       capture_output=True)
        variants = {"this checkout": base}
        if options.before:
            variants[f"at {options.before}"] = {**base, "PYTHONPATH": str(export(options.before, work))}
        results: dict[str, list[Holding]] = {name: [] for name in variants}
        for round_ in range(options.runs + 1):  # round 0 warms the render cache and the files
            for name, env in variants.items():
                store = work / "run.duckdb"
                shutil.copy(bundled, store)
                measured = watch_report({**env, "MINDSHARE_DB": str(store)}, store, work / "report")
                if round_:
                    results[name].append(measured)
                store.unlink()
                store.with_name(store.name + ".wal").unlink(missing_ok=True)
    print(f"load average {os.getloadavg()[0]:.2f}; {options.runs} runs; medians; probed every "
          f"{PROBE_SECONDS * 1000:.0f} ms")
    print(f"{'':<34} {'report s (anchor)':>17} {'held s':>7} {'held %':>7} {'read-write s':>12} "
          f"{'first s':>8} {'last s':>7}")
    for name, runs in results.items():
        median = lambda values: statistics.median(values) if values else float("nan")  # noqa: E731
        wall = median([r.wall for r in runs])
        held = median([r.held for r in runs])
        print(f"{name:<34} {wall:>17.2f} {held:>7.3f} {100 * held / wall:>6.1f}% "
              f"{median([r.written for r in runs]):>12.3f} "
              f"{median([r.first for r in runs if r.first is not None]):>8.2f} "
              f"{median([r.last for r in runs if r.last is not None]):>7.2f}")


if __name__ == "__main__":
    main()
