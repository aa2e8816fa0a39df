"""The Python API, for notebooks: DataFrames in, charts that display inline.

Each call reads the settings once (the environment, with `db` as the store when given) and uses them throughout,
as one CLI command does. Bad input raises a `mindshare.errors.MindshareError` naming what is wrong (an unknown
contender or signal, a date that is not YYYY-MM-DD), never a DuckDB error.

`as_of="YYYY-MM-DD"` keeps only what was known on that day: the figures published by then (by each figure's
publication day, or, for a figure without one, the end of the period it measures). Every day argument is parsed
once, here, into a date; the layers below take dates.

`mindshare report` and `mindshare.report()` write a report the same way, through `write_report_folder`; `mindshare
collect` and `mindshare.collect()` run the same collection (mindshare.collection).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping

from mindshare import console
from mindshare import settings as settings_module
from mindshare.fields import Field, load_field

if TYPE_CHECKING:  # pandas is imported by the functions that return a frame: a report run reads none; the store
    import pandas as pd  # (DuckDB) where one is opened: a warm report opens none

    from mindshare.store import Store


def observations(signal: str | list[str] | None = None, contenders: list[str] | str | None = None, *,
                 metric: str | list[str] | None = None, source: str | None = None, field: str | None = None,
                 as_of: str | None = None, db: str | Path | None = None, all_snapshots: bool = False,
                 include_notes: bool = True) -> pd.DataFrame:
    """Observations from the store (the bundled dataset is loaded on first use).

    `contenders` are ids or names from the field ("pytorch", "TensorFlow"); unknown names raise.
    `as_of`: only what was known on that day (see the module's docstring).
    Each row keeps its provenance: source, reference, method, collected_at, published, snapshot_id.
    """
    chosen = _field(field)
    ids = [c.id for c in chosen.select([contenders] if isinstance(contenders, str) else contenders)] \
        if contenders else None
    with _store(db, read_only=None) as store:
        return store.observations(signal=signal, contenders=ids, metric=metric, source=source, as_of=_day(as_of),
                                  all_snapshots=all_snapshots, include_notes=include_notes)


def snapshots(db: str | Path | None = None) -> pd.DataFrame:
    """Every import and collection run in the store, oldest first."""
    with _store(db, read_only=None) as store:
        return store.snapshots()


def contenders(field: str | None = None) -> pd.DataFrame:
    """The field's contenders and their identifiers for each signal."""
    chosen = _field(field)
    import pandas as pd

    return pd.DataFrame([c.__dict__ for c in chosen.contenders])


def results(field: str | None = None, as_of: str | None = None, db: str | Path | None = None, *,
            compare_to: str | None = None, weights: str | Mapping[str, float] | None = None) -> dict:
    """The report as a dict, the same content as results.json. `compare_to` and `weights` as for `report`."""
    from mindshare.report.build import build_report
    from mindshare.report.render import results_document

    options = _report_options(compare_to, weights)
    with _store(db, read_only=None) as store:
        return results_document(build_report(store, _field(field), as_of=_day(as_of), **options))


def chart(section: str, name: str | None = None, field: str | None = None, as_of: str | None = None,
          db: str | Path | None = None):
    """A report chart as an Altair chart (it displays inline in Jupyter). `section`: jobs, research, ..."""
    import altair as alt

    from mindshare.report.build import build_report

    with _store(db, read_only=None) as store:
        built = build_report(store, _field(field), as_of=_day(as_of))
    for candidate in built.sections:
        if candidate.id == section:
            for item in candidate.charts:
                if name is None or item.name == name:
                    return alt.Chart.from_dict(item.spec)
            names = ", ".join(c.name for c in candidate.charts) or "none"
            raise KeyError(f"section {section!r} has no chart {name!r}; it has: {names}")
    raise KeyError(f"no section {section!r}; sections: {', '.join(s.id for s in built.sections)}")


def report(out: str | Path = "mindshare-report", field: str | None = None, as_of: str | None = None,
           db: str | Path | None = None, png: bool = True, *, compare_to: str | None = None,
           weights: str | Mapping[str, float] | None = None) -> Path:
    """Write the report (index.html, report.md, results.json, charts/) to `out`; returns the folder.

    As `mindshare report`: `png=False` leaves out the PNG and SVG copies of the charts (`--no-png`);
    `compare_to="YYYY-MM-DD"` sets every headline figure beside its value as known that day (`--compare-to`);
    `weights` are those of a custom composite score, `{"jobs": 0.5, "downloads": 0.3}` or "jobs=0.5,downloads=0.3"
    (`--weights`; default: the field's score_weights table, if any).
    """
    options = _report_options(compare_to, weights)
    with _settings(db) as chosen:
        return write_report_folder(chosen, _field(field), Path(out), as_of=_day(as_of), png=png, **options)


def write_report_folder(settings: settings_module.Settings, field: Field, out: Path, *, as_of: date | None = None,
                        compare_to: date | None = None, weights: dict[str, float] | None = None,
                        png: bool = True) -> Path:
    """The report of `field`, from the store of `settings` (read-only if it cannot be written), written to `out`:
    what `mindshare report` and `mindshare.report()` both do. Returns the folder."""
    from mindshare.report import build, cache
    from mindshare.report.folder import ReportFolder
    from mindshare.report.render import write_report

    ReportFolder(out)  # a destination it could not write is refused before the report is built, not after
    today = date.today()
    options = {"as_of": as_of, "compare_to": compare_to, "weights": weights, "today": today}
    path = settings.store_path
    known = build.remembered_store_digest(path, field)   # the store unchanged since a report read it
    if known is not None:
        identity = build.identity_of(known, path.name, field, **options)
        held = cache.held_report(identity)
        if held is not None:
            console.detail(f"the store is as a report left it, and its report is in the cache ({identity[:12]})")
            return write_report(held, out, render_images=png)
    from mindshare.overlay import joined
    from mindshare.session import session

    before = build.store_state_before_reading(path)
    with session(settings=settings, read_only=None) as store, joined(store, field):
        digest = build.store_digest(store)
        built = build.build_report(store, field, **options)
    build.remember_store_digest(path, field, before, digest)
    return write_report(built, out, render_images=png)


def compare(names: list[str], *, pins: list[str] | None = None, online: bool = False, db: str | Path | None = None,
            out: str | Path | None = None, use_cache: bool = True):
    """Compare technologies by name, as `mindshare compare`: a `mindshare.comparison.Comparison` (its `headline`,
    `sentences`, `scoreboard` rows, `names` with what each resolved to, `coverage`: what is not measured).

    `pins`: `--as` texts, "NAME=pypi:x,github:o/r,so:tag,survey:\"Label\"" (`-` for none); `online=True` resolves
    with PyPI, Stack Exchange and Wikipedia too; `out`: also write the full report there.
    """
    from mindshare.comparison import compare as run
    from mindshare.resolve import parse_pins

    with _settings(db) as chosen:
        result = run(list(names), pins=list(pins or []), settings=chosen, online=online, use_cache=use_cache)
        if out is not None:
            write_comparison_report(chosen, list(names), parse_pins(pins or []), Path(out))
    return result


def write_comparison_report(settings: settings_module.Settings, names: list[str], pins: Mapping, out: Path, *,
                            as_of: date | None = None, compare_to: date | None = None,
                            weights: dict[str, float] | None = None, png: bool = True) -> Path:
    """The report of named contenders (`mindshare compare --out`, `report --contenders`): their field, from the store
    (if any: see comparison.store_for) joined with their bundled history, written to `out`."""
    from mindshare.comparison import prepare, store_for
    from mindshare.overlay import joined
    from mindshare.report.build import build_report
    from mindshare.report.render import write_report

    _, chosen = prepare(names, pins)
    with store_for(settings, chosen) as (store, _), joined(store, chosen):
        built = build_report(store, chosen, as_of=as_of, compare_to=compare_to, weights=weights)
    return write_report(built, out, render_images=png)


def collect(sources: str | list[str] | None = None, field: str | None = None,
            contenders: str | list[str] | None = None, *, since: str | None = None, db: str | Path | None = None,
            cache: bool = True) -> pd.DataFrame:
    """Today's numbers from the live sources into the store, one snapshot per source, as `mindshare collect`.

    `sources`: names from `mindshare collect --help` (default: all); `contenders`: ids or names of the field
    (default: all); `since="YYYY-MM-DD"`: the start of monthly series (default: the same month a year ago);
    `cache=False` asks the providers again even where a response is cached. Tokens come from the environment.
    Returns one row per source: its status (added, unchanged, skipped, failed), rows, snapshot and why.
    """
    from mindshare.collection import run_collection, since_day, sources_named
    from mindshare.http import Http

    chosen = _field(field)
    picked = sources_named([sources] if isinstance(sources, str) else sources)
    who = chosen.select([contenders] if isinstance(contenders, str) else contenders)
    today = datetime.now(UTC).date()
    start = since_day(since, today)
    from mindshare.session import session

    with _settings(db) as config:
        outcomes = run_collection(picked, who, start, today, Http(cache=cache, settings=config),
                                  lambda: session(settings=config), chosen, progress=False)
    import pandas as pd

    return pd.DataFrame([asdict(outcome) for outcome in outcomes])


def _report_options(compare_to: str | None, weights: str | Mapping[str, float] | None) -> dict:
    """`compare_to` and `weights` checked as the CLI checks them (an InputError naming the argument)."""
    from mindshare.analysis.composite import checked_weights, parse_weights

    if weights is None:
        chosen = None
    elif isinstance(weights, str):
        chosen = parse_weights(weights, "weights")
    else:
        given = dict(weights)
        chosen = checked_weights(given.items(), f"weights={given!r}")
    return {"compare_to": _day(compare_to, "compare_to"), "weights": chosen}


@contextmanager
def _settings(db: str | Path | None) -> Iterator[settings_module.Settings]:
    """The call's one Settings (the environment, with `db` as the store); code below that asks
    `mindshare.settings.load()` gets these until the call returns."""
    chosen = settings_module.read().with_store(db)
    with settings_module.using(chosen):
        yield chosen


@contextmanager
def _store(db: str | Path | None, **kwargs) -> Iterator[Store]:
    """The store for one call, with the bundled dataset, under the call's settings."""
    from mindshare.session import session

    with _settings(db) as chosen, session(settings=chosen, **kwargs) as store:
        yield store


def _day(value: str | date | None, name: str = "as_of") -> date | None:
    """A day parsed once: YYYY-MM-DD (or a date), else an InputError naming `name`."""
    from mindshare.store import parse_day

    return parse_day(value, name) if value else None


def _field(name: str | None) -> Field:
    return load_field(name)
