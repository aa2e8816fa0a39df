"""The sampled arXiv scan, end to end on a replayed arXiv (tests/research_replay.py): listing -> sample ->
fetch (real PDFs of ../shared/corpus standing in for arXiv's) -> scan -> stored shares with intervals; a run
killed with SIGKILL half-way and re-run gives the same figures and downloads nothing twice.

Expected mentions come from ../shared/corpus/labels.csv (hand labels), not from the scanner.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import research_replay as replay
import stamina
from conftest import FakeClock, require_shared
from statsmodels.stats.proportion import proportion_confint

from mindshare.observations import MEASUREMENT_KEY
from mindshare.research import ResearchSources
from mindshare.research.sample_run import plan_key, run_sample, stored_plans
from mindshare.store import open_store

require_shared("corpus")
LABELS = {row["file"]: row for row in csv.DictReader((replay.SHARED / "corpus" / "labels.csv").open())}


@pytest.fixture(autouse=True)
def no_stamina_waits():
    with stamina.set_testing(True, attempts=3):
        yield


def figures(store_path: Path) -> pd.DataFrame:
    """The stored research figures, one row per measurement, sorted (what a re-run must reproduce)."""
    store = open_store(store_path, read_only=True)
    try:
        frame = store.observations(signal="research", source=ResearchSources.ARXIV_SAMPLE)
    finally:
        store.close()
    keys = [k for k in MEASUREMENT_KEY] + ["contender"]
    return frame[keys + ["value", "query", "reference"]].sort_values(keys).reset_index(drop=True)


def served(log: Path, kind: str = "pdf") -> list[str]:
    return [line.split(" ", 1)[1] for line in log.read_text().splitlines() if line.startswith(kind + " ")] \
        if log.exists() else []


def sampled_files(store_path: Path, category: str) -> list[str]:
    store = open_store(store_path, read_only=True)
    try:
        plan = json.loads(store.meta(plan_key(category, "2024-01", replay.SEED, replay.PER_MONTH)))
    finally:
        store.close()
    return [replay.corpus_file(pid).name for pid in plan["papers"]]


def value(frame: pd.DataFrame, segment: str, metric: str, contender: str | None = None) -> float:
    rows = frame[(frame.segment == segment) & (frame.metric == metric)]
    rows = rows[rows.contender == contender] if contender else rows[rows.contender.isna()]
    assert len(rows) == 1, (segment, metric, contender)
    return float(rows.value.iloc[0])


# -- end to end ------------------------------------------------------------------------------------------
def test_sample_fetch_scan_store_shares_with_wilson_intervals(tmp_path):
    log = tmp_path / "served.log"
    summary = replay.run(tmp_path / "store.duckdb", tmp_path / "pdf", log)
    stored = figures(tmp_path / "store.duckdb")
    drawn = sampled_files(tmp_path / "store.duckdb", "cs.LG")
    assert len(drawn) == replay.PER_MONTH and len(set(drawn)) == replay.PER_MONTH
    assert value(stored, "arXiv cs.LG", "population_papers") == len(replay.LISTINGS["cs.LG"])   # the frame
    assert value(stored, "arXiv cs.LG", "papers_sampled") == replay.PER_MONTH
    for contender in ("pytorch", "tensorflow", "keras", "jax"):
        expected = sum(LABELS[name][contender] == "yes" for name in drawn)
        assert value(stored, "arXiv cs.LG", "papers_mentioning", contender) == expected, contender
        share = value(stored, "arXiv cs.LG", "pct_papers_mentioning", contender)
        low, high = proportion_confint(expected, replay.PER_MONTH, method="wilson")
        assert share == pytest.approx(100 * expected / replay.PER_MONTH)
        assert value(stored, "arXiv cs.LG", "pct_papers_mentioning_low95", contender) == pytest.approx(100 * low)
        assert value(stored, "arXiv cs.LG", "pct_papers_mentioning_high95", contender) == pytest.approx(100 * high)
    # a smaller frame than n is read whole; the cross-listed paper was scanned once for both cells
    assert value(stored, "arXiv cs.CL", "papers_sampled") == len(replay.LISTINGS["cs.CL"])
    assert "arxiv_1706.03762v5_attention.pdf" in drawn
    assert served(log).count("1706.03762v1") == 1 and summary.reused == 1    # the first version, once
    assert all(pid.endswith("v1") for pid in served(log))
    # provenance: the seed, the frame and how the sample was drawn travel with every figure
    row = stored[(stored.segment == "arXiv cs.LG") & (stored.metric == "papers_sampled")].iloc[0]
    assert f"seed={replay.SEED}" in row["query"] and "frame N=8" in row["query"]
    assert "simple random sample without replacement" in row["query"]
    assert row["reference"].startswith("https://export.arxiv.org/api/query?search_query=cat%3Acs.LG")
    assert not list((tmp_path / "pdf").iterdir())   # PDFs are removed once scanned (unless --keep-pdfs)


def test_killed_half_way_and_rerun_gives_the_same_figures_and_no_second_download(tmp_path):
    clean = tmp_path / "clean"
    replay.run(clean / "store.duckdb", clean / "pdf", clean / "served.log")

    killed = tmp_path / "killed"
    killed.mkdir()
    script = Path(replay.__file__)
    args = [sys.executable, str(script), str(killed / "store.duckdb"), str(killed / "pdf"), str(killed / "served.log")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(script.parent), os.environ.get("PYTHONPATH", "")])}
    first = subprocess.run(args + ["3"], env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == -9, first.stderr          # kill -9 in the middle of the 4th download
    assert served(killed / "served.log") and len(served(killed / "served.log")) == 3
    assert figures(killed / "store.duckdb").empty         # no cell was complete: nothing half-stored
    listed_before = len(served(killed / "served.log", "list"))

    second = subprocess.run(args + ["-"], env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr

    downloads = served(killed / "served.log")
    assert len(downloads) == len(set(downloads)), downloads   # nothing downloaded twice
    assert sorted(downloads) == sorted(served(clean / "served.log"))
    # the stored plan was reused: cs.LG's listing was not asked again, only cs.CL's (not planned before)
    relisted = served(killed / "served.log", "list")[listed_before:]
    assert relisted and all(line.startswith("cs.CL") for line in relisted)
    pd.testing.assert_frame_equal(figures(killed / "store.duckdb"), figures(clean / "store.duckdb"))


def test_a_rerun_of_a_finished_sample_adds_nothing_and_keeps_its_plan(tmp_path):
    replay.run(tmp_path / "store.duckdb", tmp_path / "pdf", tmp_path / "served.log")
    before = figures(tmp_path / "store.duckdb")
    # arXiv's listing grows after the month was sampled: the stored plan stays the sample
    replay.LISTINGS["cs.LG"].append(("2401.90009v1", "multivae_joss_draft.pdf"))
    try:
        summary = replay.run(tmp_path / "store.duckdb", tmp_path / "pdf", tmp_path / "served.log")
    finally:
        replay.LISTINGS["cs.LG"].pop()
    assert summary.fetched == 0 and summary.snapshots == []
    pd.testing.assert_frame_equal(figures(tmp_path / "store.duckdb"), before)
    store = open_store(tmp_path / "store.duckdb", read_only=True)
    try:
        assert {(p.category, p.frame_size) for p in stored_plans(store)} == {("cs.LG", 8), ("cs.CL", 3)}
    finally:
        store.close()


def test_a_missing_pdf_is_a_failed_paper_left_out_of_the_shares(tmp_path):
    replay.LISTINGS["cs.LG"][1] = ("2401.99999v1", "withdrawn.pdf")   # the PDF server answers 404
    try:
        replay.run(tmp_path / "store.duckdb", tmp_path / "pdf")
        drawn = sampled_files(tmp_path / "store.duckdb", "cs.LG")
    finally:
        replay.LISTINGS["cs.LG"][1] = ("2103.15348v1", "layoutparser_2103.15348_p1-2.pdf")
    stored = figures(tmp_path / "store.duckdb")
    assert value(stored, "arXiv cs.LG", "papers_failed") == 1
    assert value(stored, "arXiv cs.LG", "papers_sampled") == replay.PER_MONTH - 1
    assert "withdrawn.pdf" in drawn   # offset 1 is in seed 7's draw
    store = open_store(tmp_path / "store.duckdb", read_only=True)
    try:
        error = store.connection.execute("SELECT error FROM scan_documents WHERE path = 'arxiv:2401.99999v1'")
        assert "HTTP 404" in error.fetchone()[0]
    finally:
        store.close()


def test_pdfs_and_listings_go_at_arxivs_pace_with_a_contact(tmp_path):
    agents, clock = [], FakeClock()
    handler = replay.ReplayedArxiv()

    def recording(request):
        agents.append(request.headers["user-agent"])
        return handler(request)

    store = open_store(tmp_path / "store.duckdb")
    try:
        with replay.replay_http(recording, clock, env={"MINDSHARE_CONTACT": "research-test@example.org"}) as http:
            run_sample(replay.sample_request(["cs.CL"]), http, store, tmp_path / "pdf")
    finally:
        store.close()
    requests = len(agents)
    assert requests == 2 + len(replay.LISTINGS["cs.CL"])          # frame, one window, three PDFs
    assert clock.now == pytest.approx(3.0 * (requests - 1))       # one request every 3 s, no faster
    assert all("research-test@example.org" in agent for agent in agents)
