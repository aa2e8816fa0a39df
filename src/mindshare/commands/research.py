"""`mindshare research sample` and `mindshare research shares`: research share today (docs/research.md)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Optional

import pandas as pd
import typer

from mindshare import console
from mindshare.catalogue import RESEARCH
from mindshare.commands._common import (
    FieldOption,
    Format,
    FormatOption,
    LimitOption,
    QuietOption,
    VerboseOption,
    WideOption,
    application,
    check_since,
    print_frame,
    since_option,
    store_from,
    today,
)
from mindshare.console import out, plural
from mindshare.errors import InputError, UsageError
from mindshare.settings import Settings

DEFAULT_CATEGORIES = "cs.LG,cs.CV,cs.CL"
DEFAULT_SEED = 20200126   # the day the 2020 article appeared; any integer will do, and is recorded
SECONDS_PER_REQUEST = 3.0  # arXiv's published limit


def make_http(settings: Settings, verbose: bool = False):
    """The client a sample uses (tests replace this with one on recorded responses).

    No HTTP cache: the sample keeps its own state (the drawn plan in the store, PDFs in their folder until
    scanned), so caching the PDFs again would only double the disk they take.
    """
    from mindshare.commands.collect import make_http as collection_http

    return collection_http(cache=False, verbose=verbose, settings=settings)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Research share today: a sampled arXiv scan with intervals, and the research "
                             "methods side by side (docs/research.md).", no_args_is_help=True)
    group.command("sample")(sample)
    group.command("shares")(shares)
    app.add_typer(group, name="research")


def sample(
    ctx: typer.Context,
    categories: str = typer.Option(DEFAULT_CATEGORIES, "--categories", metavar="CAT,CAT",
                                   help="arXiv categories, comma-separated."),
    since: Optional[str] = since_option("the twelve months up to --until; a day means its month"),
    until: Optional[str] = typer.Option(None, "--until", metavar="YYYY-MM[-DD]", callback=check_since,
                                        help="The last month, complete (YYYY-MM; a day means its month; default: "
                                             "the last complete month)."),
    per_month: Optional[int] = typer.Option(None, "--per-month", metavar="N",
                                            help="Papers drawn per category and month (default 200)."),
    precision: Optional[float] = typer.Option(
        None, "--precision", metavar="POINTS",
        help="Instead of --per-month: the 95% half-width wanted, in percentage points (3 needs 1,068 papers)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", metavar="N", help="Seed of the random draw (recorded with every figure)."),
    field: FieldOption = None,
    keep_pdfs: bool = typer.Option(False, "--keep-pdfs", help="Keep the PDFs after scanning them."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (papers, precision, requests, time) "
                                                          "and fetch nothing."),
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Draw a random sample of each month's new arXiv papers per category, scan their PDFs, store the shares.

    For each category and month, n papers are drawn at random (seeded, reproducible) from arXiv's listing of
    that month's new submissions, their PDFs fetched at arXiv's pace (one request every 3 s; set
    MINDSHARE_CONTACT to your e-mail, arXiv asks for it), scanned with the field's rules, and the share of
    papers mentioning each contender stored with its 95% interval. Interrupted, it resumes: papers already
    scanned are never fetched again, and the same sample is used.

    Example: `mindshare research sample --categories cs.LG --since 2024-01 --precision 5 --dry-run`
    """
    from mindshare.research.arxiv_listing import check_category
    from mindshare.research.sample_run import SampleRequest, run_sample
    from mindshare.research.sampling import sample_size_for, worst_case_half_width

    try:
        cats = tuple(dict.fromkeys(check_category(c) for c in categories.split(",") if c.strip()))
        n = _papers_per_cell(per_month, precision, sample_size_for)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not cats:
        raise UsageError("--categories names no category; e.g. --categories cs.LG,cs.CV")
    months = _months(since, until, today())
    from mindshare.fields import load_field

    chosen = load_field(field)
    request = SampleRequest(categories=cats, months=tuple(months), per_month=n, seed=seed,
                            field=str(field or chosen.name))
    if dry_run:
        _print_plan(request, worst_case_half_width(n), fmt)
        return
    config = application(ctx).settings
    if not config.contact:
        raise InputError("arXiv asks robots for a contact: set MINDSHARE_CONTACT to your e-mail "
                         "(it goes in the User-Agent) and run again")
    pdf_dir = config.cache_root / "research" / "arxiv-pdf"
    console.detail(f"PDFs go to {pdf_dir} until scanned; the store is {config.store_path}")
    with make_http(config, console.verbose()) as http, store_from(ctx) as store:
        summary = run_sample(request, http, store, pdf_dir, keep_pdfs=keep_pdfs, say=console.say)
    if fmt is Format.table:
        out.print(f"{plural(summary.cells, 'cell')}, {plural(summary.papers_planned, 'paper')}: "
                  f"{plural(summary.fetched, 'PDF')} fetched, {summary.from_disk:,} read from an interrupted run, "
                  f"{summary.reused:,} already scanned, {summary.failed:,} unreadable; "
                  f"{plural(len(summary.snapshots), 'new snapshot')} (seed {seed})", markup=False)
        return
    print_frame(pd.DataFrame([{"cells": summary.cells, "papers_planned": summary.papers_planned,
                               "fetched": summary.fetched, "from_disk": summary.from_disk,
                               "already_scanned": summary.reused, "unreadable": summary.failed,
                               "snapshots": " ".join(summary.snapshots), "seed": seed}]), fmt)


