"""The collection runner: every live source in its own worker, each result stored as its own snapshot.

`run_collection` is the one way in for every live collector: the CLI's `collect`, `trends collect` and `jobs
collect` and the Python API's `mindshare.collect()` all call it, so each stores under its source's name
(`already_stored` sees the others' snapshots), every request goes through one shared `Http` (and is counted), and
the same rules hold: a source that fails or returns nothing where it used to return rows stores nothing and is
reported as failed; what the others collected is kept.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, ContextManager

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mindshare.console import err, plural
from mindshare.errors import MindshareError, SourceError, UnknownNameError, UsageError
from mindshare.fields import Field
from mindshare.http import Http
from mindshare.observations import SnapshotKind
from mindshare.sources import SOURCES, Run, Source, SourceSkipped
from mindshare.store import Store


@dataclass
class Outcome:
    source: str
    status: str = "pending"        # added, unchanged, skipped, failed (collected: store=False)
    rows: int = 0
    snapshot: str = ""
    why: str = ""
    seconds: float = 0.0
    requests: int = 0
    from_cache: int = 0
    notes: list[str] = field(default_factory=list)
    not_configured: bool = False   # skipped because a credential or setting is missing


@dataclass
class _Result:
    """What one source's worker hands back to the thread that stores."""

    source: Source
    run: Run
    seconds: float
    frame: pd.DataFrame | None = None
    error: MindshareError | None = None
    skipped: str = ""


def run_collection(sources: list[Source], contenders, since: date, today: date, http: Http,
                   open_store: Callable[[], ContextManager[Store]] | None,
                   chosen_field: Field | None = None, progress: bool = True, store: bool = True, *,
                   allow_empty: bool = False) -> list[Outcome]:
    """Run every source in its own worker (different hosts in parallel; each host's limits are the HTTP
    layer's), and store each result, in this thread, as soon as it is ready (`store=False`: collect only, for
    benchmarks). `open_store()` gives a context manager for the Store; it is entered only when a result needs
    it, so a run where every source fails leaves the store as it was (not even created).

    A source that returns no rows where its previous snapshot had some fails (nothing stored), unless
    `allow_empty`: an empty answer is far more often a broken provider than a real zero."""
    outcomes = {s.name: Outcome(s.name) for s in sources}
    bar = Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not progress, transient=False)
    tasks = {s.name: bar.add_task(s.title, total=None) for s in sources}
    opened: list[Store] = []
    stopping = threading.Event()   # set when the run is interrupted: workers stop at their next step

    def work(source: Source) -> _Result:
        started = time.perf_counter()

        def advance(n: float) -> None:
            if stopping.is_set():
                raise SourceError(f"{source.name}: interrupted")
            bar.advance(tasks[source.name], n)

        run = Run(http, source.eligible(contenders), since, today, advance=advance,
                  set_total=lambda n: bar.update(tasks[source.name], total=n))
        result = _Result(source, run, 0.0)
        try:
            if not run.contenders:
                result.skipped = f"no contender has a {source.identifier}"
            else:
                result.frame = source.collect(run)
        except SourceSkipped as exc:
            result.skipped = str(exc)
        except MindshareError as exc:
            result.error = exc
        except Exception as exc:  # a bug in one source must not lose the others' work
            result.error = SourceError(f"{source.name}: unexpected {type(exc).__name__}: {exc}")
        result.seconds = time.perf_counter() - started
        return result

    with ExitStack() as stack:
        stack.callback(http.close)

        def the_store() -> Store:
            if not opened:
                opened.append(stack.enter_context(open_store()))
            return opened[0]

        stack.enter_context(bar)
        pool = ThreadPoolExecutor(max_workers=max(1, len(sources)), thread_name_prefix="collect")
        # on the way out (normally, every future is done): an interrupted run does not wait for the workers
        stack.callback(pool.shutdown, wait=False, cancel_futures=True)
        stack.callback(stopping.set)
        pending: set[Future] = {pool.submit(work, source) for source in sources}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                outcome = outcomes[result.source.name]
                outcome.seconds, outcome.notes = result.seconds, result.run.notes
                _settle(result, outcome, the_store if store else None, contenders, since, chosen_field, allow_empty)
                if outcome.status == "failed":
                    err.print(f"failed: {outcome.why}", markup=False)
                bar.update(tasks[result.source.name], description=f"{result.source.title} ({outcome.status})")
    for record in list(http.requests):
        for source in sources:
            if record.provider == source.provider.name:
                outcomes[source.name].requests += 1
                outcomes[source.name].from_cache += record.from_cache
    return [outcomes[s.name] for s in sources]


