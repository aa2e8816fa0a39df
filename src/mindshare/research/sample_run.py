"""The sampled arXiv scan: for each category and month, draw papers, fetch their PDFs, scan them, store shares.

One cell (a category in one month) goes through four steps, each of which survives a kill:

1. **plan**: the month's listing size N (the frame) and n offsets drawn with the seed (`sampling`); the
   papers at those offsets are fetched in windows and the plan (frame, offsets, arXiv ids, the URL and
   time of the listing) is kept in the store's meta table under the cell's key. A re-run reuses the stored
   plan, so the sample never changes under a resumed run even if arXiv's listing has grown since.
2. **fetch**: each planned paper's first version (as submitted that month) is downloaded through the shared
   `Http` client (provider `arxiv`: one request every 3 s, MINDSHARE_CONTACT in the User-Agent) to
   `<pdf folder>/<id>v1.pdf` (written as `.part`, renamed when whole). A paper already scanned (same arXiv id
   and version, in any cell, with the same rules and field) is never fetched again; a PDF already on disk is
   scanned without a download.
3. **scan**: the existing engine (`mindshare.scan.runner.scan_file`, the field's rules) reads it; its row is
   written to the store's scan table (`scan_documents`, through `mindshare.scan.state.ScanTable`, under the
   scan's own key: rules version, venue 'arXiv <category>', year, field; path 'arxiv:<id>v1') in one
   transaction, then the PDF is deleted unless kept.
4. **tally**: when every planned paper has a result, the cell's counts and shares with Wilson intervals
   (`tally.sample_cell_observations`) are stored as one snapshot (kind `scan`); identical figures already
   stored add nothing, so a re-run of a finished cell changes nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import pandas as pd

from mindshare.console import plural
from mindshare.errors import SourceError
from mindshare.http import Http
from mindshare.observations import SnapshotKind, month_label
from mindshare.research import ResearchSources, arxiv_sample_method
from mindshare.research.arxiv_listing import PDF_BASE, PROVIDER, Entry, entries_at, frame_size, listing_query
from mindshare.research.sampling import MAX_WINDOW, draw_offsets, listing_windows
from mindshare.research.tally import sample_cell_observations
from mindshare.scan.state import TABLE as SCAN_TABLE
from mindshare.scan.state import FileRef, Row, ScanTable, StateKey, stored_document
from mindshare.store import Store

PLAN_KEY = "research.arxiv-sample"
SAMPLING_RULE = ("simple random sample without replacement of listing offsets (submittedDate order); "
                 "numpy default_rng(SeedSequence([seed, sha256(category, month)]))")
ARXIV_ID = "arxiv:"


@dataclass(frozen=True)
class SampleRequest:
    """What to sample: categories x months, n papers each, with one seed; scanned with a field's rules."""

    categories: tuple[str, ...]
    months: tuple[tuple[date, date], ...]
    per_month: int
    seed: int
    field: str = "deep-learning"
    rules: str = "mindshare"


@dataclass
class CellPlan:
    """The drawn sample of one cell, as stored (and reused) in the store's meta table."""

    category: str
    month: str
    seed: int
    per_month: int
    frame_size: int
    frame_url: str
    listed_at: str
    offsets: list[int]
    papers: list[str]                     # first-version arXiv ids ('2401.00001v1'), in offset order
    rule: str = SAMPLING_RULE

    @property
    def first(self) -> date:
        return date.fromisoformat(f"{self.month}-01")


@dataclass
class SampleSummary:
    cells: int = 0
    papers_planned: int = 0
    fetched: int = 0          # PDFs downloaded over the network in this run
    reused: int = 0           # already scanned (this cell, or the same paper in another cell)
    from_disk: int = 0        # PDFs on disk from an interrupted run, scanned without a download
    failed: int = 0
    snapshots: list[str] = field(default_factory=list)


def plan_key(category: str, month: str, seed: int, per_month: int) -> str:
    return f"{PLAN_KEY}/{category}/{month}/seed={seed}/n={per_month}"


