"""The report's cache, kept as data only: JSON for text, figures and chart specs, Parquet for each table, and the
rendered files themselves. Reading it runs no code (it used to be a pickle, and a crafted file in MINDSHARE_CACHE ran
whatever it held); an entry that is not exactly this shape is ignored, and the content is computed again and the
entry rewritten.

Two kinds of entries, each named by a digest of everything its content depends on, so a stale entry is never read:

- `analysis/<digest>.json`: a Section (the analysis engine's method details and answer: report.engine);
- `reports/<identity>/`: a whole report of one identity (report.build), rendered: `files/` (index.html,
  sources.html, results.json, report.md with and without its images), `charts/` (PNG and SVG, once drawn),
  `vega.js`, and `report.json`, the report's content (its sections as above, its sources and snapshots). A
  `HeldReport` hands it back: writing it again is a copy of files, and its content is read back only if something
  asks for it. The newest `KEPT_REPORTS` entries are kept (each day makes a new identity: the report's date is
  part of it).

This module imports pandas and the report's model only where it reads or writes a table: a held report is found and
copied without them.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mindshare import settings

if TYPE_CHECKING:
    import pandas as pd

    from mindshare.report.model import Report, Section

FORMAT = "mindshare report cache 2"
REPORT_FORMAT = "mindshare held report 1"
REPORTS = "reports"
KEPT_REPORTS = 32
FILES = ("index.html", "sources.html", "results.json")
MARKDOWN = {True: "report.md", False: "report.plain.md"}   # with the chart images, without


def folder(name: str) -> Path | None:
    """The cache folder `name` under the cache root, created; None when it cannot be (a read-only home)."""
    try:
        path = settings.load().cache_root / name
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def load_object(path: Path | None) -> dict[str, Any] | None:
    """The JSON object kept at `path`; None when there is no entry or it is not a readable JSON object (an entry
    of another shape is ignored and made again)."""
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return document if isinstance(document, dict) else None


# -- sections -----------------------------------------------------------------------------------------------------
def load_section(path: Path) -> Section | None:
    """The section stored at `path`, or None when there is none or it is not a well-formed entry."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _section_of(document)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, binascii.Error):
        return None


