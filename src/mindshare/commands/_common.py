"""What the CLI verbs share: the application object, the store, the options every verb spells the same way, and
one way to print a table.

The application object (`Application`, in `ctx.obj`) carries the command's one `Settings` (the environment, then
`--db` and `--cache-dir`), built once by `mindshare.cli`. A verb opens the store with `store_from(ctx)`
(`read_only=None` for a verb that only reads: a store the user may read but not write is then read).

The conventions every verb keeps (tests/test_cli_conventions.py holds every verb of `mindshare.cli.VERBS` to them):

- every verb takes `--quiet` and `--verbose` (also given before the verb: `mindshare -v collect`), and says things
  through `mindshare.console` (`say`, `detail`; `console.quiet()`, `console.verbose()` to ask which was given);
- every verb that prints data takes `--format table|csv|json` and prints through `print_frame`; a verb whose
  stdout carries no data (it writes files or changes the store, and says so on stderr) is marked
  `@prints_no_data` instead;
- a day is YYYY-MM-DD and a month YYYY-MM, never after today; `--since` takes either; a count is 0 or more;
- a name mindshare does not know (a contender, signal, source, venue) is an `UnknownNameError`: exit code 2.

Shared options are Annotated types, declared once here. A verb adopts one by annotating a parameter with it and
giving the default; the option's flags, placeholder, help and checks come along::

    from mindshare.commands._common import FieldOption, FormatOption, JsonOption, QuietOption, VerboseOption

    def my_verb(ctx: typer.Context, field: FieldOption = None, fmt: FormatOption = Format.table,
                as_json: JsonOption = False, verbose: VerboseOption = False, quiet: QuietOption = False):
        fmt = output_format(fmt, as_json)          # --json, kept where a verb had it, means --format json
        ...
        print_frame(frame, fmt)                    # table, CSV (spreadsheet-safe) or JSON, on stdout

- `FieldOption`: `--field/-f FIELD`, a field name or a .toml path (completes the known names).
- `FormatOption`: `--format table|csv|json`; `JsonOption`: `--json`, the alias of `--format json`.
- `VerboseOption` (`--verbose/-v`) and `QuietOption` (`--quiet/-q`) set how much `mindshare.console.err` says for
  the command: say things with `console.say` (hidden by --quiet), `console.detail` (shown by --verbose).
- `AsOfOption`: `--as-of DATE`, what was known on a day; `check_day`, the callback of any other DATE option;
  `since_option(default)`: `--since YYYY-MM[-DD]`; `check_since`, the callback of any other month-or-day option.
- `LimitOption`: `--limit N`, the rows a table shows (0: all); `check_count`, the callback of any other count.
- `WideOption`: `--wide`, every column in a table (a table shows the columns that answer, to fit a terminal).
- `SignalOption`, `ContenderOption`: the repeatable `--signal/-s SIGNAL` and `--contender/-c CONTENDER`.
Placeholders are words, never Python types: an option's `metavar` (FIELD, DATE, PATH), else its long name in
capitals (see `Verb`).
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Iterator, List, Optional, TypeVar

import typer
from typer.core import TyperCommand

from mindshare import console
from mindshare.console import Verbosity, out
from mindshare.errors import UnknownNameError, UsageError
from mindshare.observations import SIGNALS
from mindshare.settings import Settings

# The store (DuckDB) and pandas are imported by the functions that use them, when a verb runs: a verb's module
# imports this one, and its --help and shell completion should not wait for them.
if TYPE_CHECKING:
    import pandas as pd

    from mindshare.store import Store


# -- the application object ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Application:
    """What every verb is handed in `ctx.obj`: the command's one Settings."""

    settings: Settings

    @contextmanager
    def store(self, **kwargs) -> Iterator[Store]:
        """The store of these settings, with the bundled dataset (see mindshare.session)."""
        from mindshare.session import session

        with session(settings=self.settings, **kwargs) as store:
            yield store


def application(ctx: typer.Context) -> Application:
    """The command's application object (built by mindshare.cli; a verb invoked on its own gets one from the
    environment)."""
    app = ctx.find_object(Application)
    if app is None:
        from mindshare import settings

        app = Application(settings.load())
    return app


@contextmanager
def store_from(ctx: typer.Context, **kwargs) -> Iterator[Store]:
    """The store of this command (--db, else MINDSHARE_DB, else the default), with the bundled dataset.

    `read_only=None` for a verb that only reads; a verb that writes keeps the default and, on a store it may not
    write, stops with one line saying so."""
    with application(ctx).store(**kwargs) as store:
        yield store


