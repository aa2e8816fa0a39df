"""A cache of computed report content — a Section's findings, tables, charts and notes — kept as data only: JSON
for text, figures and chart specs, Parquet for each table. Reading it runs no code (it used to be a pickle, and a
crafted file in MINDSHARE_CACHE ran whatever it held); a file that is not exactly this shape is ignored, and the
content is computed again and the file rewritten.

The caller names an entry by a digest of everything the content depends on, so a stale entry is never read.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from mindshare import settings
from mindshare.report.model import Chart, Finding, Section, Table

FORMAT = "mindshare report cache 2"


def folder(name: str) -> Path | None:
    """The cache folder `name` under the cache root, created; None when it cannot be (a read-only home)."""
    try:
        path = settings.load().cache_root / name
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def load_section(path: Path) -> Section | None:
    """The section stored at `path`, or None when there is none or it is not a well-formed entry."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _section_of(document)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, binascii.Error):
        return None


def save_section(path: Path, section: Section) -> None:
    """Store `section` at `path` (atomically); a table Parquet cannot hold, or a full disk, leaves no entry."""
    from mindshare.report.model import jsonable

    try:
        document = {
            "format": FORMAT, "id": section.id, "title": section.title, "intro": section.intro,
            "findings": [{"text": f.text, "figures": jsonable(f.figures), "detail": f.detail}
                         for f in section.findings],
            "charts": [{"name": c.name, "title": c.title, "table": c.table, "spec": c.spec} for c in section.charts],
            "tables": [{"name": t.name, "caption": t.caption, "collapsed": t.collapsed,
                        "parquet": base64.b64encode(_parquet(t.frame)).decode("ascii")} for t in section.tables],
            "notes": list(section.notes),
            "document": jsonable(section.document) if section.document is not None else None,
        }
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, ImportError, OverflowError):
        return
    except Exception as exc:  # pyarrow refuses a column it cannot type (ArrowInvalid, ArrowTypeError)
        if type(exc).__module__.startswith("pyarrow"):
            return
        raise
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        pass


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=True)
    return buffer.getvalue()


def _section_of(document: Any) -> Section | None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    findings = [Finding(_text(f["text"]), _figures(f["figures"]), _bool(f["detail"]))
                for f in _list(document["findings"])]
    charts = [Chart(_text(c["name"]), _text(c["title"]), _dict(c["spec"]), _text(c["table"]))
              for c in _list(document["charts"])]
    tables = [Table(_text(t["name"]), _text(t["caption"]), _frame(_text(t["parquet"])), _bool(t["collapsed"]))
              for t in _list(document["tables"])]
    notes = [_text(n) for n in _list(document["notes"])]
    produced = document["document"]
    return Section(id=_text(document["id"]), title=_text(document["title"]), intro=_text(document["intro"]),
                   findings=findings, charts=charts, tables=tables, notes=notes,
                   document=None if produced is None else _dict(produced))


def _frame(encoded: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(base64.b64decode(encoded, validate=True)))
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"not a table: {exc}") from None
    except Exception as exc:  # pyarrow's own errors for bytes that are not Parquet
        if type(exc).__module__.startswith("pyarrow"):
            raise ValueError(f"not a table: {exc}") from None
        raise


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
