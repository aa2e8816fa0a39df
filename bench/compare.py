"""`mindshare compare` beside the import anchor `python -c "import mindshare.cli"`, in one run.

    .venv/bin/python bench/compare.py [--runs 7] [--inflate 10]

What is timed, each the whole command a user types (`python -m mindshare compare ...`, the answer printed to a
pipe), each in a fresh process:

- warm: the same compare run before on this store and this day, so its answer is in the answer cache (the issue's
  goal: <= 5x the anchor);
- first use on a fresh store: no store and an empty cache (a new folder each round), so the names are resolved, the
  history read, the analysis run and the answer printed (goal: <= 15x). The contenders are none the bundled dataset
  covers, so no store is created;
- new names on a warm store: a store with the bundled dataset loaded, the answer not cached;
- first use for contenders the bundle covers (torch tensorflow): the bundled dataset is loaded into a new store
  first (once per store), which is what such a first use costs;
- with `--inflate N`: first use again, on a history N times the size (every PyPI project and GitHub repository
  copied N times under other names, bench/compare_prep.py's copy): the time and peak must not grow with it.

The anchor and the cases run in turn, round by round, so a machine whose speed drifts moves them all alike; each
figure is the median of the rounds, each ratio the median of the round-by-round ratios to the anchor. Peak memory
is each child's own high-water mark (its resident set, from wait4's rusage). Bytecode is written beforehand (a
warm-up round), as a user's second run finds it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
BENCH = Path(__file__).resolve().parent
GOAL_WARM, GOAL_FIRST, GOAL_MB = 5.0, 15.0, 300.0
NAMES = ["polars", "pandas"]


def run_child(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """As `timed`, reaping the child with wait4 so that its own rusage (not the sum of all children) is read."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    error = child.stderr.read().decode() if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(command[-4:])} failed ({child.returncode}): {error[-800:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inflate", type=int, default=10, help="also first use on a history this many times the size")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "MINDSHARE_DB",
                                                              "MINDSHARE_CACHE")}
    compare = [PY, "-m", "mindshare", "compare"]
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)

        def env_for(folder: Path, **extra: str) -> dict[str, str]:
            return {**base, "MINDSHARE_DB": str(folder / "store.duckdb"), "MINDSHARE_CACHE": str(folder / "cache"),
                    **extra}

        warm = scratch / "warm"
        bundled = scratch / "bundled"
        inflated_env: dict[str, str] = {}
        if args.inflate > 1:
            folder = scratch / "history"
            subprocess.run([PY, str(BENCH / "compare_prep.py"), "--build-inflated", str(args.inflate), str(folder)],
                           check=True, env=base)
            inflated_env = {"MINDSHARE_HISTORY_FOLDER": str(folder)}
        # warm-up: bytecode written; the warm case's answer cached; the bundled store made
        run_child(compare + NAMES, env_for(warm))
        run_child([PY, "-m", "mindshare", "snapshots"], env_for(bundled))
        round_number = [0]

        def fresh(tag: str, **extra: str) -> dict[str, str]:
            round_number[0] += 1
            return env_for(scratch / f"{tag}-{round_number[0]}", **extra)

        def bundled_store_fresh_cache() -> dict[str, str]:
            round_number[0] += 1
            return {**env_for(bundled), "MINDSHARE_CACHE": str(scratch / f"cache-{round_number[0]}")}

        cases = {
            'python -c "import mindshare.cli" (anchor)': lambda: ([PY, "-c", "import mindshare.cli"], env_for(warm)),
            "compare polars pandas, warm (answer cached)": lambda: (compare + NAMES, env_for(warm)),
            "compare polars pandas, first use (no store, no cache)": lambda: (compare + NAMES, fresh("first")),
            "compare fastapi flask django, first use": lambda: (compare + ["fastapi", "flask", "django"],
                                                                fresh("first3")),
            "compare polars pandas, store with the bundle, not cached": lambda: (compare + NAMES,
                                                                                  bundled_store_fresh_cache()),
            "compare torch tensorflow, first use (bundle loaded)": lambda: (compare + ["torch", "tensorflow"],
                                                                           fresh("dl")),
        }
        if inflated_env:
            cases[f"compare polars pandas, first use, history x{args.inflate}"] = lambda: (
                [PY, str(BENCH / "compare.py"), "--inflated-child", *NAMES], fresh("inflated", **inflated_env))
        for case in list(cases.values())[2:]:          # their imports warm too (the page cache, bytecode)
            run_child(*case())
        times: dict[str, list[float]] = {name: [] for name in cases}
        peaks: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, case in cases.items():
                elapsed, peak = run_child(*case())
                times[name].append(elapsed)
                peaks[name].append(peak)
        for leftover in scratch.glob("first*"):
            shutil.rmtree(leftover, ignore_errors=True)
    anchor = times['python -c "import mindshare.cli" (anchor)']
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  runs: {args.runs}")
    for name in cases:
        ratios = [t / a for t, a in zip(times[name], anchor)]
        print(f"{name:64} {statistics.median(times[name]):6.3f} s  x{statistics.median(ratios):5.1f} the anchor  "
              f"peak {statistics.median(peaks[name]):5.0f} MB (max {max(peaks[name]):.0f})")
    print(f"goals: warm <= {GOAL_WARM:.0f}x the anchor, first use <= {GOAL_FIRST:.0f}x, peak <= {GOAL_MB:.0f} MB")


def inflated_child(names: list[str]) -> None:
    """A compare whose history reader reads the inflated copy (MINDSHARE_HISTORY_FOLDER), as the CLI runs it."""
    import runpy

    import mindshare.history as history

    folder = Path(os.environ["MINDSHARE_HISTORY_FOLDER"])
    history.history_folder = lambda: folder
    sys.argv = ["mindshare", "compare", *names]
    try:
        runpy.run_module("mindshare", run_name="__main__")
    except SystemExit as exc:
        if exc.code:
            raise


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inflated-child":
        inflated_child(sys.argv[2:])
    else:
        main()
