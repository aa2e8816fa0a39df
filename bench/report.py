"""Time `mindshare report` on the bundled data: cold (new store, empty render cache) and warm.

Prints each figure beside its anchor: the goal (a warm build under 3 s on a 2-core machine) and the cost of
starting Python and importing mindshare, which every command pays.

Warm means what a user's second run is: Python's bytecode cache written. Where the environment sets
PYTHONDONTWRITEBYTECODE (this workplace's sandbox does), every run would compile mindshare's sources again
(~0.5 s), so the variable is removed for the timed commands; `--keep-env` keeps it.

    .venv/bin/python bench/report.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_WARM_SECONDS = 3.0


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-env", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        env = {**os.environ, "MINDSHARE_DB": str(scratch_path / "bench.duckdb"),
               "MINDSHARE_CACHE": str(scratch_path / "cache")}
        if not args.keep_env:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        report = [sys.executable, "-m", "mindshare", "report", "--out", str(scratch_path / "report")]
        startup = [sys.executable, "-c", "import mindshare.cli"]
        cold = timed(report, env)
        warm = [timed(report, env) for _ in range(args.runs)]
        imports = [timed(startup, env) for _ in range(args.runs)]
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  "
          f"bytecode cache: {'off' if 'PYTHONDONTWRITEBYTECODE' in env else 'on'}")
    print(f"cold report (new store, bundle import, empty chart cache): {cold:6.2f} s")
    print(f"warm report, median of {args.runs}:                          {statistics.median(warm):6.2f} s"
          f"   (goal < {GOAL_WARM_SECONDS:.1f} s; min {min(warm):.2f} s, max {max(warm):.2f} s)")
    print(f"anchor: python start + import mindshare.cli, median:      {statistics.median(imports):6.2f} s")


if __name__ == "__main__":
    main()
