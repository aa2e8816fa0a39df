"""`mindshare survey import`: developer-survey files into the store."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from mindshare.commands._common import FieldOption, out, store_from
from mindshare.fields import load_field


class SurveySource(str, Enum):
    stackoverflow = "stackoverflow"
    kaggle = "kaggle"


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Developer surveys: import a survey's public answers file.", no_args_is_help=True)
    group.command("import")(survey_import)
    app.add_typer(group, name="survey")


def survey_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The survey file as downloaded: the zip, or the CSV in it."),
    source: SurveySource = typer.Option(..., "--source", help="Which survey: stackoverflow, or kaggle (the ML & DS "
                                                              "survey's multiple-choice file)."),
    year: int = typer.Option(..., "--year", help="The survey's year (2017-2025 for stackoverflow, 2018-2022 for kaggle)."),
    field: FieldOption = None,
    as_json: bool = typer.Option(False, "--json", help='Print [{"contender", "segment", "share_pct", "ci_low", '
                                                       '"ci_high", "n", ...}] instead of a table.'),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count and print, store nothing."),
) -> None:
    """Import a developer-survey file: the share of respondents who worked with each contender.

    Shares are given two ways, each with a 95% Wilson interval and its n: of the respondents who answered the
    framework question (the figure Stack Overflow publishes) and of all respondents; for all respondents and for
    professional developers (Stack Overflow only). The year's column and option names come from
    data/surveys/<source>.toml; a file whose columns do not match is refused. Everything is stored as one
    snapshot, or nothing is.

    Example: `mindshare survey import stack-overflow-developer-survey-2019.zip --source stackoverflow --year 2019`
    """
    from mindshare.sources.stackoverflow_survey import json_records, read_survey

    chosen = load_field(field)
    if source is SurveySource.kaggle:
        from mindshare.sources.kaggle_survey import read_kaggle

        result = read_kaggle(file, year=year, field=chosen)
    else:
        result = read_survey(file, year=year, field=chosen, survey=source.value)
    stored = None
    if not dry_run:
        with store_from(ctx) as store:
            stored = store.add_snapshot(result.observations, kind="import", source=result.source,
                                        description=f"{result.file_name} sha256:{result.sha256}")
    if as_json:
        sys.stdout.write(json.dumps(json_records(result), indent=1) + "\n")
        return
    counts = result.counts
    out.print(f"{result.source}: {counts['n_all']:,} respondents, {counts['n_answered']:,} answered the question"
              + (f"; professional developers {counts['n_all_pro']:,} ({counts['n_answered_pro']:,} answered)"
                 if result.has_professional else "; no professional-developer question that year"))
    for row in result.shares.itertuples(index=False):
        out.print(f"  {row.contender:<12} {row.segment:<24} of {row.base:<22} {row.share_pct:6.2f} %  "
                  f"[{row.ci_low:.2f}, {row.ci_high:.2f}]  {row.count:,} of n={row.n:,}")
    for contender in result.absent:
        out.print(f"  {contender.id:<12} not an option in {year}")
    if stored is not None:
        verb = "stored as" if stored.added else "already stored as"
        out.print(f"{verb} snapshot {stored.snapshot_id} ({stored.rows} observations)")
