"""`mindshare collect`: fetch today's numbers from the live sources into the store, one snapshot per source.

The run itself is `mindshare.collection.run_collection`, the one way in for every live collector (`collect`,
`trends collect`, `jobs collect` and the Python API's `mindshare.collect()`); this module is the verb: its
options, the client it hands the run (`make_http`, which tests replace with one on recorded responses), the
`--dry-run` plan and the summary table.
"""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from datetime import date
from typing import List, Optional

import pandas as pd
import typer
from rich.table import Table

from mindshare import console
from mindshare.collection import Outcome, default_since, run_collection, sources_named
from mindshare.commands._common import (
    ContenderOption,
    FieldOption,
    Format,
    FormatOption,
    QuietOption,
    VerboseOption,
    application,
    out,
    print_frame,
    since_option,
    store_from,
    today,
)
from mindshare.console import err, plural
from mindshare.errors import SourceError
from mindshare.fields import Field, load_field
from mindshare.http import Http, RequestRecord
from mindshare.settings import Settings
from mindshare.sources import SOURCES, Source


def make_http(cache: bool = True, verbose: bool = False, settings: Settings | None = None) -> Http:
    """The client a collection uses (tests replace this with one on recorded responses); `verbose`: print each
    request (verbs pass `console.verbose()`: --verbose before or after the verb)."""
    return Http(cache=cache, settings=settings, on_request=print_request if verbose else None)


def print_request(record: RequestRecord) -> None:
    """`--verbose`: each URL asked (secret values masked) and its status, as it happens (on stderr)."""
    err.print(f"  {record.provider}: {record.line()}", markup=False, soft_wrap=True)


# -- the options these verbs share (declared the same way in each) ---------------------------------------------
def allow_empty_option():
    return typer.Option(False, "--allow-empty",
                        help="A source that returns nothing where its last snapshot had rows is expected "
                             "(otherwise that is an error and nothing is stored).")


def register(app: typer.Typer) -> None:
    app.command("collect", epilog=sources_epilog())(collect)


def sources_epilog() -> str:
    """What each source measures and the credential it reads from the environment, from the sources themselves
    (the README and `mindshare --help` list the variables; this says which source reads which)."""
    lines = []
    for source in SOURCES.values():
        credential = source.provider.credential
        unnamed = [name for name in (credential.names if credential else ()) if name not in source.measures]
        reads = f" [{', '.join(unnamed)}]" if unnamed else ""
        # wrapped here, as help is (the block is marked not to be re-wrapped: one source a paragraph would not fit)
        lines += textwrap.wrap(f"{source.name}: {source.measures}{reads}", width=94, initial_indent="  ",
                               subsequent_indent="      ")
    return "Sources, what each measures [and the credential it reads]:\n\n\b\n" + "\n".join(lines)