# -- shared options --------------------------------------------------------------------------------------------
class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _complete_field(incomplete: str) -> list[str]:
    from mindshare.fields import available_fields

    return [name for name in available_fields() if name.startswith(incomplete)]


def _complete_signal(incomplete: str) -> list[str]:
    return [name for name in SIGNALS if name.startswith(incomplete)]


def _set_verbose(ctx: typer.Context, value: bool) -> bool:
    if value:
        _refuse_both(ctx, Verbosity.QUIET)
        console.set_verbosity(Verbosity.VERBOSE)
    return value


def _set_quiet(ctx: typer.Context, value: bool) -> bool:
    if value:
        _refuse_both(ctx, Verbosity.VERBOSE)
        console.set_verbosity(Verbosity.QUIET)
    return value


def _refuse_both(ctx: typer.Context, other: Verbosity) -> None:
    if console.verbosity() is other:
        raise typer.BadParameter("--quiet and --verbose contradict each other; give one of them", ctx=ctx)


# -- what a value on the command line may be: one rule for each kind, here --------------------------------------
# A day or month is written YYYY-MM-DD or YYYY-MM, nothing looser (Python's fromisoformat would also take
# 20200126 and 2020-W05-1); no day the command line names lies after today (UTC, the day every collector stamps):
# figures "as of 2999" or a series "since" next year would be empty at best and misleading at worst. A count
# (--limit) is a whole number, 0 or more. Each breach is one line naming the option, exit code 2 (a usage error).
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


def today() -> date:
    """Today in UTC: the day collectors stamp, and the latest day an option may name."""
    return datetime.now(UTC).date()


def given_day(text: str, option: str, *, month: bool = False) -> date:
    """The day `text` names: YYYY-MM-DD, or, where `month` is allowed, YYYY-MM (its first day); never after today.
    A UsageError naming `option` otherwise."""
    text = text.strip()
    form = "YYYY-MM or YYYY-MM-DD, e.g. 2024-01" if month else "YYYY-MM-DD, e.g. 2020-01-26"
    try:
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
        elif month and _MONTH.fullmatch(text):
            day = date.fromisoformat(f"{text}-01")
        else:
            raise ValueError(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a {'month or ' if month else ''}date; write it as {form}") \
            from None
    latest = today()
    if day > latest:
        raise UsageError(f"{option} {text} is in the future (today is {latest:%Y-%m-%d}, UTC); nothing is known "
                         f"of it yet")
    return day


def check_day(ctx: typer.Context, param: typer.CallbackParam, value: Optional[str]) -> Optional[date]:
    """The callback of an option that takes a DATE (YYYY-MM-DD, not after today): parsed once, here, into a date
    (the verb and every layer below take it as one)."""
    return None if value is None else given_day(value, param.opts[0])


def check_since(ctx: typer.Context, param: typer.CallbackParam, value: Optional[str]) -> Optional[date]:
    """The callback of `--since` and of any other option that names where a series starts or ends: a month
    (YYYY-MM, its first day) or a day (YYYY-MM-DD), not after today."""
    return None if value is None else given_day(value, param.opts[0], month=True)


def check_count(ctx: typer.Context, param: typer.CallbackParam, value: Optional[int]) -> Optional[int]:
    """The callback of an option that takes a count (N): 0 or more."""
    if value is not None and value < 0:
        raise UsageError(f"{param.opts[0]} {value}: a count is 0 or more")
    return value


def since_option(default: str) -> Any:
    """`--since YYYY-MM[-DD]`: where a series starts. `default` says what it is when not given."""
    return typer.Option(None, "--since", metavar="YYYY-MM[-DD]", callback=check_since,
                        help=f"Start here: a month (YYYY-MM) or a day (YYYY-MM-DD), not after today (default: "
                             f"{default}).")


def check_known(what: str, given: list[str] | None, known: list[str]) -> None:
    """Every name in `given` is one of `known`; else an UnknownNameError naming the first stranger and the known
    ones ("unknown signal 'dowloads'; signals: downloads, jobs, ...")."""
    unknown = [name for name in given or () if name not in known]
    if unknown:
        raise UnknownNameError(f"unknown {what} {unknown[0]!r}; {what}s: {', '.join(known)}")


# What --as-of does, in the words of every option and doc that mentions it (Store.observations filters so).
AS_OF_HELP = ("Only what was known on DATE: the figures published by then (by each figure's publication day, or, "
              "for a figure without one, the end of the period it measures).")

FieldOption = Annotated[Optional[str], typer.Option(
    "--field", "-f", metavar="FIELD", autocompletion=_complete_field,
    help="The field to compare: a name `mindshare fields` lists, or the path of a field .toml "
         "(default: deep-learning).")]
FormatOption = Annotated[Format, typer.Option(
    "--format", case_sensitive=False, help="Print a table, CSV or JSON.")]
JsonOption = Annotated[bool, typer.Option("--json", help="The same as --format json (kept for scripts).")]
VerboseOption = Annotated[bool, typer.Option(
    "--verbose", "-v", callback=_set_verbose,
    help="Say more on stderr: which store, cache and field were used, what was asked, how long it took.")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", callback=_set_quiet,
    help="Say nothing on stderr but errors: no progress, no messages; the data still goes to stdout.")]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", callback=check_day, help=AS_OF_HELP)]
