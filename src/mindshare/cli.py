"""The `mindshare` command line. Each group of verbs lives in `mindshare/commands/<name>.py` and adds itself with
`register(app)`; `VERBS` below names every verb, in the order `mindshare --help` lists them, and the module that
registers it.

A verb's module is imported only when that verb runs (or its help is shown): `mindshare scan` does not import
the collectors' HTTP client, `mindshare --version` imports neither pandas nor DuckDB (bench/cli.py measures it).

Every command gets one application object (`commands._common.Application`, in `ctx.obj`) holding the one
`Settings` of the command: the environment, then `--db` and `--cache-dir`; and a temporary folder of its own under
the cache (`mindshare.tempfiles`), swept by the next command if this one is killed. Help is plain text (no markup that
could eat `<source>`), with placeholders in words.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path
from typing import Optional

import typer
import typer.completion
import typer.main
from typer.completion import Shells
from typer.core import TyperCommand, TyperGroup

from mindshare import console, settings
from mindshare._version import __version__
from mindshare.errors import MindshareError, UsageError

# Every verb of `mindshare`, in the order --help lists them: its name -> the module whose `register(app)` adds it.
# The report first, then getting data in, then reading it back. A new verb is one line here.
VERBS: dict[str, str] = {
    "report": "mindshare.commands.report",
    "publish": "mindshare.commands.publish",
    "collect": "mindshare.commands.collect",
    "jobs": "mindshare.commands.jobs",            # jobs collect
    "trends": "mindshare.commands.trends",        # trends collect, trends samples
    "import": "mindshare.commands.jobs",          # import (hand-gathered job counts)
    "survey": "mindshare.commands.survey",        # survey import
    "scan": "mindshare.commands.scan",
    "papers": "mindshare.commands.papers",        # papers fetch, papers venues
    "research": "mindshare.commands.research",    # research sample, research shares
    "compare": "mindshare.commands.compare",      # compare NAME NAME ...
    "observations": "mindshare.commands.data",
    "fields": "mindshare.commands.data",
    "snapshots": "mindshare.commands.data",       # snapshots (list), snapshots delete
}

# Help text is wrapped to this width at most (and to the terminal, when narrower); docs/cli.md uses it exactly.
HELP_WIDTH = 100


class PipeClosed(Exception):
    """The reader of stdout went away (`mindshare observations | head`). Not an OSError, so that it travels past
    click (which would exit 1) to `main`, after every store and file of the command has been closed."""


class Mindshare(TyperGroup):
    """The root group: the verbs of VERBS, each loaded from its module when it is asked for (--help lists them in
    VERBS' order); a closed pipe and an interrupt end every verb the same way. (A MindshareError travels on to
    `main`, which prints it: tests that invoke the app in-process see the exception itself.)"""

    def list_commands(self, ctx) -> list[str]:
        return [*VERBS, *(name for name in self.commands if name not in VERBS)]

    def get_command(self, ctx, name: str) -> Optional[TyperCommand | TyperGroup]:
        if name not in self.commands and name in VERBS:
            self.commands[name] = load_verb(name)
        return self.commands.get(name)

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in VERBS:
            # Not a verb: typer's "Did you mean ...?" looks among the verbs loaded so far, so load them all.
            for name in VERBS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx, args):
        from mindshare.commands._common import plain_coercion

        plain_coercion(self.get_params(ctx))
        if not ctx.resilient_parsing:  # completing a command line (`_MINDSHARE_COMPLETE`) runs nothing
            args = _shell_given(args)
        return super().parse_args(ctx, args)

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
    # Credentials are each source's own (declared on its provider); listing them here would import every source at
    # start-up, so the root help says where they are listed.
    epilog="Environment variables:\n\n\b\n" + "\n".join(
        f"  {name}: {meaning}" for name, meaning in settings.VARIABLES.items())
    + "\n  Credentials (tokens, keys, passwords): each source's own, listed beside it by `mindshare collect --help`"
      " (the live sources) and `mindshare papers fetch --help` (the venues).",
    no_args_is_help=True,
    add_completion=False,  # mindshare's own --show-completion and --install-completion (root, below)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": HELP_WIDTH},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mindshare {__version__}")
        raise typer.Exit()


# Shell completion. typer's own --show-completion and --install-completion (add_completion=True) are flags that look
# for the shell among the parent processes even when one is named: `mindshare --show-completion bash > FILE` in a
# Dockerfile, a CI job or a service, where no shell started mindshare, failed ("Shell  not supported"). These take
# the shell named; only the bare form looks for the shell mindshare runs under (_shell_given).
COMPLETION_OPTIONS = ("--show-completion", "--install-completion")
typer.completion.completion_init()  # typer's completers answer `_MINDSHARE_COMPLETE=complete_bash` (and zsh, ...)


def _show_completion(ctx: typer.Context, shell: Optional[Shells]) -> None:
    if shell is not None:
        typer.echo(typer.completion.get_completion_script(
            prog_name=_program(ctx), complete_var=_complete_variable(ctx), shell=shell.value))
        raise typer.Exit()


def _install_completion(ctx: typer.Context, shell: Optional[Shells]) -> None:
    if shell is not None:
        _, path = typer.completion.install(shell=shell.value, prog_name=_program(ctx),
                                           complete_var=_complete_variable(ctx))
        typer.echo(f"{shell.value} completion installed in {path}; it works in shells started from now on")
        raise typer.Exit()


def _program(ctx: typer.Context) -> str:
    return ctx.find_root().info_name or "mindshare"


def _complete_variable(ctx: typer.Context) -> str:
    """The variable that asks for completions (`_MINDSHARE_COMPLETE`), named as typer's completers read it."""
    return "_{}_COMPLETE".format(_program(ctx).replace("-", "_").upper())