# What a table of `research shares` shows: what was counted (method, venue or category, period), for whom, the
# share with its interval or the population it was counted over, and the papers it rests on. The rest (labels,
# sources, period bounds, the denominator's words) is in `--wide`, CSV and JSON.
SHARE_TABLE = {"method": "method", "segment": "venue", "period_label": "period", "contender": "contender",
               "share": "share %", "interval": "interval", "papers": "papers", "read": "read"}
SHARE_TITLE = "research shares (papers: naming only it / naming any; interval: Wilson 95%, where sampled)"


def shares(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    limit: LimitOption = 40,
    wide: WideOption = False,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Every research method side by side: share of papers naming only X among those naming any contender.

    Intervals where papers were sampled (the arXiv sample), the population counted over where they were not
    (Horace He's conference papers, Europe PMC and OpenAlex full texts). A table shows method, venue, period,
    contender, share, its 95% interval (sampled only), the papers it rests on (naming only X / naming any) and
    the papers read; `--wide` every column of CSV and JSON (labels, sources, the denominator in words).
    """
    from mindshare.analysis.research_shares import research_shares

    with store_from(ctx, read_only=None) as store:
        console.detail(f"store {store.path}{' (read-only)' if store.read_only else ''}")
        frame = research_shares(store.observations(signal=RESEARCH.name))
    frame = frame.assign(period_start=pd.to_datetime(frame["period_start"]).dt.date,
                         period_end=pd.to_datetime(frame["period_end"]).dt.date)
    if fmt is Format.table and not wide:
        frame = _share_table(frame)
    print_frame(frame, fmt, title=SHARE_TITLE if fmt is Format.table and not wide else "research shares",
                limit=limit or None)


def _short_method(method: str) -> str:
    """A method id as a table names it: its words before the colon, with the scanning rules where it says them
    ("arxiv-sample v1, mindshare-1", "europepmc-body-v1", "horace-he-2019-11"); --wide has it whole."""
    head, _, rest = method.partition(":")
    rules = re.search(r"\(rules ([^)]*)\)", rest)
    return head.removeprefix("mindshare ") + (f", {rules.group(1)}" if rules else "")


def _share_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of SHARE_TABLE, each a short text a terminal shows whole."""
    def number(value) -> str:
        return "" if pd.isna(value) else f"{value:,.0f}"

    def share(value) -> str:
        return "" if pd.isna(value) else f"{value:.1f}"

    shown = frame.assign(
        method=frame["method"].map(_short_method),
        share=frame["share_pct"].map(share),
        interval=[f"{share(low)}-{share(high)}" if pd.notna(low) else "" for low, high
                  in zip(frame["low_pct"], frame["high_pct"])],
        papers=[f"{number(only)} / {number(any_)}" for only, any_ in zip(frame["papers_only"], frame["papers_any"])],
        read=[number(read) + ("" if pd.isna(population) or read == population else f" of {number(population)}")
              for read, population in zip(frame["papers_read"], frame["population"])])
    return shown[list(SHARE_TABLE)].rename(columns=SHARE_TABLE)


def _papers_per_cell(per_month: int | None, precision: float | None, size_for) -> int:
    if per_month is not None and precision is not None:
        raise ValueError("give --per-month or --precision, not both")
    if precision is not None:
        return size_for(precision)
    n = 200 if per_month is None else per_month
    if n < 1:
        raise ValueError("--per-month must be at least 1")
    return n


def _months(since: date | None, until: date | None, today: date) -> list[tuple[date, date]]:
    """The months from `since` to `until` (each a day of its month, already checked not to lie after today)."""
    from mindshare.observations import months_between

    this_month = today.replace(day=1)
    last = until.replace(day=1) if until else (pd.Period(this_month, "M") - 1).start_time.date()
    if last >= this_month:
        raise UsageError(f"--until {last:%Y-%m} is not over yet (new papers are still being submitted); "
                         f"sample complete months, up to {(pd.Period(this_month, 'M') - 1)}")
    first = since.replace(day=1) if since else (pd.Period(last, "M") - 11).start_time.date()
    if first > last:
        raise UsageError(f"--since {first:%Y-%m} is after --until {last:%Y-%m}")
    if first < date(1991, 8, 1):
        raise UsageError(f"--since {first:%Y-%m} is before arXiv began (1991-08)")
    return months_between(first, last)


def _print_plan(request, half_width: float, fmt: Format = Format.table) -> None:
    cells = len(request.categories) * len(request.months)
    papers = cells * request.per_month
    # per cell: 1 request for the frame size, at most one per drawn paper for the listing (fewer: windows of
    # up to 100 entries hold several drawn papers), one per PDF
    most = cells + 2 * papers
    hours = most * SECONDS_PER_REQUEST / 3600
    if fmt is not Format.table:
        print_frame(pd.DataFrame([{
            "categories": ",".join(request.categories), "first_month": f"{request.months[0][0]:%Y-%m}",
            "last_month": f"{request.months[-1][0]:%Y-%m}", "cells": cells, "papers_per_cell": request.per_month,
            "most_pdfs": papers, "half_width_points": round(half_width, 2), "most_requests": most,
            "most_hours": round(hours, 2), "seed": request.seed, "rules": request.rules,
            "field": request.field}]), fmt)
        return
    out.print(f"plan: {plural(len(request.categories), 'category', 'categories')} "
              f"({', '.join(request.categories)}) x {plural(len(request.months), 'month')} "
              f"({request.months[0][0]:%Y-%m} to {request.months[-1][0]:%Y-%m}) = {plural(cells, 'cell')}",
              markup=False)
    out.print(f"  {plural(request.per_month, 'paper')} per cell (fewer where a month has fewer): at most "
              f"{plural(papers, 'PDF')}; worst-case 95% half-width +-{half_width:.1f} points per cell (at a share "
              f"of 50%)", markup=False)
    out.print(f"  at most {plural(most, 'request')} to export.arxiv.org at one per {SECONDS_PER_REQUEST:.0f} s: "
              f"up to {hours:,.1f} hours ({plural(math.ceil(hours / 24), 'day')}); interrupt and re-run at will",
              markup=False)
    out.print(f"  seed {request.seed}, rules {request.rules}, field {request.field}", markup=False)
    out.print("  precision guide (95%, worst case): +-3 points 1,068 papers; +-5 385; +-10 97", markup=False)
    out.print("dry run: nothing fetched, the store is unchanged", markup=False)