def venue_of(category: str) -> str:
    return f"arXiv {category}"


def run_sample(request: SampleRequest, http: Http, store: Store, pdf_dir: Path, *, keep_pdfs: bool = False,
               say: Callable[[str], None] = lambda line: None) -> SampleSummary:
    """Plan, fetch, scan and tally every cell of `request`; resumable at any point (see the module doc)."""
    from mindshare.fields import load_field
    from mindshare.scan import runner

    chosen = load_field(request.field)
    config = runner.ScanConfig(rules=request.rules, field=str(request.field))
    rules = runner.rules_for(config)
    pdf_dir.mkdir(parents=True, exist_ok=True)
    summary = SampleSummary()
    for first, last in request.months:
        for category in request.categories:
            plan = cell_plan(store, http, category, first, last, request.seed, request.per_month)
            summary.cells += 1
            summary.papers_planned += len(plan.papers)
            docs = _scan_cell(plan, http, store, pdf_dir, config, rules, keep_pdfs, summary, say)
            snapshot = _store_cell(store, plan, docs, chosen, rules, last)
            if snapshot:
                summary.snapshots.append(snapshot)
            say(f"{category} {plan.month}: {len(docs):,} of {plural(plan.frame_size, 'paper')} read, stored")
    return summary


# -- 1. plan -------------------------------------------------------------------------------------------------
def cell_plan(store: Store, http: Http, category: str, first: date, last: date, seed: int,
              per_month: int) -> CellPlan:
    """The cell's stored plan, or a new draw (stored before anything is fetched for it)."""
    month = month_label(first)
    key = plan_key(category, month, seed, per_month)
    stored = store.meta(key)
    if stored:
        return CellPlan(**json.loads(stored))
    size, url, listed_at = frame_size(http, category, first, last)
    offsets = draw_offsets(size, per_month, seed, category, month)
    papers: list[Entry] = []
    for window in listing_windows(offsets, MAX_WINDOW):
        got = entries_at(http, category, first, last, window.start, window.count)
        wanted = {o - window.start for o in offsets if window.start <= o < window.start + window.count}
        papers += [entry for i, entry in enumerate(got) if i in wanted]
    plan = CellPlan(category=category, month=month, seed=seed, per_month=per_month, frame_size=size,
                    frame_url=url, listed_at=listed_at.isoformat(), offsets=offsets,
                    papers=[e.first_version_id for e in papers])
    store.set_meta(key, json.dumps(asdict(plan)))
    return plan


# -- 2, 3. fetch and scan ---------------------------------------------------------------------------------
def _cell_key(plan: CellPlan, config) -> StateKey:
    """The cell's rows in the scan table: the scan's own key, with the category as the venue (months of one
    year share it; each paper's path, 'arxiv:<id>v1', tells them apart)."""
    from mindshare.scan.rules import method_of

    return StateKey(method_of(config.rules), venue_of(plan.category), plan.first.year, config.field)


def _scan_cell(plan: CellPlan, http: Http, store: Store, pdf_dir: Path, config, rules, keep_pdfs: bool,
               summary: SampleSummary, say: Callable[[str], None]) -> list[dict]:
    key = _cell_key(plan, config)
    done = {d["path"]: d for d in ScanTable(store.connection, key).documents()}
    for number, versioned in enumerate(plan.papers, 1):
        path = ARXIV_ID + versioned
        local = pdf_dir / _file_name(versioned)
        if path in done:
            summary.reused += 1
            if not keep_pdfs:
                local.unlink(missing_ok=True)   # left by a run killed between recording and deleting
            continue
        row = _scanned_elsewhere(store, key, path)
        if row is not None:
            summary.reused += 1
        else:
            row = _fetch_and_scan(versioned, http, pdf_dir, config, rules, summary)
        row = row._replace(path=path, size=None, mtime_ns=None)
        # a table read afresh for each paper: its save then replaces, never duplicates, a row (one transaction)
        ScanTable(store.connection, key).save([row])
        done[path] = stored_document(row.path, row.sha256, row.pages, row.mentions, row.detail, row.error)
        if row.error:
            summary.failed += 1
        if not keep_pdfs:
            local.unlink(missing_ok=True)
        if number % 25 == 0:
            say(f"{plan.category} {plan.month}: {number:,} of {plural(len(plan.papers), 'paper')}")
    return [done[ARXIV_ID + v] for v in plan.papers]


