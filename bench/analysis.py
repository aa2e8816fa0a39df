"""Time the full analysis (mindshare.analysis.pipeline.analyse) on the bundled data and on a synthetic store of
10 million observations (50 contenders x 20 signals x 10,000 daily dates, two counting methods per signal),
each figure beside its anchor: a bare DuckDB scan of the same table, and reading the observations from the store.

The synthetic table is generated with DuckDB SQL in a temporary folder (about 150 MB) and deleted afterwards.
On each data set the analysis runs without the answer (A) and with it (B: analysis.answer's scoreboard, headline,
lead-lag, composite at a fixed report date), A and B alternated run by run so a change in the machine's load falls
on both; the answer's cost is B - A and B / A, each beside the anchors measured in the same run.
Goal: the full analysis with the answer under 5 s for the synthetic store on a 2-core machine.

    .venv/bin/python bench/analysis.py [--runs 3] [--dates 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

GOAL_SECONDS = 5.0
REPORT_DATE = "2026-12-01"      # fixed report dates: the answer's ages are measured against them, never a clock
SYNTHETIC_DATE = "2026-06-01"   # the synthetic dates run 1999-01-01 .. 2026-05-19


def synthetic(con: duckdb.DuckDBPyConnection, contenders: int, signals: int, dates: int) -> None:
    """Trend x season x noise per contender and signal; each signal changes method at a different date."""
    con.execute(f"""
        CREATE TABLE observations AS
        WITH c AS (SELECT range AS ci, 'c' || lpad(CAST(range AS VARCHAR), 2, '0') AS contender FROM range({contenders})),
             s AS (SELECT range AS si, 's' || lpad(CAST(range AS VARCHAR), 2, '0') AS signal FROM range({signals})),
             d AS (SELECT range AS di, DATE '1999-01-01' + CAST(range AS INTEGER) AS day FROM range({dates}))
        SELECT s.signal, 'm' AS metric, 'synthetic' AS source, 'all' AS segment, c.contender,
               c.contender AS subject, d.day AS period_start, d.day AS period_end,
               CASE WHEN d.di < {dates} / 2 + s.si * 50 THEN 'method-1' ELSE 'method-2' END AS method,
               round(greatest(0, (50 + c.ci) * (1 + (c.ci % 7 - 3) * d.di / {dates}.0)
                     * (1 + 0.1 * sin(2 * pi() * d.di / 365.25)) * (0.9 + 0.2 * random())), 0) AS value,
               CAST(NULL AS VARCHAR) AS note, TIMESTAMP '2030-01-01' AS collected_at
        FROM s CROSS JOIN c CROSS JOIN d""")


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def alternated(without, with_answer, runs: int) -> tuple[float, float, object]:
    """Median seconds of `without` (A) and `with_answer` (B), run A, B, A, B, ...; B's last result."""
    a_times, b_times, result = [], [], None
    for _ in range(runs):
        started = time.perf_counter()
        without()
        a_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = with_answer()
        b_times.append(time.perf_counter() - started)
    return statistics.median(a_times), statistics.median(b_times), result


def print_ab(a: float, b: float, runs: int, anchors: list[tuple[str, float]], goal: float | None = None) -> None:
    aim = f"   (goal < {goal:.0f} s)" if goal else ""
    print(f"  A  analysis without the answer, median of {runs}: {a:7.2f} s")
    print(f"  B  analysis with the answer, median of {runs}:    {b:7.2f} s{aim}")
    print(f"     the answer's cost B - A:                   {b - a:7.2f} s   (B / A = {b / a:.2f})")
    for name, seconds in anchors:
        print(f"  anchor: {name:<38} {seconds:7.2f} s   (A = {a / seconds:.1f}x, B = {b / seconds:.1f}x it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dates", type=int, default=10_000)
    args = parser.parse_args()
    import scipy.stats  # noqa: F401

    import mindshare.analysis.answer  # noqa: F401  (import costs out of the timings)
    from mindshare.analysis.answer import answer_of
    from mindshare.analysis.pipeline import analyse, analyse_frame, data_notes_of
    from mindshare.session import open_session
    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(dir="/tmp") as scratch:
        store = open_session(Path(scratch) / "bundled.duckdb")
        read_time, observations = timed(lambda: store.observations(), args.runs)
        store.close()
        numbers = observations[observations["kind"] == "number"]
        notes = data_notes_of(observations)
        def answered(result):
            return result, answer_of(result, report_date=REPORT_DATE)

        a, b, (result, answer) = alternated(lambda: (analyse_frame(numbers, data_notes=notes), None),
                                            lambda: answered(analyse_frame(numbers, data_notes=notes)), args.runs)
        print(f"bundled data ({len(observations):,} observations, {len(result.series)} signals, report date "
              f"{REPORT_DATE}):")
        print_ab(a, b, args.runs, [("store.observations() read", read_time)])
        print(f"  result: {len(answer.scoreboard)} scoreboard rows, {len(answer.sentences)} sentences, "
              f"{len(answer.survey_changes)} survey changes")

        path = Path(scratch) / "synthetic.duckdb"
        con = duckdb.connect(str(path))
        started = time.perf_counter()
        synthetic(con, 50, 20, args.dates)
        generated = time.perf_counter() - started
        rows = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        scan_time, _ = timed(lambda: con.execute(
            "SELECT signal, contender, count(*), sum(value) FROM observations GROUP BY ALL").fetchall(), args.runs)
        count_time, _ = timed(lambda: con.execute("SELECT sum(value) FROM observations").fetchall(), args.runs)
        a, b, (result, answer) = alternated(
            lambda: (analyse(con, "observations", facts=None), None),
            lambda: (lambda r: (r, answer_of(r, report_date=SYNTHETIC_DATE)))(analyse(con, "observations", facts=None)),
            args.runs)
        con.close()
        print(f"synthetic store ({rows:,} observations: 50 contenders x 20 signals x {args.dates:,} dates; "
              f"generated in {generated:.1f} s; report date {SYNTHETIC_DATE}):")
        print_ab(a, b, args.runs, [("bare scan sum(value)", count_time),
                                   ("scan grouped by signal, contender", scan_time)], goal=GOAL_SECONDS)
        print(f"  result: {len(result.standings)} standings, {len(result.trends)} trends, "
              f"{len(result.crossovers)} crossovers, {len(answer.scoreboard)} scoreboard rows")


if __name__ == "__main__":
    main()
