"""`mindshare scan PATH...`: count contender mentions in papers and store per-venue, per-year tallies.

The verb only reads its options and prints; the scan itself is mindshare.scan.runner (see docs/scan.md)."""

from __future__ import annotations

import os
import sys
from typing import List, Optional

import typer

from mindshare import console
from mindshare.commands._common import (
    FieldOption,
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    out,
    output_format,
    store_from,
)
from mindshare.errors import InputError, MindshareError


class NothingScanned(MindshareError):
    """Every document of the run failed, or a folder could not be read: the tallies would be wrong."""


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    ctx: typer.Context,
    paths: List[str] = typer.Argument(..., help="Files or folders of .pdf .txt .md .tex and gzipped sources, tar "
                                                "archives of them, or fsspec URLs of any (s3://bucket/folder/)."),
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
    batch: Optional[int] = typer.Option(None, "--batch",
                                        help="Documents per task (default: about 32 MiB of text, a few PDFs)."),
    fmt: FormatOption = Format.table,
    as_json: bool = typer.Option(False, "--json", help="The same as --format json: one JSON object per document."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not use the store (no resume, no tallies)."),
    retry_failed: bool = typer.Option(False, "--retry-failed",
                                      help="Scan only the documents that failed before."),
    rescan: bool = typer.Option(False, "--rescan", help="Scan every document again, even those already scanned."),
    storage_option: Optional[List[str]] = typer.Option(
        None, "--storage-option", metavar="NAME=VALUE",
        help="An fsspec storage option for URLs, e.g. requester_pays=true (repeatable; credentials come from the "
             "environment, never from here)."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Count framework mentions in papers, one PDF or a whole venue.

    Each document's text is extracted (pypdfium2 with repairs, or pdftotext), matched in one pass, and its
    per-contender counts recorded in the store's scan table, so an interrupted run resumes where it stopped
    (documents that failed are tried again). With `--venue` and `--year` the tallies (papers mentioning only X,
    several, PyTorch/(PyTorch+TensorFlow), % of all) are stored as research observations. The rules are
    documented in docs/scan.md.

    `--format table` (the default) prints the run's summary; `--format json` one JSON object per document (a
    header line first), `--format csv` one row per document (path, content key, pages, error, a column per
    contender), the summary then going to stderr.
    """
    from mindshare.fields import load_field
    from mindshare.scan import runner
    from mindshare.scan.rules import RULES

    fmt = output_format(fmt, as_json)

    if rules not in RULES:
        raise InputError(f"unknown rules {rules!r}; known: {', '.join(RULES)}")
    if backend not in (None, "pdfium", "pdftotext"):
        raise InputError(f"unknown backend {backend!r}; known: pdfium, pdftotext")
    if (venue is None) != (year is None):
        raise InputError("give --venue and --year together (tallies are per venue and year)")
    if year is not None:
        runner.check_year(year)
    if batch is not None and batch < 1:
        raise InputError("--batch must be at least 1")
    if retry_failed and rescan:
        raise InputError("give --retry-failed or --rescan, not both")
    if no_store and (retry_failed or rescan or venue):
        raise InputError("--no-store keeps nothing: it cannot be given with --venue, --retry-failed or --rescan")
    if backend == "pdftotext":
        from mindshare.scan.extract import pdftotext_available
        if not pdftotext_available():
            raise InputError("--backend pdftotext needs the pdftotext CLI (apt-get install poppler-utils)")
    from mindshare.scan.remote import parse_options

    storage = parse_options(storage_option or [])
    chosen = load_field(field)
    config = runner.ScanConfig(rules=rules, field=str(field or chosen.name), backend=backend, storage=storage)
    options = dict(venue=venue or runner.NO_VENUE, year=year or runner.NO_YEAR,
                   mode="rescan" if rescan else "retry-failed" if retry_failed else "resume",
                   workers=workers or (os.cpu_count() or 1), scheduler=scheduler, batch=batch,
                   progress=sys.stderr.isatty() and not console.quiet(),
                   out=None if fmt is Format.table else sys.stdout if fmt is Format.json else DocumentsAsCsv(sys.stdout))
    say = out.print if fmt is Format.table else console.say
    from mindshare.scan import corpus

    corpus.check_roots(paths, config.options)  # a bad path, URL or option: one line, before any store is opened
    if options["workers"] > 1 and not scheduler:
        from mindshare.scan import pool

        pool.start_early()  # its workers' imports while the store opens
    stored = None
    if no_store:
        summary = runner.run(paths, config, **options)
    else:
        with store_from(ctx, bundle=False) as store:
            summary = runner.run(paths, config, store=store, **options)  # written by a process of its own
            if venue is not None and summary.usable and not summary.unreadable:
                stored = runner.store_venue_tallies(store, config, chosen, venue, year)
    report(summary, chosen, rules, say)
    if stored:
        tally, frame, result = stored
        verb = "stored as" if result.added else "already stored as"
        say(f"{len(frame)} observations for {venue} {year} ({tally.documents} papers) {verb} snapshot "
            f"{result.snapshot_id}")
    if summary.unreadable:
        raise NothingScanned(f"{len(summary.unreadable)} folder(s) could not be read, so their papers are not "
                             "counted" + ("; the venue's tallies were not stored" if venue else "")
                             + ": fix the permissions and run again (what was scanned is kept)")
    if not summary.usable:
        raise NothingScanned("nothing was scanned: every document failed" if summary.found else
                             "nothing was scanned" + (": see the problems above" if summary.problems else ""))


class DocumentsAsCsv:
    """Where the scan writes its per-document JSON lines for `--format csv`: each becomes a CSV row (the columns
    from the first document; cells a spreadsheet would run as a formula are defused, as every CSV mindshare
    writes)."""

    def __init__(self, stream) -> None:
        import csv

        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.contenders: list[str] | None = None

    def write(self, text: str) -> None:
        import json

        from mindshare.report.tables import defused

        for line in text.splitlines():
            document = json.loads(line) if line.strip() else None
            if not document or "path" not in document:   # the run's header line
                continue
            mentions = document.get("mentions") or {}
            if self.contenders is None:
                self.contenders = list(mentions)
                self.writer.writerow(["path", "content_key", "pages", "error", *self.contenders])
            self.writer.writerow([defused(document["path"]), document.get("content_key"), document.get("pages"),
                                  defused(document.get("error") or ""),
                                  *(mentions.get(name, 0) for name in self.contenders)])

    def flush(self) -> None:
        self.stream.flush()


def report(summary, field, rules: str, say) -> None:
    """The run in a few lines: counts, failures, what the documents mention."""
    from mindshare.scan.rules import method_of

    matcher = f", matcher {summary.engine}" if summary.engine else ""
    extra = f", {summary.duplicates} duplicates (same content as another)" if summary.duplicates else ""
    extra += f", {summary.left} not retried (never failed)" if summary.left else ""
    say(f"{summary.found} documents: {summary.scanned} scanned, {summary.skipped} already scanned{extra} "
        f"(rules {method_of(rules)}{matcher}) in {summary.seconds:.1f}s")
    for folder, reason in summary.unreadable:
        say(f"  unreadable folder: {folder}: {reason}; its papers are not counted")
    if summary.migrated:
        say(f"  the store's scan rows moved from sha256 to BLAKE3 keys: {summary.migrated.rekeyed} re-keyed from "
            f"their files, {summary.migrated.kept} kept as sha256 (their file gone or changed)")
    for where, reason in summary.problems[:20]:
        say(f"  problem: {where}: {reason}")
    if summary.problem_count > 20:
        say(f"  ... and {summary.problem_count - 20} more problems")
    for path, reason in summary.failed[:20]:
        say(f"  failed: {path}: {reason}")
    if summary.failures > 20:
        say(f"  ... and {summary.failures - 20} more failed")
    figures = summary.tally.figures()
    named = ", ".join(f"{c.name} {int(figures[f'papers_mentioning:{c.id}'])}" for c in field.contenders
                      if figures.get(f"papers_mentioning:{c.id}"))
    say(f"papers mentioning: {named or 'none'}; several: {int(figures['papers_several'])}; "
        f"failed: {int(figures['papers_failed'])}")
