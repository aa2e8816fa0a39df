"""`mindshare trends collect` and `mindshare trends samples`: Google Trends search interest."""

from __future__ import annotations

from typing import List, Optional

import typer

from mindshare.commands._common import ContenderOption, FieldOption, Format, FormatOption, out, print_frame, store_from
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
    timeframe: str = typer.Option("today 5-y", "--timeframe", help="Trends time: 'today 5-y' or 'YYYY-MM-DD YYYY-MM-DD'."),
    geo: str = typer.Option("", "--geo", help="Country code (US, GB, ...); empty for worldwide."),
    anchor: Optional[str] = typer.Option(None, "--anchor", help="Term shared by every request when there are more "
                                                                  "than five contenders (default: the first contender)."),
) -> None:
    """Pull weekly search interest for each contender and store the pull as one snapshot.

    Google compares at most five terms at a time; with more contenders every request repeats an anchor term
    and is rescaled to the first request through it. Pulling the same window again adds another sample
    (Google samples its data); `mindshare trends samples` shows their spread.
    """
    from mindshare.sources import google_trends

    chosen = load_field(field)
    frame = google_trends.collect(chosen, contenders=chosen.select(contender) if contender else None,
                                  timeframe=timeframe, geo=geo, anchor=anchor)
    with store_from(ctx) as store:
        stored = store.add_snapshot(frame, kind="collect", source=google_trends.SOURCE,
                                    description=f"time={timeframe} geo={geo or 'worldwide'}")
    partial = int(frame["note"].fillna("").str.startswith("PARTIAL").sum())
    out.print(f"{google_trends.SOURCE}: {len(frame)} weekly values ({partial} in the partial last week) "
              f"as snapshot {stored.snapshot_id}")


def trends_samples(
    ctx: typer.Context,
    fmt: FormatOption = Format.table,
    limit: int = typer.Option(40, "--limit", help="Rows shown in a table (0: all)."),
) -> None:
    """The spread of repeated Google Trends pulls: per contender and week, samples, mean, min, max, sd."""
    from mindshare.sources.google_trends import SOURCE, sample_spread

    with store_from(ctx) as store:
        frame = store.observations(signal="search", source=SOURCE, metric="search_interest", all_snapshots=True)
    print_frame(sample_spread(frame), fmt, title="Google Trends samples", limit=(limit or None) if fmt is Format.table else None)
