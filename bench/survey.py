"""Benchmark: `mindshare survey import` on a generated 200 MB file of the 2019 shape.

The file is GENERATED (tests/survey_files.py: the 2019 survey's 85 published column names and option strings),
not real answers. Printed beside each figure is its anchor on the same file and machine:
  - time:   `wc -l` (reading the bytes once) and DuckDB's own `SELECT count(*) FROM read_csv(...)` (parsing it);
  - memory: a Python process that imports duckdb and pandas and does nothing (the floor of any import).
Each measured step runs in its own process so its peak RSS is its own.

    .venv/bin/python bench/survey.py [--mb 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from survey_files import SHAPES, rows_for, zip_survey  # noqa: E402

PY = sys.executable


def generate(path: Path, megabytes: int) -> int:
    """Repeat 20,000 seeded rows (renumbered) until the file reaches `megabytes`."""
    columns = SHAPES[2019][0]
    block = list(rows_for(2019, 20000, seed=2019))
    target = megabytes * 1024 * 1024
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        while handle.tell() < target:
            buffer = io.StringIO()
            chunk = csv.writer(buffer)
            for row in block:
                written += 1
                chunk.writerow([str(written), *row[1:]])
            handle.write(buffer.getvalue())
    return written


def measure(code: str) -> tuple[float, float, str]:
    """Run `code` in a fresh Python; (seconds, peak RSS MiB, stdout)."""
    started = time.perf_counter()
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(done.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_maxrss / 1024, done.stdout.strip()


def measure_own_peak(code: str) -> tuple[float, float, str]:
    """Like `measure`, but the child reports its own peak RSS (RUSAGE_CHILDREN keeps the max of all children)."""
    wrapped = (code + "\nimport resource as _r, sys as _s\n"
               "_s.stdout.write('\\nPEAK ' + str(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss))\n")
    seconds, _, output = measure(wrapped)
    lines = output.splitlines()
    peak = int(lines[-1].split()[1]) / 1024
    return seconds, peak, "\n".join(lines[:-1]).strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="mindshare-bench-survey-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "survey_results_public.csv"
    started = time.perf_counter()
    rows = generate(path, args.mb)
    print(f"generated {path.stat().st_size / 2**20:.0f} MiB, {rows:,} respondents, 85 columns "
          f"(2019 shape) in {time.perf_counter() - started:.1f} s")
    archive = zip_survey(path, folder / "survey_2019.zip")
    print(f"zipped: {archive.stat().st_size / 2**20:.0f} MiB")

    started = time.perf_counter()
    subprocess.run(["wc", "-l", str(path)], capture_output=True, check=True)
    wc = time.perf_counter() - started
    floor = measure_own_peak("import duckdb, pandas")
    raw = measure_own_peak(
        f"import duckdb; print(duckdb.connect().execute(\"SELECT count(*) FROM read_csv('{path}', all_varchar=true)\").fetchone()[0])")
    read_csv = measure_own_peak(
        "from mindshare.sources.stackoverflow_survey import read_survey; from mindshare.fields import load_field\n"
        f"r = read_survey('{path}', year=2019, field=load_field()); print(r.counts['n_all'])")
    read_zip = measure_own_peak(
        "from mindshare.sources.stackoverflow_survey import read_survey; from mindshare.fields import load_field\n"
        f"r = read_survey('{archive}', year=2019, field=load_field()); print(r.counts['n_all'])")
    db = folder / "bench.duckdb"
    cli = measure_own_peak(
        "import sys; from mindshare.cli import main\n"
        f"sys.argv = ['mindshare', '--db', '{db}', 'survey', 'import', '{archive}', '--source', 'stackoverflow', "
        "'--year', '2019', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass")
    records = json.loads(cli[2]) if cli[2] else []
    assert read_csv[2] == read_zip[2] == raw[2] == str(rows), (read_csv[2], read_zip[2], raw[2], rows)

    print()
    print(f"{'step':<46}{'time':>9}{'peak RSS':>12}")
    print(f"{'anchor: wc -l':<46}{wc:>8.2f}s{'':>12}")
    print(f"{'anchor: DuckDB count(*) of read_csv':<46}{raw[0]:>8.2f}s{raw[1]:>9.0f} MiB")
    print(f"{'anchor: python + import duckdb, pandas':<46}{floor[0]:>8.2f}s{floor[1]:>9.0f} MiB")
    print(f"{'read_survey(CSV)':<46}{read_csv[0]:>8.2f}s{read_csv[1]:>9.0f} MiB")
    print(f"{'read_survey(zip: extract + read)':<46}{read_zip[0]:>8.2f}s{read_zip[1]:>9.0f} MiB")
    print(f"{'mindshare survey import zip (new store, --json)':<46}{cli[0]:>8.2f}s{cli[1]:>9.0f} MiB")
    print(f"\nratio read_survey(CSV) / DuckDB count: {read_csv[0] / raw[0]:.2f}x; "
          f"peak above the import floor: {read_csv[1] - floor[1]:.0f} MiB; "
          f"{len(records)} share records printed")
    if not args.keep:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
