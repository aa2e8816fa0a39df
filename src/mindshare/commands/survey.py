"""File imports: `mindshare survey import` (a developer survey's answers file) and `mindshare import` (job-listing
counts gathered by hand). Each file becomes one snapshot, or nothing is stored."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mindshare import console
from mindshare.analysis.surveys import wilson_interval
from mindshare.commands._common import (
    FieldOption,
    Format,
    FormatOption,
    JsonOption,
    QuietOption,
    VerboseOption,
    out,
    output_format,
    print_frame,
    store_from,
)
from mindshare.fields import load_field
from mindshare.observations import SnapshotKind

if TYPE_CHECKING:
    import pandas as pd


class SurveySource(str, Enum):
    stackoverflow = "stackoverflow"
    kaggle = "kaggle"


def register(app: typer.Typer) -> None:
    app.command("import")(import_counts)
    group = typer.Typer(help="Developer surveys: import a survey's public answers file.", no_args_is_help=True)
    group.command("import")(survey_import)
    app.add_typer(group, name="survey")


def survey_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The survey file as downloaded: the zip, or the CSV in it."),
    source: SurveySource = typer.Option(..., "--source", help="Which survey: stackoverflow, or kaggle (the ML & DS "
                                                              "survey's multiple-choice file)."),
    year: int = typer.Option(..., "--year", help="The survey's year (2017-2024 for stackoverflow, 2018-2022 for "
                                                 "kaggle; 2025 has no frameworks question)."),
    field: FieldOption = None,
    fmt: FormatOption = Format.table,
    as_json: JsonOption = False,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count and print, store nothing."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Import a developer-survey file: the share of respondents who ticked each option of the field's question.

    The question is the machine-learning frameworks question, or the one the field declares ([survey.stackoverflow]
    columns: `--field web-frameworks` reads WebFrameWorkedWith from a 2019 file). A file whose base is a small part
    of the published results' (a sample) is said to be one, in one line, and stored with that note.

    Shares are given two ways, each with a 95% Wilson interval and its n: of the respondents who answered the
    question (the figure the surveys publish) and of all respondents; for all respondents and for professional
    developers as Stack Overflow defined them that year (Stack Overflow), or data scientists (Kaggle). The year's
    columns come from data/surveys/<source>.toml, each contender's option label from the field; a file whose
    columns do not match its year is refused. Everything is stored as one snapshot, or nothing is.

    `--format json` (or `--json`) prints one record per option: contender, subject, segment, share_pct, ci_low,
    ci_high, n, base, count, year; `--format csv` the same as CSV.

    Example: `mindshare survey import stack-overflow-developer-survey-2019.zip --source stackoverflow --year 2019`
    """
    chosen = load_field(field)
    if source is SurveySource.kaggle:
        from mindshare.importers.kaggle_survey import read_kaggle

        result = read_kaggle(file, year=year, field=chosen)
    else:
        from mindshare.history import published_base
        from mindshare.importers.stackoverflow_survey import read_survey
        from mindshare.overlay import survey_topic

        result = read_survey(file, year=year, field=chosen, published_n=published_base(year, survey_topic(chosen)))
    stored = None
    if not dry_run:
        with store_from(ctx) as store:
            stored = store.add_snapshot(result.observations, kind=SnapshotKind.IMPORT, source=result.source,
                                        description=f"{result.file_name} sha256:{result.sha256}")
    fmt = output_format(fmt, as_json)
    if fmt is Format.json:
        console.write(json.dumps(json_records(result), indent=1) + "\n")
        return
    if fmt is Format.csv:
        import pandas as pd

        print_frame(pd.DataFrame(json_records(result)), fmt)
        return
    out.print(f"{result.source}: " + "; ".join(
        f"{t.segment} {t.n_all:,} ({t.n_answered:,} answered the question)" for t in result.totals))
    for remark in result.remarks:
        out.print(f"  note: {remark}")
    for row in with_intervals(result.shares[result.shares["contender"].notna()]).itertuples(index=False):
        out.print(f"  {row.contender:<12} {row.segment:<24} of {row.base:<22} {row.share_pct:6.2f} %  "
                  f"[{row.ci_low:.2f}, {row.ci_high:.2f}]  {row.count:,} of n={row.n:,}")
    others = result.shares[result.shares["contender"].isna()]["subject"].unique()
    if len(others):
        out.print(f"  also stored (no contender of the field): {', '.join(others)}")
    for contender in result.absent:
        out.print(f"  {contender.id:<12} not an option in {year}")
    if stored is not None:
        verb = "stored as" if stored.added else "already stored as"
        out.print(f"{verb} snapshot {stored.snapshot_id} ({stored.rows} observations)")


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
    from mindshare.importers.job_counts import read_job_counts

    chosen = load_field(field)
    frame = read_job_counts(file, chosen)
    with store_from(ctx) as store:
        stored = store.add_snapshot(frame, kind=SnapshotKind.IMPORT, source=f"job counts {file.name}",
                                    description=f"{file.name}: hand-gathered job-listing counts")
    sites = ", ".join(sorted(frame["source"].unique()))
    verb = "stored as" if stored.added else "already stored as"
    out.print(f"{len(frame)} counts from {sites} {verb} snapshot {stored.snapshot_id}")


def with_intervals(shares: pd.DataFrame) -> pd.DataFrame:
    """`shares` with each share's 95% Wilson interval (ci_low, ci_high, in %), for showing a reader.

    Only what is shown gets one: the store keeps count and n, from which the analysis computes its own."""
    bounds = [wilson_interval(count, n) for count, n in zip(shares["count"], shares["n"])]
    return shares.assign(ci_low=[round(100 * low, 4) for low, _ in bounds],
                         ci_high=[round(100 * high, 4) for _, high in bounds])


def json_records(result) -> list[dict]:
    """The `--json` shape: one record per option with a contender, segment and base."""
    shown = with_intervals(result.shares[result.shares["contender"].notna()])
    return [{"contender": r.contender, "subject": r.subject, "segment": r.segment, "share_pct": r.share_pct,
             "ci_low": r.ci_low, "ci_high": r.ci_high, "n": int(r.n), "base": r.base, "count": int(r.count),
             "year": result.year} for r in shown.itertuples(index=False)]
