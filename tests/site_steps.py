"""Steps the site's tests take: a publish on a given day in this process, the site's files, a new snapshot of job
counts. Shared by tests/test_site_publish.py, tests/test_site_quiet.py and tests/test_site_contenders.py."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import time_machine
from typer.testing import CliRunner

from mindshare.cli import app

JOB_COUNTS = ("site,country,date,query,contender,count\nIndeed,US,2026-12-07,machine learning pytorch,pytorch,4321\n"
              "Indeed,US,2026-12-07,machine learning tensorflow,tensorflow,2100\n")


def publish_on(db: Path, site: Path, day: date, *options: str) -> str:
    """`mindshare publish SITE OPTIONS` on `day` (noon UTC, the clock still), in this process; its stdout."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc), tick=False):
        result = CliRunner().invoke(app, ["--db", str(db), "publish", str(site), *options], prog_name="mindshare",
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def files_of(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the site: its bytes and its time of change."""
    return {p.relative_to(site).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(site.rglob("*"))
            if p.is_file()}


def import_new_job_counts(db: Path, folder: Path) -> None:
    """New data: job counts of 2026-12-07 imported on 2026-12-08 (a new snapshot, as a collection makes)."""
    counts = folder / "counts.csv"
    counts.write_text(JOB_COUNTS, encoding="utf-8")
    with time_machine.travel(datetime(2026, 12, 8, 12, tzinfo=timezone.utc), tick=False):
        imported = CliRunner().invoke(app, ["--db", str(db), "import", str(counts)], catch_exceptions=False)
    assert imported.exit_code == 0, imported.output