def _settle(result: _Result, outcome: Outcome, the_store: Callable[[], Store] | None, contenders, since: date,
            chosen_field: Field | None, allow_empty: bool) -> None:
    """Decide what one source's result is, and store it if it is to be stored."""
    source, frame = result.source, result.frame
    if result.error is not None:
        outcome.status, outcome.why = "failed", str(result.error)
        return
    if result.skipped:
        outcome.status, outcome.why = "skipped", result.skipped
        outcome.not_configured = bool(result.run.contenders)
        return
    if frame is None or frame.empty:
        previous = previous_snapshot(the_store(), source.name) if the_store else None
        if previous and previous[1] and not allow_empty:
            outcome.status = "failed"
            outcome.why = (f"{source.name}: returned 0 rows where the previous snapshot {previous[0]} had "
                           f"{previous[1]}; nothing stored (if that is expected, run again with --allow-empty)"
                           + (f"; {'; '.join(result.run.notes)}" if result.run.notes else ""))
        else:
            outcome.status = "skipped"
            outcome.why = "; ".join(result.run.notes) or "nothing returned"
        return
    if the_store is None:
        outcome.status, outcome.rows = "collected", len(frame)
        return
    try:
        _store(the_store(), source, frame, outcome, contenders, since, chosen_field)
    except MindshareError as exc:
        outcome.status, outcome.why = "failed", f"{source.name}: not stored: {exc}"


def _store(store: Store, source: Source, frame: pd.DataFrame, outcome: Outcome, contenders, since: date,
           chosen_field: Field | None) -> None:
    holder = already_stored(store, source.name, frame)
    if holder:
        outcome.status, outcome.snapshot = "unchanged", holder
        outcome.why = "same numbers as already stored (only the fetch time differs)"
        return
    field_name = chosen_field.name if chosen_field else "?"
    description = (f"{source.title}: {plural(len(source.eligible(contenders)), 'contender')} of field {field_name}, "
                   f"{source.window(since)}, method {source.method}")
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


def previous_snapshot(store: Store, source_name: str) -> tuple[str, int] | None:
    """The newest collect snapshot of this source: (id, rows), or None."""
    snapshots = store.snapshots()
    mine = snapshots[(snapshots["kind"] == SnapshotKind.COLLECT) & (snapshots["source"] == source_name)]
    if mine.empty:
        return None
    last = mine.sort_values("created_at").iloc[-1]
    return str(last["snapshot_id"]), int(last["rows"])


def sources_named(names: list[str] | None) -> list[Source]:
    """The sources of these names (any case), each once, in the order given; all of them when none are named."""
    if not names:
        return list(SOURCES.values())
    unknown = [n for n in names if n.lower() not in SOURCES]
    if unknown:
        raise UnknownNameError(f"unknown source {unknown[0]!r}; known sources: {', '.join(SOURCES)}")
    return [SOURCES[n.lower()] for n in dict.fromkeys(names)]


def default_since(today: date) -> date:
    """Where a collection starts when no `since` is given: the first of the same month a year ago."""
    return date(today.year - 1, today.month, 1)


def since_day(text: str | date | None, today: date) -> date:
    """`since` as the Python API takes it (text or a date; the command line parses its --since itself, in
    commands/_common.py): a day no later than today; by default `default_since(today)`."""
    if not text:
        return default_since(today)
    if isinstance(text, date):
        day = text
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"since {text!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-01") from None
    if day > today:
        raise UsageError(f"since {text} is in the future (today is {today:%Y-%m-%d}, UTC)")
    return day
