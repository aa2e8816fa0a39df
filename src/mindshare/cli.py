"""The `mindshare` command line. Each group of verbs lives in `mindshare/commands/<name>.py` and adds itself with
`register(app)`; the calls below, in the order `mindshare --help` lists the verbs, are the whole list.

Every command gets one application object (`commands._common.Application`, in `ctx.obj`) holding the one
`Settings` of the command: the environment, then `--db` and `--cache-dir`. Help is plain text (no markup that
could eat `<source>`), with placeholders in words.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperCommand, TyperGroup

from mindshare import __version__, console, settings
from mindshare.commands import _common, collect, data, jobs, papers, report, research, scan, survey, trends
from mindshare.errors import MindshareError

# Help text is wrapped to this width at most (and to the terminal, when narrower); docs/cli.md uses it exactly.
HELP_WIDTH = 100


class PipeClosed(Exception):
    """The reader of stdout went away (`mindshare observations | head`). Not an OSError, so that it travels past
    click (which would exit 1) to `main`, after every store and file of the command has been closed."""


class Mindshare(TyperGroup):
    """The root group: --help lists the verbs in the order they are registered (HELP_ORDER); a closed pipe and an
    interrupt end every verb the same way. (A MindshareError travels on to `main`, which prints it: tests that
    invoke the app in-process see the exception itself.)"""

    def list_commands(self, ctx) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda name: HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER))

    def make_context(self, *args, **kwargs):
        try:  # `mindshare --help` and `--version` print while the root's options are parsed
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            raise PipeClosed from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise PipeClosed from None
        except KeyboardInterrupt:
            console.error("interrupted; the store keeps what was committed and a re-run resumes")
            raise typer.Exit(130) from None


app = typer.Typer(
    name="mindshare",
    cls=Mindshare,
    help=(
        "Measure which technologies are winning adoption, with provenance for every number.\n\n"
        "Start with `mindshare report`: it loads the bundled dataset of real historical figures into the store "
        "on first use and writes an HTML, Markdown and JSON report comparing the field's contenders "
        "(by default the deep-learning frameworks) on job listings, research, search interest, reported "
        "usage and more."
    ),
    epilog="Environment variables:\n\n\b\n" + "\n".join(
        f"  {name}: {meaning}" for name, meaning in settings.VARIABLES.items()),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": HELP_WIDTH},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mindshare {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Optional[Path] = typer.Option(
        None, "--db", metavar="PATH", show_default=False,
        help=f"The store (a DuckDB file). Default: ${settings.ENV_DB}, else mindshare.duckdb in your user data "
             f"folder.",
    ),
    cache_dir: Optional[Path] = typer.Option(
        None, "--cache-dir", metavar="PATH", show_default=False,
        help=f"The cache folder (HTTP responses, rendered charts). Default: ${settings.ENV_CACHE}, else your user "
             f"cache folder.",
    ),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print mindshare's version and exit."),
) -> None:
    console.set_verbosity(console.Verbosity.NORMAL)  # a verb's --quiet or --verbose holds until it ends
    ctx.call_on_close(lambda: console.set_verbosity(console.Verbosity.NORMAL))
    chosen = settings.read().with_store(db).with_cache(cache_dir)
    ctx.obj = _common.Application(chosen)
    # Deeper code that asks mindshare.settings.load() gets this same Settings for the rest of the command.
    ctx.with_resource(settings.using(chosen))


# The order of the verbs in `mindshare --help`: the order they are registered in below (see Mindshare).
HELP_ORDER: list[str] = []


def _register(module) -> None:
    """Add a module's verbs (`module.register(app)`) and list them in --help after those added before."""
    before = set(_verb_names(app))
    module.register(app)
    HELP_ORDER.extend(name for name in _verb_names(app) if name not in before)


def _verb_names(typer_app: typer.Typer) -> list[str]:
    return ([c.name or c.callback.__name__.replace("_", "-") for c in typer_app.registered_commands]
            + [g.name or g.typer_instance.info.name for g in typer_app.registered_groups])


# The report first, then getting data in, then reading it back.
_register(report)    # report
_register(collect)   # collect
_register(jobs)      # jobs collect
_register(trends)    # trends collect, trends samples
_register(survey)    # import, survey import
_register(scan)      # scan
_register(papers)    # papers fetch, papers venues
_register(research)  # research sample, research shares
_register(data)      # observations, fields, snapshots (and snapshots delete)


def _words_in_help(typer_app: typer.Typer) -> None:
    """Make every verb, however its module registered it, a `Verb` (placeholders in words; see _common)."""
    for command in typer_app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = _common.Verb
    for group in typer_app.registered_groups:
        _words_in_help(group.typer_instance)


_words_in_help(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit, never a traceback.

    Usage errors (an unknown verb or option) are typer's own: a usage line and exit code 2. When the reader of
    stdout goes away, mindshare ends the way `cat` or `git log` do there: silently, killed by SIGPIPE (a shell
    reports status 141), so `set -o pipefail` scripts see what they see for any other tool.
    """
    try:
        app(prog_name="mindshare")  # also under `python -m mindshare`: help, usage and completion say mindshare
    except MindshareError as exc:
        console.error(f"error: {exc}")
        sys.exit(exc.exit_code)
    except PipeClosed:
        _die_of_sigpipe()


def _die_of_sigpipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush into the closed pipe at exit
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
