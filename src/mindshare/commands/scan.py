"""`mindshare scan PATH...`: count contender mentions in papers and store per-venue, per-year tallies."""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, date, datetime
from typing import List, Optional

import pandas as pd
import typer

from mindshare.commands._common import FieldOption, out, store_from
from mindshare.console import err
from mindshare.errors import InputError

SOURCE = "mindshare scan"


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    ctx: typer.Context,
    paths: List[str] = typer.Argument(..., help="Files or folders of .pdf .txt .md .tex, or fsspec URLs."),
    venue: Optional[str] = typer.Option(None, "--venue", help="Venue the papers belong to (e.g. NeurIPS)."),
    year: Optional[int] = typer.Option(None, "--year", help="Year of the venue."),
    rules: str = typer.Option("mindshare", "--rules",
                              help="mindshare (whole words, default), horace-he-2019 or horace-he-2021."),
    field: FieldOption = None,
    workers: int = typer.Option(0, "--workers", "-j", help="Local worker processes (default: all cores)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="Run on a dask.distributed scheduler, e.g. tcp://host:8786."),
    backend: Optional[str] = typer.Option(None, "--backend",
                                          help="PDF text: pdfium (default) or pdftotext (poppler CLI)."),
    batch: int = typer.Option(8, "--batch", help="Documents per task."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per document to stdout."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not use the store (no resume, no tallies)."),
) -> None:
    """Count framework mentions in papers, one PDF or a whole venue.

    Each document's text is extracted (pypdfium2 with repairs, or pdftotext), matched in one pass, and its
    per-contender counts recorded in the store's scan table, so an interrupted run resumes where it stopped.
    With `--venue` and `--year` the tallies (papers mentioning only X, several, PyTorch/(PyTorch+TensorFlow),
    % of all) are stored as research observations. The rules are documented in docs/scan.md.
    """
    import os

    from mindshare.fields import load_field
    from mindshare.scan import runner
    from mindshare.scan.rules import RULES, aggregate, make_rules

    if rules not in RULES:
        raise InputError(f"unknown rules {rules!r}; known: {', '.join(RULES)}")
    if backend not in (None, "pdfium", "pdftotext"):
        raise InputError(f"unknown backend {backend!r}; known: pdfium, pdftotext")
    if (venue is None) != (year is None):
        raise InputError("give --venue and --year together (tallies are per venue and year)")
    if batch < 1:
        raise InputError("--batch must be at least 1")
    chosen = load_field(field)
    if backend == "pdftotext":
        from mindshare.scan.extract import pdftotext_available
        if not pdftotext_available():
            raise InputError("--backend pdftotext needs the pdftotext CLI (apt-get install poppler-utils)")
    config = runner.ScanConfig(rules=rules, field=str(field or chosen.name), backend=backend)
    method = make_rules(rules, chosen, "python").method
    found = runner.discover(paths)
    if not found:
        raise InputError(f"no .pdf, .txt, .md or .tex files under {', '.join(paths)}")
    workers = workers or (os.cpu_count() or 1)
    seg_venue, seg_year = venue or runner.NO_VENUE, year or runner.NO_YEAR

    printed: set[str] = set()

    def emit(result: dict) -> None:
        printed.add(result["path"])
        if as_json:
            sys.stdout.write(json.dumps({k: result[k] for k in ("path", "sha256", "pages", "mentions", "error")}
                                        | {k: result[k] for k in result if k not in
                                           ("path", "sha256", "pages", "mentions", "error")}) + "\n")
            sys.stdout.flush()

    progress = sys.stderr.isatty()
    if no_store:
        summary = runner.run(found, config, workers=workers, scheduler=scheduler, batch=batch,
                             progress=progress, on_result=emit)
        docs = None
    else:
        with store_from(ctx) as store:
            summary = runner.run(found, config, connection=store.connection, venue=seg_venue, year=seg_year,
                                 workers=workers, scheduler=scheduler, batch=batch, progress=progress,
                                 on_result=emit)
            stored_docs = runner.load_results(store.connection, config, method, seg_venue, seg_year)
            wanted = set(found)
            docs = stored_docs if venue is not None else [d for d in stored_docs if d["path"] in wanted]
            # documents skipped as already scanned are printed from the store, so --json covers every path
            for d in stored_docs:
                if d["path"] in wanted and d["path"] not in printed:
                    emit(d)
            if venue is not None:
                frame = observations(docs, chosen, rules, method, venue, year, store.connection)
                stored = store.add_snapshot(frame, kind="scan", source=SOURCE,
                                            description=f"{venue} {year}: {len(docs)} papers, rules {method}")
    say = (lambda text: err.print(text, markup=False)) if as_json else out.print
    from mindshare.scan.match import default_engine

    matcher = f", matcher {default_engine()}" if rules == "mindshare" else ""
    say(f"{summary.found} documents: {summary.scanned} scanned, {summary.skipped} already scanned "
        f"(rules {method}{matcher}) in {summary.seconds:.1f}s")
    if docs is not None:
        failed = [d for d in docs if d["error"]]
        for d in failed[:20]:
            say(f"  failed: {d['path']}: {d['error']}")
        tallies = aggregate(docs, rules, chosen.ids)
        named = ", ".join(f"{c.name} {int(tallies[f'papers_mentioning:{c.id}'])}" for c in chosen.contenders
                          if tallies[f"papers_mentioning:{c.id}"])
        say(f"papers mentioning: {named or 'none'}; several: {int(tallies['papers_several'])}; "
            f"failed: {int(tallies['papers_failed'])}")
        if venue is not None:
            verb = "stored as" if stored.added else "already stored as"
            say(f"{len(frame)} observations for {venue} {year} {verb} snapshot {stored.snapshot_id}")


