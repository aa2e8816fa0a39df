"""Benchmark: `mindshare survey import` of the real Kaggle 2021 file (a 35 MB CSV inside a 3 MB zip), beside
DuckDB's bare `SELECT count(*) FROM read_csv(...)` of the same CSV (the floor of any import that reads it).

Every step runs in its own fresh Python process, measured and anchor in turn, A B A B ..., so a machine whose
speed drifts moves both; the figures are medians, and each ratio is the median of the pair-by-pair ratios. Two
times per step: the work (timed inside the process, after its imports: what reading the file costs) and the whole
process (start-up and imports included, as a user's run: mindshare imports pandas, the bare count only duckdb).
Printed beside them: unzipping alone (Python's zipfile, what the CSV costs to get at) and a process that only
imports duckdb and pandas (the floor of any import's time and memory).

    .venv/bin/python bench/survey.py [--runs 5] [--generated-mb 200]

--generated-mb also times the Stack Overflow import on a GENERATED file of that size in the 2019 layout
(tests/survey_files.py: the 2019 survey's 85 published column names and option strings, not real answers).
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from survey_files import RAW, SHAPES, rows_for, zip_survey  # noqa: E402

PY = sys.executable
PEAK = ("\nimport resource as _r, sys as _s\n"
        "_s.stdout.write('\\nPEAK ' + str(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss))\n")


WORK = "\nimport sys as _s\n_s.stdout.write('\\nWORK ' + str(_t1 - _t0))"


def measure(setup: str, work: str) -> tuple[float, float, float, str]:
    """Run `setup` then `work` in a fresh Python: (whole process seconds, work seconds, its own peak RSS in MiB,
    what it printed)."""
    code = f"{setup}\nimport time as _time\n_t0 = _time.perf_counter()\n{work}\n_t1 = _time.perf_counter(){WORK}{PEAK}"
    started = time.perf_counter()
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    lines = done.stdout.splitlines()
    return seconds, float(lines[-2].split()[1]), int(lines[-1].split()[1]) / 1024, "\n".join(lines[:-2]).strip()


def paired(measured: tuple[str, str], anchor: tuple[str, str], runs: int) -> dict:
    """Measured and anchor in turn, `runs` times each after one warm-up pair."""
    measure(*measured), measure(*anchor)
    pairs = [(measure(*measured), measure(*anchor)) for _ in range(runs)]
    median = statistics.median
    return {"measured": median(m[0] for m, _ in pairs), "anchor": median(a[0] for _, a in pairs),
            "ratio": median(m[0] / a[0] for m, a in pairs),
            "measured_work": median(m[1] for m, _ in pairs), "anchor_work": median(a[1] for _, a in pairs),
            "work_ratio": median(m[1] / a[1] for m, a in pairs),
            "measured_peak": max(m[2] for m, _ in pairs), "anchor_peak": max(a[2] for _, a in pairs),
            "measured_out": pairs[0][0][3], "anchor_out": pairs[0][1][3]}


def duckdb_count(path: Path) -> tuple[str, str]:
    return "import duckdb", f"print(duckdb.connect().execute(\"SELECT count(*) FROM read_csv('{path}')\").fetchone()[0])"


def kaggle(runs: int) -> None:
    archive = RAW / "kaggle_survey_2021.zip"
    with tempfile.TemporaryDirectory(prefix="mindshare-bench-kaggle-") as folder:
        with zipfile.ZipFile(archive) as opened:
            member = opened.getinfo("kaggle_survey_2021_responses.csv")
            csv_path = Path(opened.extract(member, folder))
        size = csv_path.stat().st_size / 2**20
        importer = ("from mindshare.importers.kaggle_survey import read_kaggle; from mindshare.fields import load_field",
                    f"r = read_kaggle('{archive}', year=2021, field=load_field()); print(r.total('all respondents').n_all)")
        reading = paired(importer, duckdb_count(csv_path), runs)
        db = Path(folder) / "bench.duckdb"
        cli = ("import sys; from mindshare.cli import main\n"
               f"sys.argv = ['mindshare', '--db', '{db}', 'survey', 'import', '{archive}', '--source', 'kaggle', "
               "'--year', '2021', '--dry-run']",
               "try:\n    main()\nexcept SystemExit:\n    pass")
        command = paired(cli, duckdb_count(csv_path), runs)
        unzip = paired(("import zipfile", f"zipfile.ZipFile('{archive}').extract('{member.filename}', '{folder}/x')"),
                       ("import duckdb, pandas", "pass"), runs)
    # DuckDB counts the question line as a row; the import does not: 25,974 lines, 25,973 respondents
    assert int(reading["anchor_out"]) - 1 == int(reading["measured_out"]) == 25973, reading
    print(f"Kaggle 2021: {archive.name} ({archive.stat().st_size / 2**20:.1f} MiB zip, {size:.0f} MiB CSV, "
          f"369 columns, 25,973 respondents); medians of {runs} paired runs, each a fresh process")
    print(f"{'step':<56}{'work':>8}{'process':>9}{'peak RSS':>11}")
    line = lambda name, r, which: print(f"{name:<56}{r[which + '_work']:>7.2f}s{r[which]:>8.2f}s"  # noqa: E731
                                         f"{r[which + '_peak']:>7.0f} MiB")
    line("anchor: DuckDB count(*) of read_csv(the extracted CSV)", reading, "anchor")
    line("anchor: python + import duckdb, pandas", unzip, "anchor")
    line("unzip the CSV alone (zipfile)", unzip, "measured")
    line("read_kaggle(zip): unzip + UTF-8 check + one DuckDB pass", reading, "measured")
    line("mindshare survey import zip --source kaggle --dry-run", command, "measured")
    print(f"\nread_kaggle(zip) / DuckDB count(*): {reading['work_ratio']:.2f}x the work (goal: within 2x), "
          f"{reading['ratio']:.2f}x the whole process; the survey import command: {command['work_ratio']:.2f}x the "
          f"work, {command['ratio']:.2f}x the whole process")


def generate(path: Path, megabytes: int) -> int:
    """Repeat 20,000 seeded rows of the 2019 layout (renumbered) until the file reaches `megabytes`."""
    block = list(rows_for(2019, 20000, seed=2019))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(SHAPES[2019][0])
        while handle.tell() < megabytes * 2**20:
            buffer = io.StringIO()
            chunk = csv.writer(buffer)
            for row in block:
                written += 1
                chunk.writerow([str(written), *row[1:]])
            handle.write(buffer.getvalue())
    return written


def stackoverflow_generated(megabytes: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mindshare-bench-survey-") as folder:
        path = Path(folder) / "survey_results_public.csv"
        rows = generate(path, megabytes)
        archive = zip_survey(path, Path(folder) / "survey_2019.zip")
        setup = "from mindshare.importers.stackoverflow_survey import read_survey; from mindshare.fields import load_field"
        work = "r = read_survey('{}', year=2019, field=load_field()); print(r.total('all respondents').n_all)"
        plain = paired((setup, work.format(path)), duckdb_count(path), runs)
        zipped = paired((setup, work.format(archive)), duckdb_count(path), runs)
    assert plain["measured_out"] == zipped["measured_out"] == plain["anchor_out"] == str(rows)
    print(f"\nStack Overflow, GENERATED {megabytes} MiB in the 2019 layout ({rows:,} rows, 85 columns)")
    for name, r, which in (("anchor: DuckDB count(*) of read_csv", plain, "anchor"), ("read_survey(CSV)", plain, "measured"),
                           ("read_survey(zip)", zipped, "measured")):
        print(f"{name:<56}{r[which + '_work']:>7.2f}s{r[which]:>8.2f}s{r[which + '_peak']:>7.0f} MiB")
    print(f"read_survey / DuckDB count(*), the work: CSV {plain['work_ratio']:.2f}x, zip {zipped['work_ratio']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generated-mb", type=int, default=0)
    args = parser.parse_args()
    kaggle(args.runs)
    if args.generated_mb:
        stackoverflow_generated(args.generated_mb, args.runs)


if __name__ == "__main__":
    main()