def collect(
    ctx: typer.Context,
    sources: Optional[List[str]] = typer.Argument(
        None, metavar="[SOURCE]...", help=f"Which sources (default: all): {', '.join(SOURCES)}.", show_default=False),
    field_name: FieldOption = None,
    contender: ContenderOption = None,
    since: Optional[str] = since_option("the same month a year ago"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the requests it would make, and change nothing."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the providers again even if a response is cached (cache: 12 h)."),
    allow_empty: bool = allow_empty_option(),
    verbose: VerboseOption = False,
    quiet: QuietOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch today's numbers from the live sources: GitHub, PyPI downloads, Stack Overflow, Hugging Face, ... (list below).

    Each source's result is its own snapshot in the store, written in one transaction: a source that fails
    loses nothing of the others, and a re-run adds no duplicates (an interrupted run resumes from the HTTP
    cache). Credentials come from the environment, each named below beside its source (most are optional:
    `docs/collect.md` says what each buys); a source that needs one it lacks is skipped, and said so.

    Example: `mindshare collect github wikipedia -c pytorch -c jax --since 2025-01`
    """
    chosen_sources = sources_named(sources)
    chosen_field = load_field(field_name)
    contenders = chosen_field.select(contender)
    until = today()
    start = since or default_since(until)
    settings = application(ctx).settings
    if dry_run:
        _print_plan(chosen_sources, contenders, start, until, settings, fmt)
        return
    collect_and_finish(ctx, chosen_sources, chosen_field, contenders, start, until, no_cache=no_cache,
                       allow_empty=allow_empty, fmt=fmt, named=bool(sources))


def collect_and_finish(ctx: typer.Context, sources: list[Source], chosen_field: Field, contenders, since: date,
                       until: date, *, no_cache: bool, allow_empty: bool, fmt: Format, named: bool) -> None:
    """What `collect`, `jobs collect` and `trends collect` do once their sources are chosen: run them through
    the one runner with this command's HTTP client (`make_http`) and store, then the summary and the exit."""
    http = make_http(cache=not no_cache, verbose=console.verbose(), settings=application(ctx).settings)
    results = run_collection(sources, contenders, since, until, http, lambda: store_from(ctx), chosen_field,
                             progress=not console.quiet(), allow_empty=allow_empty)
    finish(results, fmt, named)


def finish(results: list[Outcome], fmt: Format, named: bool) -> None:
    """The summary (unless --quiet), then the exit: non-zero when a source failed, or when a source the user
    named could not run for want of a credential or setting."""
    if not console.quiet():
        _print_summary(results, fmt)
    failed = [r for r in results if r.status == "failed"]
    unconfigured = [r for r in results if named and r.not_configured]
    if failed or unconfigured:
        nothing = all(r.status in ("failed", "skipped") for r in results)
        parts = []
        if failed:
            parts.append(f"{len(failed)} of {plural(len(results), 'source')} failed ({', '.join(r.source for r in failed)})")
        if unconfigured:
            parts.append("; ".join(f"{r.source} did not run: {r.why}" for r in unconfigured))
        raise SourceError("; ".join(parts) + "; " + ("the store is unchanged" if nothing else
                                                     "the others' results are stored")
                          + ("; run again to retry the failed ones" if failed else ""))


def _print_plan(sources: list[Source], contenders, since: date, until: date, settings: Settings,
                fmt: Format = Format.table) -> None:
    """`--dry-run`: every request each source would make (a table as lines; CSV and JSON one row a request)."""
    rows = []
    for source in sources:
        calls = source.plan(source.eligible(contenders), since, until, settings)
        spec = source.provider
        credential = ""
        if spec.credential:
            is_set = all(settings.credential(n) for n in spec.credential.names)
            credential = f"{spec.credential_names} {'set' if is_set else 'not set'}"
        rows += [{"source": source.name, "host": spec.host, "method": call.verb, "url": call.full_url,
                  "credential": credential} for call in calls]
        if fmt is Format.table:
            out.print(f"[bold]{source.name}[/bold]: {plural(len(calls), 'request')} to {spec.host}"
                      + (f"; {credential}" if credential else ""))
            for call in calls:
                out.print(f"  {call.verb} {call.full_url}", markup=False, soft_wrap=True)
    if fmt is not Format.table:
        print_frame(pd.DataFrame(rows, columns=["source", "host", "method", "url", "credential"]), fmt)
        return
    out.print(f"dry run: nothing fetched, the store is unchanged (window {since:%Y-%m-%d}..{until:%Y-%m-%d})")


def _print_summary(results: list[Outcome], fmt: Format = Format.table) -> None:
    if fmt is not Format.table:
        rows = [{k: v for k, v in asdict(r).items() if k != "not_configured"} | {"notes": "; ".join(r.notes)}
                for r in results]
        print_frame(pd.DataFrame(rows), fmt)
        return
    table = Table(title="mindshare collect", header_style="bold")
    for column in ("source", "status", "rows", "requests", "seconds", "snapshot / why"):
        table.add_column(column, overflow="fold")
    for r in results:
        requests = f"{r.requests}" + (f" ({r.from_cache} cached)" if r.from_cache else "")
        detail = " — ".join(x for x in (r.snapshot, r.why) if x)
        table.add_row(r.source, r.status, str(r.rows), requests, f"{r.seconds:.1f}", detail)
    out.print(table)
