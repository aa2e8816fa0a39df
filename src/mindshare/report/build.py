"""Build the report model from the store: read it once, hand every section its input, collect the sections.

This module only orchestrates. Each section lives in `report/sections/<id>.py` (one per section of results.json)
and is a function of one typed input; none of them opens the store, reads the clock or names a contender. The
report's date (today, or --as-of) is decided here and passed in.

A report is a function of its *identity* (`report_identity`): the store's content (its snapshots: each one's id,
content hash and rows), the field, the options (--as-of, --compare-to, --weights), the day it is made, and the code
that makes it (mindshare's files and the installed packages). When the cache holds a report of the same identity
(report.cache), `build_report` hands that back instead of building: a warm `mindshare report` with no new data
costs one query of the store and a copy of files, and imports neither pandas nor the analysis. This module
therefore imports them only where it builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mindshare import console
from mindshare.report import cache

if TYPE_CHECKING:
    import pandas as pd

    from mindshare.fields import Field
    from mindshare.report.model import Report
    from mindshare.store import Store

# The store orders rows by signal, metric, subject, segment and period; rows tied on those come back in any order,
# and the first row of a source met decides its S-number. Breaking the ties makes the report a function of the
# store's content alone (the same store gives the same results.json).
TIE_BREAK = ["signal", "metric", "subject", "segment", "period_start", "source", "method", "period_end",
             "period_label", "contender", "snapshot_id", "value", "value_text", "collected_at"]
NUMBERS, EARLIER_NUMBERS = "mindshare_report_numbers", "mindshare_report_earlier_numbers"
IDENTITY_FORMAT = "mindshare report identity 1"


def build_report(store: Store, field: Field, *, as_of: date | None = None, compare_to: date | None = None,
                 weights: dict[str, float] | None = None, today: date | None = None) -> Report:
    """The report of `field` from `store`, as known on `as_of` (default: everything, dated `today`). The days are
    dates, parsed once where the user gave them (the CLI's option, the API's argument).

    When the cache holds the report of the same identity, that is what is returned (a `cache.HeldReport`: the
    same content, read back only when asked for)."""
    today = today or date.today()
    identity = report_identity(store, field, as_of=as_of, compare_to=compare_to, weights=weights, today=today)
    held = cache.held_report(identity)
    if held is not None:
        console.detail(f"the report of this store, field and options is in the cache ({identity[:12]})")
        return held  # type: ignore[return-value]   # a HeldReport reads as the Report it holds
    console.say("building the report (the first time for this data: the analysis takes a while) ...")
    return _built(store, field, as_of=as_of, compare_to=compare_to, weights=weights, today=today,
                  identity=identity)


def _built(store: Store, field: Field, *, as_of: date | None, compare_to: date | None,
           weights: dict[str, float] | None, today: date, identity: str) -> Report:
    from mindshare.catalogue import SEARCH
    from mindshare.observations import SnapshotKind, Sources
    from mindshare.report import engine
    from mindshare.report.article import article_of
    from mindshare.report.evidence import Evidence
    from mindshare.report.model import Provenance, Report
    from mindshare.report.render import start_drawing
    from mindshare.report.sections import headline, jobs, research, search, signals, sources, usage

    start_drawing()   # the chart library, drawn beside the build the first time
    observations = in_full_order(store.observations(as_of=as_of))
    snapshots = store.snapshots()
    evidence = Evidence(
        observations=observations, field=field, provenance=Provenance(),
        report_date=as_of or today,
        collected_snapshots=frozenset(snapshots.loc[snapshots["kind"] == SnapshotKind.COLLECT, "snapshot_id"]),
        article=article_of(field))
    samples = in_full_order(store.observations(signal=SEARCH.name, source=Sources.GOOGLE_TRENDS, as_of=as_of,
                                               all_snapshots=True, include_notes=False))
    earlier = in_full_order(store.observations(as_of=compare_to)) if compare_to else None
    connection = store.connection
    connection.register(NUMBERS, numbers_of(observations))
    if earlier is not None:
        connection.register(EARLIER_NUMBERS, numbers_of(earlier))
    try:
        ordered = [jobs.build(evidence), research.build(evidence), search.build(search.SearchInput(evidence, samples)),
                   usage.build(evidence), signals.build(evidence)]
        start_drawing(ordered)   # their charts, while the analysis runs
        console.say("  the sections are built; now the statistics of the answer ...")
        analysed = engine.run(engine.EngineInput(
            evidence, connection, NUMBERS, weights=weights or field.score_weights, compare_to=compare_to,
            compare_relation=EARLIER_NUMBERS if earlier is not None else None, compare_observations=earlier))
        # the answer comes first on the page but is numbered after the sections, so their S-numbers stay put
        answer = headline.build(headline.HeadlineInput(evidence, analysed.answer))
        sections = [answer, *ordered, analysed.details,
                    sources.build(evidence)]   # last: it lists every source the others cited
    finally:
        connection.unregister(NUMBERS)
        if earlier is not None:
            connection.unregister(EARLIER_NUMBERS)
    return Report(
        field_name=field.name, field_title=field.title,
        generated_at=today.isoformat(),   # the day, not the time: the same data on one day make the same files
        as_of=as_of.isoformat() if as_of else None, store_name=store.path.name, sections=sections,
        sources=evidence.provenance.entries, snapshots=snapshots, identity=identity,
    )


def in_full_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(TIE_BREAK, na_position="first", kind="stable", ignore_index=True)


def numbers_of(observations: pd.DataFrame) -> pd.DataFrame:
    """The rows the analysis reads: numbers, not notes."""
    return observations[observations["kind"] == "number"]


# -- the answer alone, as known on a day ------------------------------------------------------------------------
def answer_as_of(store: Store, field: Field, day: date, *, weights: dict[str, float] | None = None,
                 known: KnownFigures | None = None) -> dict | None:
    """The answer (results.json's `headline` section, without source numbers) as known on `day`: the figures
    published by then, dated `day`. What the site's scoreboard through time is made of: only the analysis runs, not
    the sections.

    Kept in the cache twice: under the store's content (a history already read costs one query a day), and under
    the content of the figures known that day (a store that gained figures published later, as a new collection
    does, reads each day's figures again but does not analyse them again).

    `known`: the store's figures read once for many days (`KnownFigures`), instead of one query a day."""
    options = (IDENTITY_FORMAT, code_digest(), repr(field), day, sorted((weights or {}).items()))
    by_store = _digest_of((*options, known.store_digest if known is not None else store_digest(store)))
    held = cache.load_answer(by_store)
    if held is not None:
        return held.get("answer")
    observations = known.as_of(day) if known is not None else in_full_order(store.observations(as_of=day))
    by_content = _digest_of((*options, _frame_digest(observations)))
    held = cache.load_answer(by_content)
    if held is None:
        console.say(f"  the answer as known on {day.isoformat()} ...")
        held = {"answer": _answer_of(store, field, day, weights, observations)}
        cache.save_answer(by_content, held)
    cache.save_answer(by_store, held)
    return held.get("answer")


class KnownFigures:
    """The store's figures (the newest snapshot of each measurement), read once when first asked for, and what of
    them was known on a day: `store.observations(as_of=day)` for many days at the cost of one query."""

    def __init__(self, store: Store):
        self._store = store
        self.store_digest = store_digest(store)
        self._all: pd.DataFrame | None = None
        self._known_since: pd.Series | None = None

    def as_of(self, day: date) -> pd.DataFrame:
        """The figures known on `day`, in full order: the rows store.observations(as_of=day) returns (a figure is
        known once public: its published day, else the end, else the start of the period it measures; one
        without any of them always), in the order in_full_order gives them."""
        import pandas as pd

        if self._all is None:
            self._all = in_full_order(self._store.observations())
            frame = self._all
            self._known_since = frame["published"].fillna(frame["period_end"]).fillna(frame["period_start"])
        since = self._known_since
        assert since is not None
        known = since.isna() | (since <= pd.Timestamp(day))
        if not known.any():   # the query's empty frame has columns of other types: that one, as it is
            return in_full_order(self._store.observations(as_of=day))
        return self._all[known].reset_index(drop=True)


def _digest_of(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _frame_digest(frame: pd.DataFrame) -> str:
    """The rows of `frame`, in any order (the store returns tied rows in no fixed order)."""
    import numpy as np
    import pandas as pd

    rows = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha256(np.sort(rows).tobytes()).hexdigest()


def _answer_of(store: Store, field: Field, day: date, weights: dict[str, float] | None,
               observations: pd.DataFrame) -> dict | None:
    """The analysis and the answer made from it, as report.engine makes them (the same two calls, the same
    arguments), without the method-details section the engine builds beside them: half its time, and the history
    reads only the answer."""
    from mindshare.analysis.answer import answer_of
    from mindshare.analysis.pipeline import analyse, data_notes_of
    from mindshare.report import engine
    from mindshare.report.article import article_of

    article = article_of(field)
    chosen = weights or field.score_weights
    names = {c.id: c.name for c in field.contenders}
    connection = store.connection
    connection.register(NUMBERS, numbers_of(observations))
    try:
        with engine.one_thread(connection):
            result = analyse(connection, NUMBERS, contenders=list(field.ids), names=lambda i: names.get(i, i),
                             presets=article.composite_presets if article else (), weights=chosen,
                             data_notes=data_notes_of(observations))  # the caveats stored as words, as the engine
    finally:
        connection.unregister(NUMBERS)
    answer = answer_of(result, report_date=day, names=lambda i: names.get(i, i), weights=chosen)
    return answer.as_section() if answer is not None else None


# -- the report's identity ----------------------------------------------------------------------------------------
def report_identity(store: Store, field: Field, *, as_of: date | None, compare_to: date | None,
                    weights: dict[str, float] | None, today: date) -> str:
    """A digest of everything a report depends on, read without pandas: the same identity, the same report."""
    return identity_of(store_digest(store), store.path.name, field, as_of=as_of, compare_to=compare_to,
                       weights=weights, today=today)


def store_digest(store: Store) -> str:
    """The store's content: every snapshot (id, kind, source, when, content hash, rows). Nothing in the store
    changes but by adding or deleting a snapshot (mindshare.store), so this is all a report can see of it."""
    rows = store.connection.execute(
        "SELECT snapshot_id, kind, source, CAST(created_at AS VARCHAR), content_hash, rows FROM snapshots "
        "ORDER BY snapshot_id").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# -- the store's content, known without opening it -------------------------------------------------------------------
# A warm report reads nothing of the store but its digest (store_digest), and opening the store for it (DuckDB's
# import, a reader's copy of the tables) was most of a warm report's time. So the digest is remembered beside what
# the file system says of the store file and its write-ahead log (device, inode, size, times of change): DuckDB
# writes nothing, a checkpoint or a commit, without changing them. It is remembered only when the files had not
# changed for SETTLED_NS before they were read (a write in the same tick of the clock as the last one would leave
# their times as they were: git's "racy" index entries), and only when they were the same after the read.
STORES = "stores"
SETTLED_NS = 2_000_000_000


def store_state(path: Path) -> list | None:
    """What the file system says of the store at `path` and its write-ahead log: None when there is no store there
    or it cannot be looked at."""
    try:
        main = os.stat(path)
        state: list = [main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns]
        try:
            wal = os.stat(f"{path}.wal")
            state += [wal.st_ino, wal.st_size, wal.st_mtime_ns, wal.st_ctime_ns]
        except FileNotFoundError:
            state.append(None)
    except OSError:
        return None
    return state


def store_state_before_reading(path: Path) -> tuple[int | None, list | None]:
    """(the file system's time now, store_state(path)), taken before the store is read. The time is the file
    system's own (the time of change of a file just written), the clock the store's times were set by: not the
    process's, which may differ (a test's travelling clock, another machine's network disk)."""
    stores = cache.folder(STORES)
    now = None
    if stores is not None:
        probe = stores / f".now.{os.getpid()}"
        try:
            probe.write_bytes(b"")
            now = os.stat(probe).st_mtime_ns
            probe.unlink()
        except OSError:
            now = None
    return now, store_state(path)


def _state_entry(path: Path, field: Field) -> Path | None:
    stores = cache.folder(STORES)
    if stores is None:
        return None
    key = _digest_of((IDENTITY_FORMAT, code_digest(), str(path.resolve()), repr(field)))
    return stores / f"{key}.json"


def remembered_store_digest(path: Path, field: Field) -> str | None:
    """The digest of the store at `path` as `field`'s report and publish read it (joined with the field's bundled
    history: mindshare.overlay), when it was remembered for the store as the file system describes it now; None
    otherwise."""
    state = store_state(path)
    document = cache.load_object(_state_entry(path, field)) if state is not None else None
    if document is None or document.get("state") != state or not isinstance(document.get("digest"), str):
        return None
    return document["digest"]


def remember_store_digest(path: Path, field: Field, before: tuple[int | None, list | None], digest: str) -> None:
    """Remember `digest`, read from the store at `path` after `before` (store_state_before_reading), when that is
    safe (see above)."""
    now, state = before
    if now is None or state is None or any(now - changed < SETTLED_NS for changed in (state[3], *state[7:8])
                                           if changed is not None):
        return
    if store_state(path) != state:
        return
    entry = _state_entry(path, field)
    if entry is None:
        return
    try:
        cache.write_atomically(entry, json.dumps({"state": state, "digest": digest}).encode("utf-8"))
    except OSError:
        pass


def identity_of(digest: str, store_name: str, field: Field, *, as_of: date | None, compare_to: date | None,
                weights: dict[str, float] | None, today: date) -> str:
    """The report identity (report_identity) of a store whose digest is `digest`."""
    identity = hashlib.sha256(IDENTITY_FORMAT.encode())
    identity.update(code_digest().encode())
    identity.update(digest.encode())
    options = (store_name, repr(field), as_of, compare_to, sorted((weights or {}).items()), today)
    identity.update(repr(options).encode())
    return identity.hexdigest()[:32]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """What makes the report: every file of the mindshare package (its name, size and time of change: a checkout or
    an edit changes them) and the distribution of every installed package (pandas, Altair, vl-convert, ...: an
    upgrade may change a figure or a chart)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent   # the mindshare package (report/ is one of its folders)
    for folder, children, files in os.walk(root):
        children[:] = sorted(child for child in children if child != "__pycache__")
        # not the compiled scan matcher: a report never runs it, and a build (an install, a wheel) rewrites it
        for name in sorted(name for name in files if not name.endswith(".so")):
            path = os.path.join(folder, name)
            stat = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    for folder in sorted({p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)}):
        digest.update("\n".join(sorted(n for n in os.listdir(folder) if n.endswith(".dist-info"))).encode())
    return digest.hexdigest()
