"""The `mindshare` command line. Each group of verbs lives in `mindshare/commands/<name>.py`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from mindshare import __version__
from mindshare.errors import MindshareError

# Modules under mindshare.commands that add verbs; each has `register(app)`.
# In the order `mindshare --help` lists them: the report first, then getting data in, then reading it back.
COMMAND_MODULES = ["report", "collect", "jobs", "trends", "survey", "scan", "papers", "research", "data"]

app = typer.Typer(
    name="mindshare",
    help=(
        "Measure which technologies are winning adoption, with provenance for every number.\n\n"
        "Start with `mindshare report`: it loads the bundled dataset of real historical figures into the store "
        "on first use and writes an HTML, Markdown and JSON report comparing the field's contenders "
        "(by default the deep-learning frameworks) on job listings, research, search interest, reported "
        "usage and more."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Context:
    """What every verb needs: where the store is."""

    def __init__(self, db: Path | None):
        self.db = db


@app.callback()
def root(
    ctx: typer.Context,
    db: Optional[Path] = typer.Option(
        None, "--db", envvar="MINDSHARE_DB", metavar="PATH",
        help="The DuckDB store to use. Default: mindshare.duckdb in your user data folder.",
    ),
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(f"mindshare {__version__}")
        raise typer.Exit()
    ctx.obj = Context(db)


for _name in COMMAND_MODULES:
    importlib.import_module(f"mindshare.commands.{_name}").register(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit, never a traceback.

    Usage errors (an unknown verb or option) are typer's own: a usage line and exit code 2.
    """
    try:
        app()
    except MindshareError as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; the store keeps what was committed and a re-run resumes", markup=False)
        sys.exit(130)