def _shell_given(args: list[str]) -> list[str]:
    """`args` with the shell that a bare --show-completion or --install-completion (the last word before the verb,
    or an option next) stands for: the shell mindshare runs under. typer's click has no option whose value may be
    left out (click's `is_flag=False, flag_value=`), so the bare form is given its value here, before parsing."""
    for at, word in enumerate(args):
        if word in VERBS or word == "--":
            break
        if word in COMPLETION_OPTIONS and (at + 1 == len(args) or args[at + 1].startswith("-")):
            return [*args[:at + 1], _running_shell(word), *args[at + 1:]]
    return args


def _running_shell(option: str) -> str:
    """The nearest shell among mindshare's parent processes, if completion is written for it."""
    import shellingham  # typer's own dependency, which it uses for the same

    try:
        found, _ = shellingham.detect_shell()
    except shellingham.ShellDetectionFailure:
        found = None
    names = [shell.value for shell in Shells]
    if found not in names:
        which = "no shell among the processes that started mindshare" if found is None else f"{found} has none"
        raise UsageError(f"{option}: which shell's completion? ({which}); name it: mindshare {option} SHELL, "
                         f"SHELL one of {', '.join(names)}")
    return found


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
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Say more on stderr, whatever the verb (as a verb's own --verbose does)."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Say nothing on stderr but errors, whatever the verb (as a verb's own --quiet)."),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print mindshare's version and exit."),
    install_completion: Optional[Shells] = typer.Option(
        None, "--install-completion", metavar="SHELL", callback=_install_completion, is_eager=True,
        help="Install completion for SHELL (bash, zsh, fish, powershell or pwsh) in your home folder and exit; "
             "alone, for the shell you run mindshare from."),
    show_completion: Optional[Shells] = typer.Option(
        None, "--show-completion", metavar="SHELL", callback=_show_completion, is_eager=True,
        help="Print the completion script for SHELL and exit, to save it where you like; alone, for the shell you "
             "run mindshare from."),
) -> None:
    # `mindshare -v collect` as `mindshare collect -v`: this runs before the verb's options are read, so a verb's own
    # --quiet or --verbose that contradicts this one is refused there; either holds until the command ends.
    console.set_verbosity(_verbosity(verbose=verbose, quiet=quiet))
    ctx.call_on_close(lambda: console.set_verbosity(console.Verbosity.NORMAL))
    from mindshare.commands._common import Application
    from mindshare.tempfiles import temporary_folder

    chosen = settings.read().with_store(db).with_cache(cache_dir)
    ctx.obj = Application(chosen)
    # Deeper code that asks mindshare.settings.load() gets this same Settings for the rest of the command.
    ctx.with_resource(settings.using(chosen))
    # Temporary files (an unzipped survey, the scan's process pool) go under the cache, in a folder of this
    # process that the next run sweeps if this one is killed.
    ctx.with_resource(temporary_folder(chosen))


def _verbosity(*, verbose: bool, quiet: bool) -> console.Verbosity:
    if verbose and quiet:
        raise typer.BadParameter("--quiet and --verbose contradict each other; give one of them")
    return console.Verbosity.VERBOSE if verbose else console.Verbosity.QUIET if quiet else console.Verbosity.NORMAL


def load_verb(name: str) -> TyperCommand | TyperGroup:
    """The click command of verb `name`: its module (VERBS) imported and registered on an app of its own, made the
    way typer makes `app`'s own commands (the same help markup, placeholders in words)."""
    verbs = typer.Typer(rich_markup_mode=app.rich_markup_mode, pretty_exceptions_short=app.pretty_exceptions_short,
                        suggest_commands=app.suggest_commands)
    importlib.import_module(VERBS[name]).register(verbs)
    _words_in_help(verbs)
    return typer.main.get_group(verbs).commands[name]


def _words_in_help(typer_app: typer.Typer) -> None:
    """Make every verb, however its module registered it, a `Verb` (placeholders in words; see _common)."""
    from mindshare.commands._common import Verb

    for command in typer_app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = Verb
    for group in typer_app.registered_groups:
        _words_in_help(group.typer_instance)


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
