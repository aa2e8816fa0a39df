"""The Python API, for notebooks: DataFrames in, charts that display inline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mindshare.fields import Field, load_field
from mindshare.session import session as store_session


def observations(signal: str | list[str] | None = None, contenders: list[str] | str | None = None, *,
                 metric: str | list[str] | None = None, source: str | None = None, field: str | None = None,
                 as_of: str | None = None, db: str | Path | None = None, all_snapshots: bool = False,
                 include_notes: bool = True) -> pd.DataFrame:
    """Observations from the store (the bundled dataset is loaded on first use).

    `contenders` are ids or names from the field ("pytorch", "TensorFlow"); unknown names raise.
    Each row keeps its provenance: source, reference, method, collected_at, snapshot_id.
    """
    chosen = _field(field)
    ids = [c.id for c in chosen.select([contenders] if isinstance(contenders, str) else contenders)] \
        if contenders else None
    with store_session(db) as store:
        return store.observations(signal=signal, contenders=ids, metric=metric, source=source, as_of=as_of,
                                  all_snapshots=all_snapshots, include_notes=include_notes)


def snapshots(db: str | Path | None = None) -> pd.DataFrame:
    """Every import and collection run in the store, oldest first."""
    with store_session(db) as store:
        return store.snapshots()


def contenders(field: str | None = None) -> pd.DataFrame:
    """The field's contenders and their identifiers for each signal."""
    chosen = _field(field)
    return pd.DataFrame([c.__dict__ for c in chosen.contenders])


def results(field: str | None = None, as_of: str | None = None, db: str | Path | None = None) -> dict:
    """The report as a dict, the same content as results.json."""
    from mindshare.report.build import build_report
    from mindshare.report.render import results_document

    with store_session(db) as store:
        return results_document(build_report(store, _field(field), as_of=as_of))


def chart(section: str, name: str | None = None, field: str | None = None, as_of: str | None = None,
          db: str | Path | None = None):
    """A report chart as an Altair chart (it displays inline in Jupyter). `section`: jobs, research, ..."""
    import altair as alt

    from mindshare.report.build import build_report

    with store_session(db) as store:
        built = build_report(store, _field(field), as_of=as_of)
    for candidate in built.sections:
        if candidate.id == section:
            for item in candidate.charts:
                if name is None or item.name == name:
                    return alt.Chart.from_dict(item.spec)
            names = ", ".join(c.name for c in candidate.charts) or "none"
            raise KeyError(f"section {section!r} has no chart {name!r}; it has: {names}")
    raise KeyError(f"no section {section!r}; sections: {', '.join(s.id for s in built.sections)}")


def report(out: str | Path = "mindshare-report", field: str | None = None, as_of: str | None = None,
           db: str | Path | None = None) -> Path:
    """Write the report (index.html, report.md, results.json, charts/) to `out`; returns the folder."""
    from mindshare.report.build import build_report
    from mindshare.report.render import write_report

    with store_session(db) as store:
        built = build_report(store, _field(field), as_of=as_of)
    return write_report(built, Path(out))


def _field(name: str | None) -> Field:
    return load_field(name)
