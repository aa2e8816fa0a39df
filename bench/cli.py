"""Benchmark the command line's start-up: how long `mindshare` takes before a verb does any work, beside Python's
own start-up measured in the same run.

    .venv/bin/python bench/cli.py [--runs 9] [--top 12] [--before main]

--before REF also times each `mindshare` command as it was at git revision REF (its src/ exported to a
temporary folder), in the same rounds.

Timed: `mindshare --version`, `mindshare scan --help`, a scan of one one-line text file without the store
(the start-up of the verb the figure in docs/scan.md was about, with next to no work), and `mindshare --help`
(which lists every verb with its help, so imports them all). Each command runs in a fresh process, every command once per round, in turn (A B C ... A B C ...), so a machine
whose speed drifts moves them all alike; each figure is the median of the rounds, and each ratio the median of
the round-by-round ratios to the anchor `python -c pass`. Beside them `python -c "import typer"` (the floor of a
typer command line) and a process importing what `mindshare` imported before its start-up was made lazy: every
verb's module and the API (pandas, DuckDB, httpx, stamina, the sources).

Then `python -X importtime` of `mindshare --version` and of `mindshare scan --help`: the modules that take the
longest (cumulative, in microseconds), to show what is left.

The machine is shared: the first line prints the load average; trust the ratios more than the seconds.
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

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable

# What `mindshare` imported at start-up before VERBS was loaded lazily (cli.py then imported every verb, and
# mindshare/__init__.py the API).
EAGER = ("import mindshare.api, mindshare.cli; "
         + "; ".join(f"import {module}" for module in sorted({
             "mindshare.commands.report", "mindshare.commands.collect", "mindshare.commands.jobs",
             "mindshare.commands.trends", "mindshare.commands.survey", "mindshare.commands.scan",
             "mindshare.commands.papers", "mindshare.commands.data"})))

ANCHOR = "python -c pass (anchor)"


def commands(one_text: Path) -> dict[str, list[str]]:
    """What is timed, by the name printed. `one_text`: a one-line .txt for a scan that does (almost) no work."""
    return {
        ANCHOR: [PY, "-c", "pass"],
        'python -c "import typer"': [PY, "-c", "import typer"],
        "mindshare --version": [PY, "-m", "mindshare", "--version"],
        "mindshare scan --help": [PY, "-m", "mindshare", "scan", "--help"],
        "mindshare scan ONE.txt --no-store --workers 1": [PY, "-m", "mindshare", "scan", str(one_text),
                                                         "--no-store", "--workers", "1"],
        "mindshare --help (lists every verb: imports them all)": [PY, "-m", "mindshare", "--help"],
        "every verb and the API imported (the start-up before)": [PY, "-c", EAGER],
    }


def wall(command: list[str]) -> float:
    """Seconds of one run; a command that starts with PYTHONPATH=... gets that in its environment."""
    env = dict(os.environ)
    if command[0].startswith("PYTHONPATH="):
        env["PYTHONPATH"], command = command[0].split("=", 1)[1], command[1:]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=REPO, env=env)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return seconds


def with_before(timed: dict[str, list[str]], ref: str, folder: Path) -> dict[str, list[str]]:
    """`timed` and, after each `mindshare` command, the same command run from git revision `ref`'s src/ (exported
    into `folder`; the built native matcher copied in), for the figure before and after a change."""
    source = folder / "before"
    source.mkdir()
    archive = subprocess.run(["git", "archive", ref, "src"], capture_output=True, cwd=REPO, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    for built in (REPO / "src" / "mindshare" / "scan").glob("_native*.so"):
        shutil.copy(built, source / "src" / "mindshare" / "scan" / built.name)
    both = {}
    for name, command in timed.items():
        both[name] = command
        if command[1:3] == ["-m", "mindshare"]:
            both[f"  {name.split(' (')[0]}, at {ref}"] = [f"PYTHONPATH={source / 'src'}", *command]
    return both


def timings(timed: dict[str, list[str]], runs: int) -> None:
    for command in timed.values():  # warm-up: the file cache, .pyc files
        wall(command)
    rounds = [{name: wall(command) for name, command in timed.items()} for _ in range(runs)]
    print(f"{'command':<62} {'median s':>9} {'min s':>7} {'x anchor':>9}")
    for name in timed:
        seconds = [r[name] for r in rounds]
        ratio = statistics.median(r[name] / r[ANCHOR] for r in rounds)
        print(f"{name:<62} {statistics.median(seconds):>9.3f} {min(seconds):>7.3f} {ratio:>9.1f}")


def importtime(args: list[str], top: int) -> None:
    """The `top` slowest imports (cumulative) of one `mindshare ARGS` run."""
    done = subprocess.run([PY, "-X", "importtime", "-m", "mindshare", *args], capture_output=True, text=True,
                          cwd=REPO)
    rows = []
    for line in done.stderr.splitlines():
        own, cumulative, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():  # not the header line
            rows.append((int(cumulative), int(own), name.strip()))
    print(f"\npython -X importtime -m mindshare {' '.join(args)}: {len(rows)} modules; the {top} slowest "
          f"(cumulative us, self us)")
    for cumulative, own, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative:>9} {own:>8}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--before", metavar="REF", help="Also time each mindshare command at this git revision.")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {options.runs} rounds")
    with tempfile.TemporaryDirectory(prefix="mindshare-bench-cli-") as folder:
        one_text = Path(folder) / "one.txt"
        one_text.write_text("We trained it with PyTorch.\n", encoding="utf-8")
        timed = commands(one_text)
        if options.before:
            timed = with_before(timed, options.before, Path(folder))
        timings(timed, options.runs)
    importtime(["--version"], options.top)
    importtime(["scan", "--help"], options.top)


if __name__ == "__main__":
    main()
