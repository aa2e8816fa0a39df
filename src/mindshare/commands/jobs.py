"""Job-listing verbs: `mindshare jobs collect` (live sources: Hacker News "Who is hiring?", Adzuna) and `mindshare
import FILE` (counts gathered by hand on job sites, importers/job_counts.py)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pandas as pd
import typer

from mindshare import console
from mindshare.commands._common import (
    ContenderOption,
    FieldOption,
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    check_known,
    print_frame,
    since_option,
    store_from,
    today,
)
from mindshare.commands.collect import allow_empty_option, collect_and_finish
from mindshare.fields import load_field
from mindshare.observations import SnapshotKind

JOB_SOURCES = ["hn", "adzuna"]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Job listings: collect counts from Hacker News 'Who is hiring?' and Adzuna.",
                        no_args_is_help=True)
    group.command("collect")(jobs_collect)
    app.add_typer(group, name="jobs")
    app.command("import")(import_counts)


def jobs_collect(
    ctx: typer.Context,
    source: List[str] = typer.Option(["hn"], "--source", "-s", metavar="SOURCE",
                                     help="hn (Hacker News 'Who is hiring?') or adzuna; repeatable."),
    field: FieldOption = None,
    contender: ContenderOption = None,
    since: Optional[str] = since_option("HN: every thread, from 2011-04; a day means its month"),
    country: Optional[List[str]] = typer.Option(None, "--country", metavar="CODE",
                                                help="Adzuna: country code (repeatable; default "
                                                     "MINDSHARE_ADZUNA_COUNTRIES, else gb and us)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the providers again even if a response is cached."),
    allow_empty: bool = allow_empty_option(),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Collect job-listing counts from live sources and store each as one snapshot (sources hn_hiring, adzuna).

    `hn`: finds every monthly 'Ask HN: Who is hiring?' thread (HN Algolia API), counts its top-level posts
    and the posts naming each contender. `adzuna`: the number of ads per contender per country today
    (needs ADZUNA_APP_ID and ADZUNA_APP_KEY in the environment). The same path as `mindshare collect
    hn_hiring adzuna`.
    """
    from mindshare.sources.adzuna import AdzunaSource
    from mindshare.sources.hn_hiring import FIRST_THREAD, HnHiringSource

    check_known("job source", source, JOB_SOURCES)
    chosen = load_field(field)
    sources = [HnHiringSource() if name == "hn" else AdzunaSource(countries=country)
               for name in dict.fromkeys(source)]
    start = since.replace(day=1) if since else FIRST_THREAD
    collect_and_finish(ctx, sources, chosen, chosen.select(contender), start, today(), no_cache=no_cache,
                       allow_empty=allow_empty, fmt=fmt, named=True)


def import_counts(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with the header site,country,date,query,contender,count."),
    field: FieldOption = None,
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Import job-listing counts gathered by hand (Indeed, Monster, SimplyHired, LinkedIn, ...).

    One row per search: the site, the country searched (an ISO 3166 code or English name: us, USA, United
    States; stored as its two-letter code, as Adzuna's counts are), the date (YYYY-MM-DD, not after today), the
    query typed, the contender it counts for (id or name), and the count the site showed: a whole number from 0
    to 100,000,000 (no site lists more jobs for one search in one country: the United States, the largest
    market, had about 12 million openings in all at their peak, March 2022, BLS JOLTS). Every row is checked first; if
    any row is bad, the message lists the bad rows by line number and nothing from the file is stored.

    Example row: `Indeed,us,2020-02-01,pytorch,pytorch,4167`
    """
    from mindshare.importers.job_counts import read_job_counts

    chosen = load_field(field)
    frame = read_job_counts(file, chosen)
    with store_from(ctx) as store:
        stored = store.add_snapshot(frame, kind=SnapshotKind.IMPORT, source=f"job counts {file.name}",
                                    description=f"{file.name}: hand-gathered job-listing counts")
        console.detail(f"store {store.path}; field {chosen.path}")
    summary = pd.DataFrame([{
        "file": str(file), "counts": len(frame), "sites": ", ".join(sorted(frame["source"].unique())),
        "countries": ", ".join(sorted(frame["segment"].unique())), "snapshot": stored.snapshot_id,
        "status": "added" if stored.added else "already stored"}])
    print_frame(summary, fmt, title="mindshare import")