def observations(docs: list[dict], field, rules_name: str, method: str, venue: str, year: int,
                 connection) -> pd.DataFrame:
    """The tallies of one venue-year as observation rows (signal 'research', segment = venue)."""
    from mindshare.scan.rules import aggregate

    tallies = aggregate(docs, rules_name, field.ids)
    latest = connection.execute(
        "SELECT max(scanned_at) FROM scan_documents WHERE method = ? AND venue = ? AND year = ?",
        [method, venue, year]).fetchone()[0] or datetime.now(UTC).replace(tzinfo=None)
    names = {c.id: c.name for c in field.contenders}
    rows = []

    def add(metric, value, unit, contender=None, subject=None, note=None):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        rows.append({
            "signal": "research", "metric": metric, "source": SOURCE, "contender": contender,
            "subject": subject or names.get(contender, "all papers"),
            "period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "period_label": str(year),
            "value": float(value), "value_text": None, "unit": unit, "segment": venue, "method": method,
            "reference": f"{len(docs)} documents scanned", "query": None, "note": note, "collected_at": latest,
        })

    add("papers_total", tallies["papers_scanned"], "papers", subject="all papers")
    if tallies["papers_failed"]:
        add("papers_failed", tallies["papers_failed"], "papers", subject="all papers",
            note="documents whose text could not be extracted; left out of every share")
    add("papers_several", tallies["papers_several"], "papers", subject="two or more contenders")
    for cid in field.ids:
        add("papers_mentioning", tallies[f"papers_mentioning:{cid}"], "papers", cid)
        add("papers_only", tallies[f"papers_only:{cid}"], "papers", cid)
        add("pct_papers_mentioning", tallies[f"pct_mentioning:{cid}"], "%", cid)
        add("pct_papers_only", tallies[f"pct_only:{cid}"], "%", cid)
    if "pytorch_share" in tallies:
        add("pytorch_share_of_pt_tf", tallies["pytorch_share"], "ratio", "pytorch",
            note="PyTorch-only papers / (PyTorch-only + TensorFlow-only papers)")
    return pd.DataFrame(rows)
