"""`mindshare trends collect` and `mindshare trends samples`: Google Trends search interest."""

from __future__ import annotations

from datetime import date
from typing import List, Optional

import typer

from mindshare import console
from mindshare.catalogue import SEARCH, SEARCH_INTEREST
from mindshare.commands._common import (
    ContenderOption,
    FieldOption,
    Format,
    FormatOption,
    LimitOption,
    QuietOption,
    VerboseOption,
    print_frame,
    store_from,
    today,
)
from mindshare.commands.collect import allow_empty_option, collect_and_finish
from mindshare.fields import load_field


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Search interest from Google Trends.", no_args_is_help=True)
    group.command("collect")(trends_collect)
    group.command("samples")(trends_samples)
    app.add_typer(group, name="trends")


def trends_collect(
    ctx: typer.Context,
    contender: ContenderOption = None,
    field: FieldOption = None,
    timeframe: str = typer.Option("today 5-y", "--timeframe", metavar="TIME",
                                  help="Trends time: 'today 5-y' or 'YYYY-MM-DD YYYY-MM-DD'."),
    geo: Optional[List[str]] = typer.Option(None, "--geo", metavar="REGION",
                                            help="Country or region code (US, GB, US-NY, ...; repeatable: the "
                                                 "regions share one scale); none for worldwide."),
    search_property: str = typer.Option("", "--property", metavar="SEARCH",
                                        help="Which search: web (default), images, news, youtube, froogle."),
    anchor: Optional[str] = typer.Option(None, "--anchor", metavar="TERM",
                                         help="Term shared by every request when there are more than five "
                                              "(default: the first contender)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask Google again even if a response is cached."),
    allow_empty: bool = allow_empty_option(),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Pull weekly search interest for each contender and store the pull as one snapshot (source google_trends).

    Google compares at most five terms at a time; with more contenders every request repeats an anchor term
    and is rescaled to the first request through it. Pulling the same window again adds another sample
    (Google samples its data); `mindshare trends samples` shows their spread. The same path as
    `mindshare collect google_trends`, which pulls from --since to today.
    """
    from mindshare.sources.google_trends import GoogleTrendsSource

    chosen = load_field(field)
    source = GoogleTrendsSource(timeframe=timeframe, geos=tuple(geo or ("",)), anchor=anchor,
                                search_property="" if search_property == "web" else search_property)
    until = today()
    collect_and_finish(ctx, [source], chosen, chosen.select(contender), date(until.year - 5, until.month, 1), until,
                       no_cache=no_cache, allow_empty=allow_empty, fmt=fmt, named=True)


def trends_samples(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    limit: LimitOption = 40,
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """The spread of repeated Google Trends pulls: per contender and week, samples, mean, min, max, sd."""
    from mindshare.sources.google_trends import SOURCE, sample_spread

    with store_from(ctx, read_only=None) as store:
        console.detail(f"store {store.path}{' (read-only)' if store.read_only else ''}")
        frame = store.observations(signal=SEARCH.name, source=SOURCE, metric=SEARCH_INTEREST.name, all_snapshots=True)
    print_frame(sample_spread(frame), fmt, title="Google Trends samples", limit=limit or None)
