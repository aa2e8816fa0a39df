"""What a compare pays before its analysis: resolving the names offline (mindshare.resolve) and reading their rows
from the bundled history (mindshare.history), beside the import anchor `python -c "import mindshare.cli"`.

    .venv/bin/python bench/compare_prep.py [--runs 7] [--inflate 10]

Each case runs in a fresh process that imports what it needs, resolves the names, keeps what is not in doubt
(`Resolution.settled()`) and reads every row the history holds for them (the rows a compare would analyse). The
anchor and the cases run in turn, round by round (A B C A B C ...), so a machine whose speed drifts moves them all
alike; each figure is the median of the rounds, each ratio the median of the round-by-round ratios to the anchor.
Peak memory is the process's own high-water mark (ru_maxrss). Warm means what a user's second run is: Python's
bytecode cache written (PYTHONDONTWRITEBYTECODE is removed for the timed commands, as bench/report.py does).

A second reference is the floor of any step that returns a DataFrame: `import mindshare.cli, pandas` (pandas
imports pyarrow and numpy). Resolution alone imports neither pandas nor pyarrow's dataset layer; reading the rows
returns a DataFrame, so it pays the floor.

The issue's goals are for the whole compare (resolution, read, analysis, answer printed): <= 5x the anchor warm and
<= 300 MB peak whatever the bundle's size. This measures the part this module owns, so the rest of the budget is
what is left. `--inflate N` then repeats one case on a history N times the size (every PyPI project and GitHub
repository copied N times under other names, in a temporary folder): the time and memory of a read must not grow
with it, because only the row groups that can hold the wanted keys are decoded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
ANCHOR = "python -c \"import mindshare.cli\" (anchor)"
FLOOR = "python -c \"import mindshare.cli, pandas\" (a DataFrame's floor)"
CASES = {"polars pandas": ["polars", "pandas"], "fastapi flask django": ["fastapi", "flask", "django"],
         "react vue angular": ["react", "vue", "angular"]}
GOAL_RATIO, GOAL_MB = 5.0, 300.0

# The child: resolve, read, report its own timings and peak memory as one JSON line.
CHILD = r"""
def peak_mb():
    # VmHWM: this process image's own high-water mark (ru_maxrss would carry the forking parent's over exec)
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024
import json, os, re, sys, time
started = time.perf_counter()
folder = os.environ.get("HISTORY_FOLDER")
import mindshare.history as history
if folder:                       # the inflated copy (--inflate): the reader and the index read it instead
    from pathlib import Path
    history.history_folder = lambda: Path(folder)
from mindshare.resolve import resolve_all
imported = time.perf_counter()
found = resolve_all(sys.argv[1:])
resolved = time.perf_counter()
stats = history.ReadStats()
rows = history.observations([f.settled().wanted() for f in found], stats=stats)
read = time.perf_counter()
print(json.dumps({"import": imported - started, "resolve": resolved - imported, "read": read - resolved,
                  "rows": len(rows), "numbers": int(rows["value"].notna().sum()), "stats": stats.line(),
                  "status": [f.status for f in found],
                  "peak_mb": peak_mb()}))