def save_section(path: Path, section: Section) -> None:
    """Store `section` at `path` (atomically); a table Parquet cannot hold, or a full disk, leaves no entry."""
    document = _section_document(section)
    if document is None:
        return
    try:
        write_atomically(path, json.dumps(document, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (OSError, ValueError):
        pass


def _section_document(section: Section) -> dict[str, Any] | None:
    """`section` as JSON values (tables as Parquet, base64); None when a table cannot be written so."""
    from mindshare.report.model import jsonable

    try:
        document = {
            "format": FORMAT, "id": section.id, "title": section.title, "intro": section.intro,
            "findings": [{"text": f.text, "figures": jsonable(f.figures), "detail": f.detail}
                         for f in section.findings],
            "charts": [{"name": c.name, "title": c.title, "table": c.table, "spec": c.spec} for c in section.charts],
            "tables": [{"name": t.name, "caption": t.caption, "collapsed": t.collapsed, **_table_document(t.frame)}
                       for t in section.tables],
            "notes": list(section.notes),
            "document": jsonable(section.document) if section.document is not None else None,
        }
        json.dumps(document, allow_nan=False)
    except (ValueError, TypeError, ImportError, OverflowError):
        return None
    except Exception as exc:  # pyarrow refuses a column it cannot type (ArrowInvalid, ArrowTypeError)
        if type(exc).__module__.startswith("pyarrow"):
            return None
        raise
    return document


def _table_document(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as Parquet (base64). A column of mixed values ("about 1,800" beside 166) is one Parquet cannot type:
    such columns are written as JSON text, a cell each, and named in `json_columns` to be read back."""
    try:
        return {"parquet": _parquet_text(frame)}
    except Exception as exc:
        if not type(exc).__module__.startswith("pyarrow"):
            raise
    from mindshare.report.model import jsonable

    mixed = [c for c in frame.columns if frame[c].dtype == object
             and len({type(v) for v in frame[c] if v is not None and v == v}) > 1]
    cells = frame.assign(**{c: [json.dumps(jsonable(v), allow_nan=False) for v in frame[c]] for c in mixed})
    return {"parquet": _parquet_text(cells), "json_columns": mixed}


def _parquet_text(frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table_of(document: dict[str, Any]) -> pd.DataFrame:
    frame = _frame(_text(document["parquet"]))
    for column in _list(document.get("json_columns", [])):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} to read back")
        frame[column] = [json.loads(_text(v)) for v in frame[column]]
    return frame


def _section_of(document: Any) -> Section | None:
    from mindshare.report.model import Chart, Finding, Section, Table

    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    findings = [Finding(_text(f["text"]), _figures(f["figures"]), _bool(f["detail"]))
                for f in _list(document["findings"])]
    charts = [Chart(_text(c["name"]), _text(c["title"]), _dict(c["spec"]), _text(c["table"]))
              for c in _list(document["charts"])]
    tables = [Table(_text(t["name"]), _text(t["caption"]), _table_of(_dict(t)), _bool(t["collapsed"]))
              for t in _list(document["tables"])]
    notes = [_text(n) for n in _list(document["notes"])]
    produced = document["document"]
    return Section(id=_text(document["id"]), title=_text(document["title"]), intro=_text(document["intro"]),
                   findings=findings, charts=charts, tables=tables, notes=notes,
                   document=None if produced is None else _dict(produced))


def _frame(encoded: str) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_parquet(io.BytesIO(base64.b64decode(encoded, validate=True)))
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"not a table: {exc}") from None
    except Exception as exc:  # pyarrow's own errors for bytes that are not Parquet
        if type(exc).__module__.startswith("pyarrow"):
            raise ValueError(f"not a table: {exc}") from None
        raise


# -- answers as known on a day (report.build.answer_as_of) -----------------------------------------------------------
ANSWERS = "answers"


def load_answer(key: str) -> dict[str, Any] | None:
    """The answer kept under `key`: a JSON object, or None."""
    answers = folder(ANSWERS)
    document = load_object(answers / f"{key}.json" if answers is not None else None)
    if document is None or document.get("format") != FORMAT or not (
            document.get("answer") is None or isinstance(document.get("answer"), dict)):
        return None
    return document


def save_answer(key: str, document: dict[str, Any]) -> None:
    answers = folder(ANSWERS)
    if answers is None:
        return
    from mindshare.report.model import jsonable

    try:
        text = json.dumps({"format": FORMAT, **jsonable(document)}, ensure_ascii=False, allow_nan=False)
        write_atomically(answers / f"{key}.json", text.encode("utf-8"))
    except (OSError, ValueError, TypeError):
        pass


# -- whole reports --------------------------------------------------------------------------------------------------
class HeldReport:
    """The report of one identity, rendered before and kept in the cache. `report.render.write_report` copies its
    files; `results_document` reads its results.json. Anything else asked of it (its sections, its snapshots: what a
    `Report` has) reads its content back from the cache once, with pandas, and answers as that Report."""

    def __init__(self, identity: str, path: Path):
        self.identity = identity
        self.path = path
        self._content: Report | None = None

    def file(self, name: str) -> Path:
        return self.path / "files" / name

    def markdown(self, with_images: bool) -> Path:
        return self.file(MARKDOWN[with_images])

    def charts(self) -> Path | None:
        """The folder of the charts' PNG and SVG, when they have been drawn for this report."""
        charts = self.path / "charts"
        return charts if (self.path / "charts.done").is_file() else None

    def document(self) -> dict[str, Any]:
        """results.json, as data."""
        return json.loads(self.file("results.json").read_text(encoding="utf-8"))

    def content(self) -> Report:
        """The report itself (sections, sources, snapshots), read back from the cache."""
        if self._content is None:
            loaded = _report_of(json.loads((self.path / "report.json").read_text(encoding="utf-8")))
            if loaded is None:
                raise ValueError(f"the cache entry {self.path} is not a report")
            self._content = loaded
        return self._content

    def keep_charts(self, drawn: Path) -> None:
        """Keep the charts drawn in the folder `drawn` for the next copy of this report."""
        _keep_charts(self.path, drawn)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.content(), name)


def held_report(identity: str) -> HeldReport | None:
    """The report of `identity` from the cache, or None when it has none (or a broken one)."""
    reports = folder(REPORTS)
    if reports is None:
        return None
    path = reports / identity
    try:
        about = json.loads((path / "held.json").read_text(encoding="utf-8"))
        if about != {"format": REPORT_FORMAT, "identity": identity} or not all(
                (path / "files" / name).is_file() for name in (*FILES, *MARKDOWN.values())) \
                or not (path / "report.json").is_file() or not (path / "vega.js").is_file():
            return None
        os.utime(path)   # the newest used are kept
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return HeldReport(identity, path)


def keep_report(report: Report, staged: Path, markdown: dict[bool, str], *, charts: bool) -> None:
    """Keep the report just rendered in `staged` (a report folder's files; `markdown`: report.md with and without
    images; `charts`: whether `staged/charts` holds them) for the next run of the same identity. A report whose
    content cannot be kept as data (or a full disk) is simply not kept."""
    reports = folder(REPORTS)
    if reports is None or not report.identity:
        return
    document = _report_document(report)
    if document is None:
        return
    target = reports / report.identity
    try:
        work = Path(tempfile.mkdtemp(dir=reports, prefix=f".{report.identity}."))
    except OSError:
        return
    try:
        (work / "files").mkdir()
        for name in FILES:
            shutil.copyfile(staged / name, work / "files" / name)
        for with_images, text in markdown.items():
            (work / "files" / MARKDOWN[with_images]).write_text(text, encoding="utf-8")
        shutil.copyfile(staged / "vega.js", work / "vega.js")
        (work / "report.json").write_text(json.dumps(document, ensure_ascii=False, allow_nan=False),
                                          encoding="utf-8")
        (work / "held.json").write_text(json.dumps({"format": REPORT_FORMAT, "identity": report.identity}),
                                        encoding="utf-8")
        if charts:
            _copy_charts(staged / "charts", work)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    except OSError:
        return
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _forget_old_reports(reports)


def _keep_charts(entry: Path, drawn: Path) -> None:
    try:
        work = Path(tempfile.mkdtemp(dir=entry, prefix=".charts."))
        try:
            _copy_charts(drawn, work)
            shutil.rmtree(entry / "charts", ignore_errors=True)
            os.replace(work / "charts", entry / "charts")
            (entry / "charts.done").write_text("", encoding="utf-8")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except OSError:
        pass


def _copy_charts(drawn: Path, entry: Path) -> None:
    shutil.copytree(drawn, entry / "charts")
    (entry / "charts.done").write_text("", encoding="utf-8")


def _forget_old_reports(reports: Path) -> None:
    """Remove all but the newest KEPT_REPORTS entries (and leftovers of runs that died while keeping one)."""
    try:
        entries = sorted((p for p in reports.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for path in entries[KEPT_REPORTS:]:
        shutil.rmtree(path, ignore_errors=True)


def _report_document(report: Report) -> dict[str, Any] | None:
    from dataclasses import asdict

    sections = [_section_document(s) for s in report.sections]
    if any(s is None for s in sections):
        return None
    try:
        return {"format": REPORT_FORMAT, "identity": report.identity, "field_name": report.field_name,
                "field_title": report.field_title, "generated_at": report.generated_at, "as_of": report.as_of,
                "store_name": report.store_name, "sections": sections,
                "sources": [asdict(entry) for entry in report.sources],
                "snapshots": _parquet_text(report.snapshots)}
    except (ValueError, TypeError, ImportError, OverflowError):
        return None
    except Exception as exc:
        if type(exc).__module__.startswith("pyarrow"):
            return None
        raise


def _report_of(document: Any) -> Report | None:
    from mindshare.report.model import Report, SourceEntry

    if not isinstance(document, dict) or document.get("format") != REPORT_FORMAT:
        return None
    sections = [_section_of(s) for s in _list(document["sections"])]
    if any(s is None for s in sections):
        return None
    sources = [SourceEntry(**_dict(entry)) for entry in _list(document["sources"])]
    as_of = document["as_of"]
    return Report(field_name=_text(document["field_name"]), field_title=_text(document["field_title"]),
                  generated_at=_text(document["generated_at"]), as_of=None if as_of is None else _text(as_of),
                  store_name=_text(document["store_name"]), sections=sections,  # type: ignore[arg-type]
                  sources=sources, snapshots=_frame(_text(document["snapshots"])),
                  identity=_text(document["identity"]))


# -- small helpers ----------------------------------------------------------------------------------------------------
def write_atomically(path: Path, data: bytes) -> None:
    """`data` into `path` by a temporary file beside it: a reader never sees half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _figures(value: Any) -> list[dict[str, Any]]:
    figures = _list(value)
    if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in figures):
        raise ValueError("a figure is not a named object")
    return figures


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _dict(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError("expected an object")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value
