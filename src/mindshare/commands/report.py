"""`mindshare report`: build the report from the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from mindshare import console
from mindshare.commands._common import (
    AsOfOption,
    FieldOption,
    QuietOption,
    VerboseOption,
    application,
    check_day,
    prints_no_data,
)
from mindshare.errors import InputError
from mindshare.fields import load_field


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@prints_no_data  # it writes a folder and says where
def report(
    ctx: typer.Context,
    field: FieldOption = None,
    out_dir: Path = typer.Option(Path("mindshare-report"), "--out", "-o", metavar="FOLDER",
                                 help="Folder to write the report to."),
    as_of: AsOfOption = None,
    png: bool = typer.Option(True, "--png/--no-png", help="Also render every chart to PNG and SVG."),
    compare_to: Optional[str] = typer.Option(
        None, "--compare-to", metavar="DATE", callback=check_day,
        help="Set every headline figure beside its value as known on DATE (known as for --as-of: published "
             "by then)."),
    weights: Optional[str] = typer.Option(
        None, "--weights", metavar="SIGNAL=WEIGHT,...",
        help="Weights of a custom composite score, e.g. 'jobs=0.5,downloads=0.3,research=0.2': each a known "
             "signal, once, with a finite weight of 0 or more, not all 0 (default: the field's "
             "score_weights table, if any)."),
    contenders: Optional[str] = typer.Option(
        None, "--contenders", metavar="NAME,NAME,...",
        help="Report on these technologies instead of a field: names as `mindshare compare` takes them, "
             "comma-separated (e.g. polars,pandas)."),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
) -> None:
    """Write the report: index.html (self-contained, interactive), report.md, results.json and charts/.

    Sections follow the 2020 article "Is PyTorch catching TensorFlow?" (job listings, research, search
    interest, reported usage) and add PyPI downloads, GitHub stars and Stack Overflow questions, a summary
    of who leads and who is gaining, and the sources of every figure. The folder must be new, empty or an
    earlier report; the new report replaces mindshare's own files only once it is complete.
    """
    from mindshare.api import write_report_folder

    started = time.perf_counter()
    chosen_weights = None
    if weights:  # the analysis package (pandas, statsmodels) loads only when asked: a warm report reads no frame
        from mindshare.analysis.composite import parse_weights

        chosen_weights = parse_weights(weights)
    settings = application(ctx).settings
    if contenders is not None:
        from mindshare.api import write_comparison_report
        from mindshare.comparison import check_names

        if field:
            raise InputError("--field and --contenders each say what to compare; give one of them")
        names = check_names([name for name in contenders.split(",") if name.strip()])
        console.detail(f"store {settings.store_path}; contenders {', '.join(names)}; cache {settings.cache_root}")
        folder = write_comparison_report(settings, names, {}, out_dir, as_of=as_of, compare_to=compare_to,
                                         weights=chosen_weights, png=png)
    else:
        chosen = load_field(field)
        console.detail(f"store {settings.store_path}; field {chosen.path}; cache {settings.cache_root}")
        folder = write_report_folder(settings, chosen, out_dir, as_of=as_of, compare_to=compare_to,
                                     weights=chosen_weights, png=png)
    elapsed = time.perf_counter() - started
    if console.verbosity() is not console.Verbosity.QUIET:
        console.out.print(f"report written to {folder.resolve()} in {elapsed:.1f}s", markup=False)
        console.out.print(f"  open {(folder / 'index.html').resolve()}", markup=False)
