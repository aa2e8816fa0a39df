"""Job-listing verbs: `mindshare jobs collect` for live sources (`mindshare import FILE`, hand-gathered counts, is in
commands/survey.py with the other file imports)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import List, Optional

import typer

from mindshare.collection import run_collection
from mindshare.commands import collect as collecting
from mindshare.commands._common import (
    ContenderOption,
    FieldOption,
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    application,
    store_from,
)
from mindshare.commands.collect import allow_empty_option, finish
from mindshare.errors import InputError
from mindshare.fields import load_field

JOB_SOURCES = ("hn", "adzuna")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Job listings: collect counts from Hacker News 'Who is hiring?' and Adzuna.",
                        no_args_is_help=True)
    group.command("collect")(jobs_collect)
    app.add_typer(group, name="jobs")


def jobs_collect(
    ctx: typer.Context,
    source: List[str] = typer.Option(["hn"], "--source", "-s", metavar="SOURCE",
                                     help="hn (Hacker News 'Who is hiring?') or adzuna; repeatable."),
    field: FieldOption = None,
    contender: ContenderOption = None,
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM",
                                        help="HN: first month (default: every thread, from 2011-04)."),
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

    unknown = [name for name in source if name not in JOB_SOURCES]
    if unknown:
        raise typer.BadParameter(f"unknown job source {unknown[0]!r}; use hn or adzuna", param_hint="--source")
    chosen = load_field(field)
    sources = [HnHiringSource() if name == "hn" else AdzunaSource(countries=country)
               for name in dict.fromkeys(source)]
    today = datetime.now(UTC).date()
    settings = application(ctx).settings
    results = run_collection(sources, chosen.select(contender), _month(since, today) or FIRST_THREAD, today,
                             collecting.make_http(cache=not no_cache, verbose=verbose, settings=settings),
                             lambda: store_from(ctx), chosen, progress=not quiet, allow_empty=allow_empty)
    finish(results, fmt, quiet, named=True)


def _month(text: str | None, today: date) -> date | None:
    if not text:
        return None
    try:
        month = date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise InputError(f"--since {text!r} is not a month; use YYYY-MM, e.g. 2019-01") from None
    if month > today:
        raise InputError(f"--since {text} is in the future")
    return month
