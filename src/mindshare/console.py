"""The terminal: one Console for data (stdout) and one for messages (stderr). Every verb and progress bar uses
these two, so `--quiet` and `--verbose` mean the same everywhere and a closed pipe is handled in one place.

- `out`: what a verb produces: tables, CSV, JSON, the path of what it wrote. Scripts read it.
- `err`: everything said to the person at the terminal: progress, what was stored, warnings, errors.
- `say(text)`: a message (not shown with `--quiet`); `detail(text)`: shown only with `--verbose`;
  `error(text)`: always shown. `quiet()` and `verbose()` tell a verb which of them the command asked for, given
  before the verb (`mindshare -v collect`) or after it (`mindshare collect -v`).
- `plural(count, noun)`: "1 request", "2 requests", "1,068 papers": every count said in words goes through it.

When the reader of stdout goes away (`mindshare observations | head`), writing raises `BrokenPipeError`, from
rich and from plain writes alike; the CLI ends quietly the way other command-line tools do (see mindshare.cli).
"""

from __future__ import annotations

import sys
from enum import IntEnum

from rich.console import Console


class Verbosity(IntEnum):
    QUIET = -1
    NORMAL = 0
    VERBOSE = 1


class _DataConsole(Console):
    def on_broken_pipe(self) -> None:
        # rich's own handler exits with status 1 on the spot; the CLI decides how a closed pipe ends instead.
        raise BrokenPipeError


# Piped output is not folded at 80 columns: tables stay greppable.
out = _DataConsole(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_level = Verbosity.NORMAL


def set_verbosity(level: Verbosity) -> None:
    """How much `err` says for the rest of this command (`--quiet`, `--verbose`); progress bars drawn on `err`
    are silent under QUIET."""
    global _level
    _level = Verbosity(level)
    err.quiet = _level is Verbosity.QUIET


def verbosity() -> Verbosity:
    return _level


def quiet() -> bool:
    """`--quiet` was given: say nothing but errors (no progress bars, no summaries on stderr)."""
    return _level is Verbosity.QUIET


def verbose() -> bool:
    """`--verbose` was given: say where things are, what was asked, how long it took."""
    return _level is Verbosity.VERBOSE


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and its noun, singular for exactly one: plural(1, "request") -> "1 request", plural(1068, "paper")
    -> "1,068 papers", plural(2, "category", "categories") -> "2 categories"."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def say(text: str) -> None:
    """A message for the person at the terminal, on stderr; not shown with `--quiet`. Printed as given (no markup)."""
    if _level >= Verbosity.NORMAL:
        err.print(text, markup=False, highlight=False)


def detail(text: str) -> None:
    """A message shown only with `--verbose`: where things are, what was asked, how long it took."""
    if _level >= Verbosity.VERBOSE:
        err.print(text, markup=False, highlight=False)


def error(text: str) -> None:
    """An error: always shown, `--quiet` or not."""
    quiet, err.quiet = err.quiet, False
    try:
        err.print(text, markup=False, highlight=False)
    finally:
        err.quiet = quiet


def write(text: str) -> None:
    """Data written as it is (CSV, JSON) to stdout."""
    out.file.write(text)
