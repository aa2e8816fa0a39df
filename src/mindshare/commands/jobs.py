"""Job-listing verbs: `mindshare jobs collect` for live sources (`mindshare import FILE`, hand-gathered counts, is in
commands/survey.py with the other file imports)."""

from __future__ import annotations

from typing import List, Optional

import typer

from mindshare.commands._common import out, store_from
from mindshare.fields import load_field


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Job listings: collect counts from Hacker News 'Who is hiring?' and Adzuna.",
                        no_args_is_help=True)
    group.command("collect")(jobs_collect)
    app.add_typer(group, name="jobs")


def jobs_collect(
    ctx: typer.Context,
    source: List[str] = typer.Option(["hn"], "--source", "-s", help="hn (Hacker News 'Who is hiring?') or adzuna; repeatable."),
    field: Optional[str] = typer.Option(None, "--field", "-f", help="Field name or path to a field TOML."),
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