"""


def run(command: list[str], env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    return elapsed, json.loads(last) if last.startswith("{") else {}


def peak_of(command: list[str], env: dict[str, str]) -> float:
    """Peak memory of the anchor: the same command, then its own VmHWM."""
    probe = [*command[:-1], command[-1] + "; import re; print(int(re.search(r'VmHWM:\\s+(\\d+) kB', "
             "open('/proc/self/status').read()).group(1)) / 1024)"]
    return float(subprocess.run(probe, check=True, env=env, capture_output=True, text=True).stdout.strip())


def inflate(times: int, into: Path) -> Path:
    """A copy of the history with every PyPI project and GitHub repository present `times` times (renamed copies
    sorted in among the real ones): a bundle `times` the size, the same wanted rows."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from mindshare.history import history_folder

    source = history_folder()
    shutil.copytree(source, into)
    for name, key in (("pypi_downloads.parquet", "project"), ("github_stars.parquet", "repo")):
        table = pq.read_table(source / name)
        copies = [table] + [table.set_column(table.schema.get_field_index(key), key,
                                             pc.binary_join_element_wise(table[key], pa.scalar(f"-copy{i}"), ""))
                            for i in range(1, times)]
        big = pa.concat_tables(copies).sort_by([(key, "ascending"), ("snapshot", "ascending")])
        pq.write_table(big, into / name, compression="zstd", row_group_size=16384,
                       use_dictionary=[key], write_statistics=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inflate", type=int, default=10, help="also read from a history this many times the size")
    parser.add_argument("--build-inflated", nargs=2, metavar=("TIMES", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_inflated:
        inflate(int(args.build_inflated[0]), Path(args.build_inflated[1]))
        return
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as scratch:
        env.update(MINDSHARE_DB=str(Path(scratch) / "bench.duckdb"), MINDSHARE_CACHE=str(Path(scratch) / "cache"))
        commands = {ANCHOR: [PY, "-c", "import mindshare.cli"],
                    FLOOR: [PY, "-c", "import mindshare.cli, pandas"]}
        commands |= {case: [PY, "-c", CHILD, *names] for case, names in CASES.items()}
        inflated_env = None
        if args.inflate > 1:
            folder = Path(scratch) / "history"      # built in a child: this process (and so its children) stays small
            subprocess.run([PY, __file__, "--build-inflated", str(args.inflate), str(folder)], check=True, env=env)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            inflated_env = {**env, "HISTORY_FOLDER": str(folder)}
            commands[f"polars pandas, history x{args.inflate} ({size:.0f} MB)"] = [PY, "-c", CHILD, "polars", "pandas"]
        for command in commands.values():          # warm-up: bytecode written, files in the page cache
            run(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        details: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                use = inflated_env if name.startswith("polars pandas, history x") else env
                elapsed, detail = run(command, use)
                times[name].append(elapsed)
                if detail:
                    details[name].append(detail)
        anchor_mb = peak_of(commands[ANCHOR], env)
    anchor = times[ANCHOR]
    bundled = sum(p.stat().st_size for p in __import__("mindshare.history").history.history_folder().iterdir())
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  runs: {args.runs}  "
          f"bundled history: {bundled / 1e6:.2f} MB")
    print(f"{ANCHOR:58} {statistics.median(anchor):6.3f} s  peak {anchor_mb:5.0f} MB")
    floor = times[FLOOR]
    print(f"{FLOOR:58} {statistics.median(floor):6.3f} s  "
          f"x{statistics.median([f / a for f, a in zip(floor, anchor)]):4.1f} the anchor  (pandas imports pyarrow)")
    for name in list(commands)[2:]:
        ratios = [t / a for t, a in zip(times[name], anchor)]
        d = {**details[name][-1], **{k: statistics.median(r[k] for r in details[name])
                                      for k in ("import", "resolve", "read", "peak_mb")}}
        print(f"{'resolve + read: ' + name:58} {statistics.median(times[name]):6.3f} s  "
              f"x{statistics.median(ratios):4.1f} the anchor  peak {d.get('peak_mb', 0):5.0f} MB   "
              f"(in-process medians: imports {d.get('import', 0):.3f} s, resolve {d.get('resolve', 0):.3f} s, "
              f"read {d.get('read', 0):.3f} s with pandas' import; {d.get('rows', 0):,} rows, {d.get('numbers', 0):,} numbers; "
              f"{d.get('stats', '')}; {', '.join(d.get('status', []))})")
    print(f"goals for a whole compare: <= {GOAL_RATIO:.0f}x the anchor warm, <= {GOAL_MB:.0f} MB peak")


if __name__ == "__main__":
    main()