LimitOption = Annotated[int, typer.Option(
    "--limit", metavar="N", callback=check_count, help="Rows shown in a table (0: all); CSV and JSON have every row.")]
WideOption = Annotated[bool, typer.Option(
    "--wide", help="Every column in a table (the table shows the ones that answer, to fit a terminal); CSV and "
                   "JSON always have every column.")]
SignalOption = Annotated[Optional[List[str]], typer.Option(
    "--signal", "-s", metavar="SIGNAL", autocompletion=_complete_signal,
    help=f"Only this signal (repeatable): {', '.join(SIGNALS)}.")]
ContenderOption = Annotated[Optional[List[str]], typer.Option(
    "--contender", "-c", metavar="CONTENDER", help="Only this contender: an id or a name (repeatable).")]


_Verb = TypeVar("_Verb", bound=Callable[..., Any])


def prints_no_data(verb: _Verb) -> _Verb:
    """Mark a verb whose stdout carries no data (it writes files or changes the store, and says what it did on
    stderr), so it takes no `--format`: the one exception to "every verb takes --format, --quiet and --verbose"."""
    verb.prints_no_data = True  # type: ignore[attr-defined]
    return verb


def prints_data(command: Any) -> bool:
    """Whether a verb (its click command) prints data: not marked `@prints_no_data`. typer keeps the mark on the
    command's callback (functools.update_wrapper copies the function's attributes)."""
    return not getattr(command.callback, "prints_no_data", False)


def output_format(fmt: Format, as_json: bool = False) -> Format:
    """The format asked for: `--json` is `--format json`."""
    return Format.json if as_json else fmt


