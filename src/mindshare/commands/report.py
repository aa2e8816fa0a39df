"""`mindshare report`: build the report from the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from mindshare.commands._common import out, store_from
from mindshare.fields import load_field


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    field: Optional[str] = typer.Option(None, "--field", "-f", help="Field name or path to a field TOML (default: deep-learning)."),
    out_dir: Path = typer.Option(Path("mindshare-report"), "--out", "-o", help="Folder to write the report to."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="YYYY-MM-DD", help="Report what was known on that day."),
    png: bool = typer.Option(True, "--png/--no-png", help="Also render every chart to PNG and SVG."),
    compare_to: Optional[str] = typer.Option(None, "--compare-to", metavar="YYYY-MM-DD",
                                             help="Set every headline figure beside its value as known on that day."),
    weights: Optional[str] = typer.Option(None, "--weights", metavar="SIGNAL=W,...",
                                          help="Weights of a custom composite score, e.g. 'jobs=0.5,downloads=0.3,"
                                               "research=0.2' (default: the field's [score_weights], if any)."),
) -> None:
    """Write the report: index.html (self-contained, interactive), report.md, results.json and charts/.

    Sections follow the 2020 article "Is PyTorch catching TensorFlow?" (job listings, research, search
    interest, reported usage) and add PyPI downloads, GitHub stars and Stack Overflow questions, a summary
    of who leads and who is gaining, and the sources of every figure. The folder must be new, empty or an
    earlier report; the new report replaces mindshare's own files only once it is complete.
    """
    from mindshare.report.build import build_report
    from mindshare.report.render import write_report

    started = time.perf_counter()
    chosen = load_field(field)
    if as_of:
        _check_date(as_of)
    if compare_to:
        _check_date(compare_to, "--compare-to")
    chosen_weights = _parse_weights(weights) if weights else None
    with store_from(ctx) as store:
        built = build_report(store, chosen, as_of=as_of, compare_to=compare_to, weights=chosen_weights)
    folder = write_report(built, out_dir, render_images=png)
    elapsed = time.perf_counter() - started
    out.print(f"report written to [bold]{folder.resolve()}[/] in {elapsed:.1f}s")
    out.print(f"  open {(folder / 'index.html').resolve()}")


def _parse_weights(text: str) -> dict[str, float]:
    from mindshare.analysis.composite import parse_weights
    from mindshare.errors import InputError

    try:
        return parse_weights(text)
    except ValueError as exc:
        raise InputError(f"--weights {text!r}: {exc}") from None


def _check_date(text: str, option: str = "--as-of") -> None:
    from datetime import date

    from mindshare.errors import MindshareError

    try:
        date.fromisoformat(text)
    except ValueError:
        raise MindshareError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD") from None
