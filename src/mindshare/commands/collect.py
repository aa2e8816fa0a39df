"""`mindshare collect`: fetch today's numbers from the live sources into the store, one snapshot per source."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import List, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mindshare.commands._common import out, store_from
from mindshare.errors import InputError, MindshareError, SourceError
from mindshare.fields import Field, load_field
from mindshare.http import PROVIDERS, Http
from mindshare.observations import SnapshotKind
from mindshare.store import Store
from mindshare.sources import SOURCES, Run, Source

err = Console(stderr=True, highlight=False, soft_wrap=True)

def make_http(cache: bool = True) -> Http:
    """The client a collection uses (tests replace this with one on recorded responses)."""
    return Http(cache=cache)


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)


def collect(
    ctx: typer.Context,
    sources: Optional[List[str]] = typer.Argument(
        None, metavar="[SOURCE]...", help=f"Which sources (default: all): {', '.join(SOURCES)}.", show_default=False),
    field_name: Optional[str] = typer.Option(None, "--field", "-f", help="Field name or path to a field TOML (default: deep-learning)."),
    contender: Optional[List[str]] = typer.Option(None, "--contender", "-c", help="Only this contender (repeatable)."),
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="Start of monthly series (default: the same month a year ago)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the requests it would make, and change nothing."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the providers again even if a response is cached (cache: 12 h)."),
) -> None:
    """Fetch today's numbers from the live sources: GitHub, PyPI downloads, Stack Overflow, Hugging Face, ... (list below).

    Each source's result is its own snapshot in the store, written in one transaction: a source that fails
    loses nothing of the others, and a re-run adds no duplicates (an interrupted run resumes from the HTTP
    cache). Tokens come from the environment: GITHUB_TOKEN, STACKEXCHANGE_KEY, HF_TOKEN (all optional; see
    `docs/collect.md` for what each buys).

    Example: `mindshare collect github wikipedia -c pytorch -c jax --since 2025-01-01`
    """
    chosen_sources = _sources(sources)
    chosen_field = load_field(field_name)
    contenders = chosen_field.select(contender)
    today = datetime.now(UTC).date()
    start = _since(since, today)
    if dry_run:
        _print_plan(chosen_sources, contenders, start, today)
        return
    results = run_collection(chosen_sources, contenders, start, today, make_http(cache=not no_cache),
                             lambda: store_from(ctx), chosen_field)
    _print_summary(results)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise SourceError(f"{len(failed)} of {len(results)} sources failed ({', '.join(r.source for r in failed)}); "
                          + ("the store is unchanged" if all(r.status in ("failed", "skipped") for r in results)
                             else "the others' results are stored") + "; run again to retry the failed ones")


@dataclass
class Outcome:
    source: str
    status: str = "pending"        # added, unchanged, skipped, failed
    rows: int = 0
    snapshot: str = ""
    why: str = ""
    seconds: float = 0.0
    requests: int = 0
    from_cache: int = 0
    notes: list[str] = field(default_factory=list)


def run_collection(sources: list[Source], contenders, since: date, today: date, http: Http, open_store,
                   chosen_field: Field | None = None, progress: bool = True, store: bool = True) -> list[Outcome]:
    """Run every source in its own thread (different hosts in parallel; each host's limits are the HTTP layer's),
    and store each result, in this thread, as soon as it is ready (`store=False`: collect only, for benchmarks).
    `open_store()` returns a context manager giving the Store; it is entered only when a first result is ready,
    so a run where every source fails leaves the store as it was (not even created)."""
    keep = store
    outcomes = {s.name: Outcome(s.name) for s in sources}
    done: queue.Queue = queue.Queue()
    bar = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not progress, transient=False)
    tasks = {s.name: bar.add_task(s.title, total=None) for s in sources}

    def work(source: Source) -> None:
        started = time.perf_counter()
        run = Run(http, source.eligible(contenders), since, today,
                  advance=lambda n: bar.advance(tasks[source.name], n),
                  set_total=lambda n: bar.update(tasks[source.name], total=n))
        try:
            if not run.contenders:
                done.put((source, run, None, None, time.perf_counter() - started))
                return
            frame = source.collect(run)
            done.put((source, run, frame, None, time.perf_counter() - started))
        except MindshareError as exc:
            done.put((source, run, None, exc, time.perf_counter() - started))
        except Exception as exc:  # a bug in one source must not lose the others' work
            done.put((source, run, None, SourceError(f"{source.name}: unexpected {type(exc).__name__}: {exc}"),
                      time.perf_counter() - started))

    store_cm = None
    store: Store | None = None
    try:
        with bar:
            for source in sources:
                threading.Thread(target=work, args=(source,), name=f"collect-{source.name}", daemon=True).start()
            for _ in sources:
                source, run, frame, error, seconds = done.get()
                outcome = outcomes[source.name]
                outcome.seconds, outcome.notes = seconds, run.notes
                if error is not None:
                    outcome.status, outcome.why = "failed", str(error)
                    err.print(f"failed: {error}", markup=False)
                elif frame is None or frame.empty:
                    outcome.status = "skipped"
                    outcome.why = (f"no contender has a {source.identifier}" if not run.contenders
                                   else "; ".join(run.notes) or "nothing returned")
                elif not keep:
                    outcome.status, outcome.rows = "collected", len(frame)
                else:
                    if store is None:
                        store_cm = open_store()
                        store = store_cm.__enter__()
                    try:
                        _store(store, source, frame, outcome, contenders, since, chosen_field)
                    except MindshareError as exc:
                        outcome.status, outcome.why = "failed", f"{source.name}: not stored: {exc}"
                        err.print(f"failed: {outcome.why}", markup=False)
                bar.update(tasks[source.name], description=f"{source.title} ({outcome.status})")
    finally:
        if store_cm is not None:
            store_cm.__exit__(None, None, None)
        http.close()
    by_provider = {s.provider: outcomes[s.name] for s in sources}
    for record in list(http.requests):
        if record.provider in by_provider:
            by_provider[record.provider].requests += 1
            by_provider[record.provider].from_cache += record.from_cache
    return [outcomes[s.name] for s in sources]


def _store(store: Store, source: Source, frame: pd.DataFrame, outcome: Outcome, contenders, since: date,
           chosen_field: Field | None) -> None:
    holder = already_stored(store, source.name, frame)
    if holder:
        outcome.status, outcome.snapshot = "unchanged", holder
        outcome.why = "same numbers as already stored (only the fetch time differs)"
        return
    field_name = chosen_field.name if chosen_field else "?"
    description = (f"{source.title}: {len(source.eligible(contenders))} contenders of field {field_name}, "
                   f"since {since:%Y-%m-%d}, method {source.method}")
    result = store.add_snapshot(frame, kind=SnapshotKind.COLLECT, source=source.name, description=description)
    outcome.snapshot, outcome.rows = result.snapshot_id, result.rows
    if result.added:
        outcome.status = "added"
        outcome.why = "; ".join(outcome.notes)
    else:
        outcome.status, outcome.rows = "unchanged", 0
        outcome.why = "already stored (replayed from the HTTP cache)"


def already_stored(store: Store, source_name: str, frame: pd.DataFrame) -> str | None:
    """The newest collect snapshot of this source if it already holds every row of `frame` (Store.same_content_as)."""
    return store.same_content_as(SnapshotKind.COLLECT, source_name, frame)


def _sources(names: list[str] | None) -> list[Source]:
    if not names:
        return list(SOURCES.values())
    unknown = [n for n in names if n.lower() not in SOURCES]
    if unknown:
        raise InputError(f"unknown source {unknown[0]!r}; known sources: {', '.join(SOURCES)}")
    return [SOURCES[n.lower()] for n in dict.fromkeys(names)]


def _since(text: str | None, today: date) -> date:
    if not text:
        return date(today.year - 1, today.month, 1)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since {text!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-01") from None
    if day > today:
        raise InputError(f"--since {text} is in the future")
    return day


def _print_plan(sources: list[Source], contenders, since: date, today: date) -> None:
    import os

    for source in sources:
        calls = source.plan(contenders, since, today)
        spec = PROVIDERS[source.provider]
        credential = ""
        if spec.credential_env:
            credential = f"; {spec.credential_env} {'is set' if os.environ.get(spec.credential_env) else 'not set'}"
        out.print(f"[bold]{source.name}[/bold]: {len(calls)} requests to {spec.host}{credential}")
        for call in calls:
            out.print(f"  GET {call.full_url}", markup=False, soft_wrap=True)
    out.print(f"dry run: nothing fetched, the store is unchanged (window {since:%Y-%m-%d}..{today:%Y-%m-%d})")


def _print_summary(results: list[Outcome]) -> None:
    table = Table(title="mindshare collect", header_style="bold")
    for column in ("source", "status", "rows", "requests", "seconds", "snapshot / why"):
        table.add_column(column, overflow="fold")
    for r in results:
        requests = f"{r.requests}" + (f" ({r.from_cache} cached)" if r.from_cache else "")
        detail = " — ".join(x for x in (r.snapshot, r.why) if x)
        table.add_row(r.source, r.status, str(r.rows), requests, f"{r.seconds:.1f}", detail)
    out.print(table)