# -- printing ----------------------------------------------------------------------------------------------------
def print_frame(frame: pd.DataFrame, fmt: Format, title: str | None = None, limit: int | None = None) -> None:
    """`frame` on stdout as a table (at most `limit` rows), CSV or JSON (every row)."""
    if fmt is Format.csv:
        console.write(spreadsheet_safe(frame).to_csv(index=False))
        return
    if fmt is Format.json:
        console.write(json.dumps(json.loads(frame.to_json(orient="records", date_format="iso")), indent=1) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    shown = frame if limit is None else frame.head(limit)
    table = Table(title=Text(title) if title else None, show_lines=False, header_style="bold")
    for column in shown.columns:
        table.add_column(Text(str(column)), overflow="fold")
    for row in shown.itertuples(index=False):
        # Text, not str: a cell is shown as it is, never read as rich markup ("[red]" in a name stays).
        table.add_row(*(Text("" if _missing(v) else _cell(v)) for v in row))
    out.print(table)
    if limit is not None and len(frame) > limit:
        out.print(f"... {console.plural(len(frame) - limit, 'more row')} (use --limit 0 for all, or --format csv)",
                  markup=False)


# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection; OWASP's advice is to
# start such a cell with an apostrophe, which the spreadsheet shows as text). Numbers are left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell that a spreadsheet would run as a formula prefixed by an apostrophe."""
    import pandas as pd

    safe = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        safe[column] = [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
                        for v in frame[column]]
    return safe


def _missing(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array cell
        return False


def _cell(value) -> str:
    import pandas as pd

    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


# -- help in words -------------------------------------------------------------------------------------------------
class Verb(TyperCommand):
    """A verb whose help names every value in words, as click and argparse do: an argument by its metavar or its
    name in capitals (`FILE`, `[SOURCE]...`), an option by its metavar or its long name in capitals
    (`--year YEAR`), never typer's Python types (`{file}`, `<path>`, `<int>`, `<list[str]>`). Choices are listed
    (`<table|csv|json>`). mindshare.cli makes every verb one of these."""

    def parse_args(self, ctx, args):
        plain_coercion(self.get_params(ctx))
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(placeholder(param, usage=True))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx, formatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((placeholder(param), record[1]))
            elif param.is_flag or param.count:
                options.append(record)
            else:
                flags = ", ".join(sorted(param.opts, key=lambda flag: len(flag) - len(flag.lstrip("-"))))  # -f, --field
                options.append((f"{flags} {option_placeholder(param, ctx)}", record[1]))
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def placeholder(param, usage: bool = False) -> str:
    """An argument's name in help: its metavar, else its name in capitals; `[NAME]` in the usage line when it
    may be left out, and `...` when it takes several."""
    name = param.metavar or param.name.upper()
    if usage and not param.required and not name.startswith("["):
        name = f"[{name}]"
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name


def option_placeholder(param, ctx) -> str:
    """An option's value in help: its metavar; else its choices; else its long name in capitals (--year YEAR)."""
    if param.metavar:
        return param.metavar
    if param.type_descriptor.is_choice:
        return param.display_type_rich(ctx)
    longest = max(param.opts, key=len).lstrip("-")
    return longest.replace("-", "_").upper()


# -- reading options without pydantic ------------------------------------------------------------------------------
def plain_coercion(params: list) -> None:
    """Read the text, flag and path options among `params` without pydantic where a value needs no more than
    typer's own rules.

    typer (0.29) coerces an option through a pydantic TypeAdapter that it builds when the command runs; importing
    pydantic for it costs about as much as starting Python and importing mindshare, on every command. A text
    option's value is already the text click parsed, a flag's a bool, and a plain path option's is that text as a
    Path, checked by typer's own `coerce_cli_path` (readable, ...); a plain decimal is its int (an int option with
    no bounds), a list of texts that list, an enum's exact value its member: those are read here, the same way. Any
    other value (bytes, an empty path, '4.0', ' 4', a value in another case) and every other kind of option still
    go through typer's adapter, so what is accepted and every error message stay typer's."""
    if _PlainParam is None:  # a typer without the pydantic layer reads options cheaply already
        return
    for param in params:
        described = getattr(param, "type_descriptor", None)
        if described is None or getattr(param, "_runtime_param", None) is not None:
            continue
        info = described.parameter_info
        if info.parser is not None or described.file_annotation is not None:
            continue
        kind = described.annotation
        plain = (kind in (str, bool, List[str]) or (kind is Path and info.path_type is None)
                 or (kind is int and info.min is None and info.max is None and not info.clamp)
                 or (isinstance(kind, type) and issubclass(kind, Enum)))
        if plain:
            param._runtime_param = _PlainParam(parameter_info=info, annotation=described.annotation,
                                               descriptor=described)


_DECIMAL = re.compile(r"-?[0-9]+")   # a plain decimal, read as int(); any other text goes to typer's adapter

# The layer read here is typer's private one: it is used only on the typer releases it was read against (any
# other typer, older or newer, reads every option itself, as it would without mindshare).
_TYPER_RELEASES_READ = ("0.29.",)

try:  # typer's coercion layer (see plain_coercion)
    if not typer.__version__.startswith(_TYPER_RELEASES_READ):
        raise ImportError(f"typer {typer.__version__}: its coercion layer was not read")
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path

    @dataclass(frozen=True)
    class _PlainParam(RuntimeParam):
        """A text, flag, path, int, list-of-texts or enum option's value, as typer's adapter gives it (see
        plain_coercion)."""

        descriptor: Any = None

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if kind in (str, bool) and isinstance(value, kind):
                return value
            if kind is int and (type(value) is int or (type(value) is str and _DECIMAL.fullmatch(value))):
                return int(value)  # what typer's adapter gives for a plain decimal; any other text goes to it
            if kind == List[str] and isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
                return list(value)
            if isinstance(kind, type) and issubclass(kind, Enum):
                if isinstance(value, kind):
                    return value
                if type(value) is str and value in {member.value for member in kind}:
                    return kind(value)
            if self.annotation is Path and isinstance(value, (str, Path)) and str(value):
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)
except (ImportError, TypeError, AttributeError):  # not the layer read here: typer reads options itself
    _PlainParam = None  # type: ignore[assignment,misc]
