"""Errors a user can act on.

Every failure caused by input (a field file, a store, a CSV, a PDF, a provider) raises a `MindshareError`
whose message names what went wrong and where. The CLI prints that one line and exits non-zero; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class MindshareError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    exit_code = 1


class FieldError(MindshareError):
    """A field file that cannot be read, or names something that does not exist."""

    exit_code = 2


class UnknownContenderError(FieldError):
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
