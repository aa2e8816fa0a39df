"""Errors a user can act on, and the exit code of each.

Every failure caused by input (a field file, a store, a CSV, a PDF, a provider, the command line itself) raises
a `MindshareError` whose message names what went wrong and where. The CLI prints that one line and exits with the
error's code; anything else is a bug and keeps its traceback. `EXIT_CODES` says what each code means (docs/cli.md
shows it); every class here uses one of them.
"""

from __future__ import annotations

# What each exit code of `mindshare` means. 2 is click's own code for a usage error (an unknown verb or option, a
# value not among an option's choices): a name or value on the command line that mindshare cannot use is the
# same kind of mistake, fixed the same way, so it gets the same code.
EXIT_CODES: dict[int, str] = {
    0: "done",
    1: "an error with no code of its own",
    2: "the command line asks for what cannot be: an unknown verb, option or name (a contender, signal, source, "
       "venue, field, arXiv category), or a value out of bounds (a day in the future, a negative count); also a "
       "broken field file or environment variable",
    3: "the store cannot be opened or written",
    4: "the store is held by another process for longer than MINDSHARE_LOCK_WAIT",
    5: "the report cannot be written where asked",
    6: "a file given to import or scan is malformed, or a step needs a setting that is missing",
    7: "a provider failed (network, HTTP status, an answer that cannot be read); what others gave is kept",
    130: "interrupted (Ctrl-C); what was committed is kept, and a re-run resumes",
    141: "(the shell's status) the reader of stdout went away, as in `mindshare observations | head`",
}


class MindshareError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    exit_code = 1


class UsageError(MindshareError):
    """The command line asks for what cannot be: a value out of bounds or not of its form (a day in the future,
    a negative count, a month written as a day)."""

    exit_code = 2


class UnknownNameError(UsageError):
    """A name given on the command line that mindshare does not know (a contender, a signal, a source, a venue, a
    field, an arXiv category); the message lists the names it knows."""


class FieldError(MindshareError):
    """A field file that cannot be read, or names something that does not exist."""

    exit_code = 2


class UnknownContenderError(FieldError, UnknownNameError):
    pass


class StoreError(MindshareError):
    """The DuckDB store cannot be opened or written."""

    exit_code = 3


class StoreLockedError(StoreError):
    exit_code = 4


class ReportError(MindshareError):
    """The report cannot be written where asked."""

    exit_code = 5


class InputError(MindshareError):
    """A file given to import or scan is malformed."""

    exit_code = 6


class SourceError(MindshareError):
    """A provider failed: network, HTTP status, or a response we cannot read."""

    exit_code = 7
