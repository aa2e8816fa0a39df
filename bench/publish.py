"""Time `mindshare publish SITE --history 24` on the bundled data, beside its anchors, in one run.

Anchors: the import anchor (`python -c "import mindshare.cli"`, what every command pays) and one warm `mindshare
report` with no new data (the same store and cache again), both measured here. Issue 23's goal: `publish --history
24` at most 10x one warm report. Three publishes, each timed as a user runs it:

- first: a new store and an empty cache (the report, the 24 month ends and every image made for the first time);
- again, with no new data, the same day (median of --runs; it must change no file): the first of them opens the store
  to learn its digest (the first publish changed the store a moment before: too soon to remember it), the others
  find the site's identity (site.identity) without opening it; each run's time is printed too;
- after new data (a CSV of job counts imported: a new snapshot, as a collection makes): today's report is built
  again, each month end's figures are read again, but none is analysed again (they were all published before).

    .venv/bin/python bench/publish.py [--runs 3] [--history 24]

PYTHONDONTWRITEBYTECODE is removed for the timed commands (as bench/report.py does: a user's second run has its
bytecode cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

GOAL_TIMES_A_WARM_REPORT = 10.0


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--history", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        env = {**os.environ, "MINDSHARE_DB": str(root / "bench.duckdb"), "MINDSHARE_CACHE": str(root / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        mindshare = [sys.executable, "-m", "mindshare"]
        startup = [sys.executable, "-c", "import mindshare.cli"]
        report = [*mindshare, "report", "--out", str(root / "report")]
        publish = [*mindshare, "publish", str(root / "site"), "--base-url", "https://example.org/mindshare/",
                   "--history", str(args.history)]

        imports = [timed(startup, env)[0] for _ in range(args.runs)]
        first, first_said = timed(publish, env)
        timed(report, env)                                   # the report folder's first copy
        warm_reports = [timed(report, env)[0] for _ in range(args.runs)]
        again = [timed(publish, env) for _ in range(args.runs)]
        counts = root / "counts.csv"
        day = date.today() - timedelta(days=1)
        counts.write_text(f"site,country,date,query,contender,count\nIndeed,US,{day},machine learning pytorch,"
                          f"pytorch,4321\nIndeed,US,{day},machine learning tensorflow,tensorflow,2100\n")
        subprocess.run([*mindshare, "import", str(counts)], check=True, env=env, capture_output=True)
        new_data, new_said = timed(publish, env)
        imports += [timed(startup, env)[0] for _ in range(args.runs)]

    anchor = statistics.median(imports)
    warm = statistics.median(warm_reports)
    quiet = statistics.median(seconds for seconds, _ in again)
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  history: {args.history} months")
    print(f"anchor: python start + import mindshare.cli, median of {len(imports)}: {anchor:6.2f} s")
    print(f"anchor: a warm `mindshare report`, no new data, median of {args.runs}: {warm:6.2f} s = "
          f"{warm / anchor:4.1f}x the import anchor")
    rows = [("first publish (new store, empty cache)", first, first_said),
            (f"publish again, no new data (median of {args.runs})", quiet, again[-1][1]),
            ("publish after new data (a new snapshot)", new_data, new_said)]
    for what, seconds, said in rows:
        print(f"{what:52s} {seconds:7.2f} s = {seconds / warm:5.1f}x a warm report = {seconds / anchor:5.1f}x the "
              f"import anchor   [{said}]")
    print(f"  (publish again, each run: {', '.join(f'{seconds:.2f} s' for seconds, _ in again)})")
    print(f"goal: publish --history {args.history} <= {GOAL_TIMES_A_WARM_REPORT:.0f}x one warm report "
          f"(no new data: {quiet / warm:.1f}x; after new data: {new_data / warm:.1f}x)")


if __name__ == "__main__":
    main()
