"""`mindshare research sample` and `mindshare research shares`: research share today (docs/research.md)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Optional

import pandas as pd
import typer

from mindshare import console
from mindshare.catalogue import RESEARCH
from mindshare.commands._common import (
    FieldOption,
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    application,
    print_frame,
    store_from,
)
from mindshare.console import out
from mindshare.errors import InputError
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
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM",
                                        help="First month (default: the twelve months up to --until)."),
    until: Optional[str] = typer.Option(None, "--until", metavar="YYYY-MM",
                                        help="Last month (default: the last complete month)."),
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

    today = datetime.now(UTC).date()
    try:
        cats = tuple(dict.fromkeys(check_category(c) for c in categories.split(",") if c.strip()))
        n = _papers_per_cell(per_month, precision, sample_size_for)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if not cats:
        raise InputError("--categories names no category; e.g. --categories cs.LG,cs.CV")
    months = _months(since, until, today)
    from mindshare.fields import load_field

    chosen = load_field(field)
    request = SampleRequest(categories=cats, months=tuple(months), per_month=n, seed=seed,
                            field=str(field or chosen.name))
    if dry_run:
        _print_plan(request, worst_case_half_width(n))
        return
    config = application(ctx).settings
    if not config.contact:
        raise InputError("arXiv asks robots for a contact: set MINDSHARE_CONTACT to your e-mail "
                         "(it goes in the User-Agent) and run again")
    pdf_dir = config.cache_root / "research" / "arxiv-pdf"
    console.detail(f"PDFs go to {pdf_dir} until scanned; the store is {config.store_path}")
    with make_http(config, verbose) as http, store_from(ctx) as store:
        summary = run_sample(request, http, store, pdf_dir, keep_pdfs=keep_pdfs, say=console.say)
    out.print(f"{summary.cells} cells, {summary.papers_planned} papers: {summary.fetched} PDFs fetched, "
              f"{summary.from_disk} read from an interrupted run, {summary.reused} already scanned, "
              f"{summary.failed} unreadable; {len(summary.snapshots)} new snapshots (seed {seed})",
              markup=False)


def shares(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    limit: int = typer.Option(40, "--limit", metavar="N", help="Rows shown in the table (0: all)."),
) -> None:
    """Every research method side by side: share of papers naming only X among those naming any contender.

    Intervals where papers were sampled (the arXiv sample), the population counted over where they were not
    (Horace He's conference papers, Europe PMC and OpenAlex full texts).
    """
    from mindshare.analysis.research_shares import research_shares

    with store_from(ctx, read_only=None) as store:
        frame = research_shares(store.observations(signal=RESEARCH.name))
    frame = frame.assign(period_start=pd.to_datetime(frame["period_start"]).dt.date,
                         period_end=pd.to_datetime(frame["period_end"]).dt.date)
    print_frame(frame, fmt, title="research shares", limit=limit or None)


def _papers_per_cell(per_month: int | None, precision: float | None, size_for) -> int:
    if per_month is not None and precision is not None:
        raise ValueError("give --per-month or --precision, not both")
    if precision is not None:
        return size_for(precision)
    n = 200 if per_month is None else per_month
    if n < 1:
        raise ValueError("--per-month must be at least 1")
    return n


def _month(text: str, option: str) -> date:
    try:
        return date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise InputError(f"{option} {text!r} is not a month; write it as YYYY-MM, e.g. 2024-01") from None


def _months(since: str | None, until: str | None, today: date) -> list[tuple[date, date]]:
    from mindshare.observations import months_between

    this_month = today.replace(day=1)
    last = _month(until, "--until") if until else (pd.Period(this_month, "M") - 1).start_time.date()
    if last >= this_month:
        raise InputError(f"--until {last:%Y-%m} is not over yet (new papers are still being submitted); "
                         f"sample complete months, up to {(pd.Period(this_month, 'M') - 1)}")
    first = _month(since, "--since") if since else (pd.Period(last, "M") - 11).start_time.date()
    if first > last:
        raise InputError(f"--since {first:%Y-%m} is after --until {last:%Y-%m}")
    if first < date(1991, 8, 1):
        raise InputError(f"--since {first:%Y-%m} is before arXiv began (1991-08)")
    return months_between(first, last)


def _print_plan(request, half_width: float) -> None:
    cells = len(request.categories) * len(request.months)
    papers = cells * request.per_month
    # per cell: 1 request for the frame size, at most one per drawn paper for the listing (fewer: windows of
    # up to 100 entries hold several drawn papers), one per PDF
    most = cells + 2 * papers
    hours = most * SECONDS_PER_REQUEST / 3600
    out.print(f"plan: {len(request.categories)} categories ({', '.join(request.categories)}) x "
              f"{len(request.months)} months ({request.months[0][0]:%Y-%m} to {request.months[-1][0]:%Y-%m}) "
              f"= {cells} cells", markup=False)
    out.print(f"  {request.per_month} papers per cell (fewer where a month has fewer): at most {papers:,} "
              f"PDFs; worst-case 95% half-width +-{half_width:.1f} points per cell (at a share of 50%)",
              markup=False)
    out.print(f"  at most {most:,} requests to export.arxiv.org at one per {SECONDS_PER_REQUEST:.0f} s: "
              f"up to {hours:,.1f} hours ({math.ceil(hours / 24)} day(s)); interrupt and re-run at will",
              markup=False)
    out.print(f"  seed {request.seed}, rules {request.rules}, field {request.field}", markup=False)
    out.print("  precision guide (95%, worst case): +-3 points 1,068 papers; +-5 385; +-10 97", markup=False)
    out.print("dry run: nothing fetched, the store is unchanged", markup=False)
