"""Job-listing verbs: `mindshare import FILE` for hand-gathered counts, `mindshare jobs collect` for live sources."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from mindshare.commands._common import FieldOption, out, store_from
from mindshare.fields import load_field


def register(app: typer.Typer) -> None:
    app.command("import")(import_counts)
    group = typer.Typer(help="Job listings: collect counts from Hacker News 'Who is hiring?' and Adzuna.",
                        no_args_is_help=True)
    group.command("collect")(jobs_collect)
    app.add_typer(group, name="jobs")


def import_counts(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with the header site,country,date,query,contender,count."),
    field: FieldOption = None,
) -> None:
    """Import job-listing counts gathered by hand (Indeed, Monster, SimplyHired, LinkedIn, ...).

    One row per search: the site, the country searched (a code or a name), the date (YYYY-MM-DD), the query
    typed, the contender it counts for (id or name), and the count the site showed. Every row is checked first;
    if any row is bad, the message lists the bad rows by line number and nothing from the file is stored.

    Example row: `Indeed,us,2020-02-01,pytorch,pytorch,4167`
    """
    from mindshare.sources.job_counts import read_job_counts

    chosen = load_field(field)
    frame = read_job_counts(file, chosen)
    with store_from(ctx) as store:
        stored = store.add_snapshot(frame, kind="import", source=f"job counts {file.name}",
                                    description=f"{file.name}: hand-gathered job-listing counts")
    sites = ", ".join(sorted(frame["source"].unique()))
    verb = "stored as" if stored.added else "already stored as"
    out.print(f"{len(frame)} counts from {sites} {verb} snapshot {stored.snapshot_id}")


def jobs_collect(
    ctx: typer.Context,
    source: List[str] = typer.Option(["hn"], "--source", "-s", help="hn (Hacker News 'Who is hiring?') or adzuna; repeatable."),
    field: FieldOption = None,
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM", help="HN: first month (default: all threads)."),
    country: List[str] = typer.Option(["gb", "us"], "--country", help="Adzuna: country code (repeatable)."),
) -> None:
    """Collect job-listing counts from live sources and store each run as one snapshot.

    `hn`: finds every monthly 'Ask HN: Who is hiring?' thread (HN Algolia API), counts its top-level posts
    and the posts naming each contender. `adzuna`: the number of ads per contender per country today
    (needs ADZUNA_APP_ID and ADZUNA_APP_KEY in the environment).
    """
    chosen = load_field(field)
    for name in source:
        if name == "hn":
            from mindshare.sources import hn_hiring

            frame = hn_hiring.collect(chosen, since=since)
            label = hn_hiring.SOURCE
        elif name == "adzuna":
            from mindshare.sources import adzuna

            frame = adzuna.collect(chosen, countries=country)
            label = adzuna.SOURCE
        else:
            raise typer.BadParameter(f"unknown job source {name!r}; use hn or adzuna", param_hint="--source")
        with store_from(ctx) as store:
            stored = store.add_snapshot(frame, kind="collect", source=label)
        out.print(f"{label}: {len(frame)} observations; snapshot {stored.snapshot_id}"
                  + ("" if stored.added else " (unchanged)"))