def _scanned_elsewhere(store: Store, key: StateKey, path: str) -> Row | None:
    """The same paper (id and version) scanned with these rules and field in another cell, if any."""
    found = store.connection.execute(
        f"SELECT sha256, path, pages, mentions, detail, error FROM {SCAN_TABLE} "
        "WHERE path = ? AND method = ? AND field = ? ORDER BY error NULLS FIRST LIMIT 1",
        [path, key.method, key.field]).fetchone()
    return None if found is None else Row(*found, None, None)


def _fetch_and_scan(versioned: str, http: Http, pdf_dir: Path, config, rules, summary: SampleSummary) -> Row:
    from mindshare.scan import runner

    local = pdf_dir / _file_name(versioned)
    if local.exists():
        summary.from_disk += 1
    else:
        entry_url = f"{PDF_BASE}{versioned}"
        response = http.get(PROVIDER, entry_url, ok=(404, 410))
        summary.fetched += 1
        if response.status_code in (404, 410):
            return Row(None, entry_url, 0, json.dumps(dict.fromkeys(rules.ids, 0)), "{}",
                       f"no PDF at {entry_url} (HTTP {response.status_code}: withdrawn or not yet built)", None, None)
        partial = local.with_suffix(".part")
        partial.write_bytes(response.content)
        os.replace(partial, local)   # whole or absent: a killed write leaves only the .part
    return runner.scan_file(FileRef(str(local)), config).row


def _file_name(versioned: str) -> str:
    return versioned.replace("/", "_") + ".pdf"   # old-style ids ('hep-th/9901001v1') hold a slash


# -- 4. tally -------------------------------------------------------------------------------------------------
def _store_cell(store: Store, plan: CellPlan, docs: list[dict], chosen, rules, last: date) -> str | None:
    from mindshare.scan.tallies import aggregate

    tallies = aggregate(docs, rules)
    method = arxiv_sample_method(rules.method)
    query = (f"{listing_query(plan.category, plan.first, last)}; seed={plan.seed}; frame N={plan.frame_size}; "
             f"sample n={len(plan.papers)} of {plan.per_month} asked; {plan.rule}")
    rows = sample_cell_observations(
        tallies, ids=chosen.ids, names={c.id: c.name for c in chosen.contenders},
        segment=venue_of(plan.category), first=plan.first, last=last, frame_size=plan.frame_size,
        reference=plan.frame_url, query=query, method=method,
        collected_at=datetime.fromisoformat(plan.listed_at))
    result = store.add_snapshot(
        pd.DataFrame(rows), kind=SnapshotKind.SCAN, source=ResearchSources.ARXIV_SAMPLE,
        description=f"arXiv {plan.category} {plan.month}: {len(docs):,} of {plural(plan.frame_size, 'paper')} sampled "
                    f"(seed {plan.seed}), rules {rules.method}")
    return result.snapshot_id if result.added else None


def stored_plans(store: Store) -> list[CellPlan]:
    """Every sample plan in the store (for `mindshare research status`)."""
    rows = store.connection.execute("SELECT value FROM meta WHERE key LIKE ? ORDER BY key",
                                    [f"{PLAN_KEY}/%"]).fetchall()
    return [CellPlan(**json.loads(r[0])) for r in rows]


__all__ = ["CellPlan", "SampleRequest", "SampleSummary", "SourceError", "cell_plan", "plan_key", "run_sample",
           "stored_plans", "venue_of"]
