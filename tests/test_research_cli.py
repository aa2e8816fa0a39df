"""`mindshare research sample` and `mindshare research shares` from the command line (replayed arXiv)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import research_replay as replay
import time_machine
from conftest import needs_shared
from typer.testing import CliRunner

from mindshare.cli import app

pytestmark = pytest.mark.usefixtures("no_stamina_waits")


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "mindshare", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_dry_run_prints_the_plan_from_a_precision():
    result = run("research", "sample", "--categories", "cs.LG,cs.CV", "--since", "2024-01", "--until", "2024-06",
                 "--precision", "3", "--dry-run")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "2 categories (cs.LG, cs.CV) x 6 months (2024-01 to 2024-06) = 12 cells" in text
    assert "1,068 papers per cell" in text and "+-3.0 points" in text
    assert "at most 25,644 requests" in text       # 12 frames + 2 x 12,816 papers
    assert "nothing fetched" in text


@pytest.mark.parametrize("args, fragment", [
    (["--per-month", "10", "--precision", "3"], "give --per-month or --precision, not both"),
    (["--categories", "machine learning"], "is not an arXiv category"),
    (["--since", "2024-13"], "--since '2024-13' is not a month"),
    (["--since", "2024-06", "--until", "2024-01"], "is after --until"),
    (["--until", "2999-01"], "--until 2999-01 is in the future"),
])
def test_bad_options_get_one_clear_line_and_a_non_zero_exit(args, fragment):
    result = run("research", "sample", *args, "--dry-run")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and lines[0].startswith("error: ")


def test_a_live_run_without_a_contact_is_refused_before_any_request(monkeypatch):
    result = run("research", "sample", "--until", "2024-01", "--since", "2024-01", env_extra={"MINDSHARE_CONTACT": ""})
    assert result.returncode == 6 and "set MINDSHARE_CONTACT" in result.stderr


@needs_shared("corpus")  # the replayed arXiv serves the corpus's real PDFs: without them it finds no mentions
def test_sample_then_shares_through_the_cli(tmp_path, monkeypatch):
    import mindshare.commands.research as command

    monkeypatch.setenv("MINDSHARE_CONTACT", "cli-test@example.org")
    monkeypatch.setenv("MINDSHARE_CACHE", str(tmp_path / "cache"))
    made = []

    def replayed_http(settings, verbose=False):
        made.append(settings)
        return replay.replay_http(replay.ReplayedArxiv(), settings=settings)

    monkeypatch.setattr(command, "make_http", replayed_http)
    db = str(tmp_path / "store.duckdb")
    runner = CliRunner()
    with time_machine.travel(datetime(2024, 3, 10, 12, tzinfo=UTC), tick=False):
        result = runner.invoke(app, ["--db", db, "research", "sample", "--categories", "cs.LG,cs.CL",
                                     "--since", "2024-01", "--until", "2024-01", "--per-month", "5",
                                     "--seed", str(replay.SEED)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 cells, 8 papers: 7 PDFs fetched" in result.output and "1 already scanned" in result.output
    assert [settings.store_path for settings in made] == [tmp_path / "store.duckdb"]   # the command's Settings
    assert made[0].contact == "cli-test@example.org"
    shares = runner.invoke(app, ["--db", db, "research", "shares", "--format", "csv"], catch_exceptions=False)
    assert shares.exit_code == 0, shares.output
    lines = [line for line in shares.output.splitlines() if "arXiv, a random sample" in line]
    pytorch = [line for line in lines if ",arXiv cs.LG," in line and ",pytorch," in line]
    assert len(pytorch) == 1 and "Wilson 95%" in pytorch[0]
    assert any("conference papers, all read (Horace He)" in line for line in shares.output.splitlines())
    # issue 24: a table of 16+ columns no terminal could show; now the columns that answer, --wide for the rest
    table = runner.invoke(app, ["--db", db, "research", "shares", "--limit", "0"], catch_exceptions=False).output
    header = next(line for line in table.splitlines() if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃ ").split("┃")] == ["method", "venue", "period", "contender", "share %",
                                                                "interval", "papers", "read"]
    sampled = [line for line in table.splitlines() if "arXiv cs.LG" in line and "pytorch" in line]
    assert len(sampled) == 1 and "arxiv-sample v1, mindshare-" in sampled[0] and " 0 / 4 " in sampled[0]
    assert " 5 of 8 " in sampled[0]                                   # 5 papers read of the month's 8
    assert re.search(r"\d+\.\d-\d+\.\d", sampled[0])              # the interval, in points
    assert max(len(line) for line in table.splitlines()) <= 120
    wide = runner.invoke(app, ["--db", db, "research", "shares", "--wide"], catch_exceptions=False).output
    assert next(line for line in wide.splitlines() if line.startswith("┃")).count("┃") == 19   # all 18 columns


def test_the_month_in_progress_is_not_over_yet():
    from mindshare.errors import UsageError

    this_month = datetime.now(UTC).strftime("%Y-%m")
    result = CliRunner().invoke(app, ["research", "sample", "--until", this_month, "--dry-run"])
    assert isinstance(result.exception, UsageError) and f"--until {this_month} is not over yet" in str(result.exception)
