"""Render a built report as files: index.html, report.md, results.json, charts/*.png and *.svg.

Everything is written to a temporary folder beside the destination and moved into place only when complete,
so a failed run never leaves half a report.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from mindshare import __version__, settings
from mindshare.errors import ReportError
from mindshare.report.model import Report, Section, Table

STATIC_WIDTH = 640
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mindshare.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    trim_blocks=True, lstrip_blocks=True,
)
MD_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mindshare.report", "templates"), autoescape=False,
    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


def write_report(report: Report, out: Path, *, render_images: bool = True) -> Path:
    out = Path(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    try:
        (staging / "charts").mkdir()
        document = results_document(report)
        (staging / "results.json").write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
        (staging / "index.html").write_text(render_html(report), encoding="utf-8")
        (staging / "report.md").write_text(render_markdown(report, with_images=render_images), encoding="utf-8")
        if render_images:
            write_chart_images(report, staging / "charts")
        _replace_folder(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ReportError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _replace_folder(staging: Path, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ReportError(f"cannot write the report to {out}: it is a file, not a folder")
    if out.exists():
        retired = staging.with_name(staging.name + ".old")
        os.replace(out, retired)
        os.replace(staging, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, out)


# -- JSON -----------------------------------------------------------------------------------------------------
def results_document(report: Report) -> dict[str, Any]:
    return {
        "generated_at": report.generated_at,
        "mindshare_version": __version__,
        "field": report.field_name,
        "field_title": report.field_title,
        "as_of": report.as_of,
        "sections": [{
            "id": s.id, "title": s.title, "intro": s.intro,
            "tables": [{"name": t.name, "caption": t.caption, "rows": _rows(t.frame)} for t in s.tables],
            "findings": [{"text": f.text, "figures": _jsonable(f.figures)} for f in s.findings],
            "charts": [{"name": c.name, "title": c.title, "table": c.table, "png": f"charts/{c.name}.png",
                        "svg": f"charts/{c.name}.svg"} for c in s.charts],
            "notes": s.notes,
        } for s in report.sections],
        "snapshots": _rows(report.snapshots.drop(columns=["content_hash"], errors="ignore")),
    }


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON values; dates as YYYY-MM-DD when they carry no time of day. (pandas' own JSON writer:
    walking the cells in Python costs a quarter of a second per report.)"""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            midnight = values.dropna().dt.normalize().eq(values.dropna()).all()
            text = values.dt.strftime("%Y-%m-%d") if midnight else values.map(lambda v: v.isoformat())
            out[column] = text.astype("object").where(values.notna(), None)
        elif out[column].dtype == object:
            out[column] = out[column].map(_jsonable)
    return json.loads(out.to_json(orient="records", default_handler=str, double_precision=15))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    return value


# -- HTML -----------------------------------------------------------------------------------------------------
def render_html(report: Report) -> str:
    specs = {chart.name: _script_json(chart.spec) for section in report.sections for chart in section.charts}
    return TEMPLATES.get_template("report.html.j2").render(
        report=report, specs=specs, vega_bundle=vega_bundle(), table_html=table_html, version=__version__,
        source_index={e.ref: e for e in report.sources})


def _script_json(spec: dict) -> str:
    # Inside <script type="application/json"> only "</" could end the element early; escape every "<".
    return json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")


def table_html(table: Table, limit: int | None = None) -> "jinja2.utils.Markup":
    """A table as escaped HTML; `source_ref` cells link to the Sources section."""
    from markupsafe import Markup, escape

    frame = table.frame if limit is None else table.frame.head(limit)
    head = "".join(f"<th>{escape(_header(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            text = _cell_text(value)
            if column == "source_ref" and text:
                cells.append(f'<td><a href="#{escape(text)}">{escape(text)}</a></td>')
            else:
                numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
                cells.append(f'<td{" class=num" if numeric else ""}>{escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def _header(column: str) -> str:
    return "ref" if column == "source_ref" else column.replace("_", " ")


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e4 and value == int(value) else f"{value:,.4g}" \
            if abs(value) >= 1e4 else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) >= 1e4 else str(value)
    return str(value)


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (no CDN), cached per vl-convert version."""
    import vl_convert

    path = _cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle()
    _write_atomically(path, bundle.encode("utf-8"))
    return bundle


# -- Markdown -------------------------------------------------------------------------------------------------
def render_markdown(report: Report, *, with_images: bool = True) -> str:
    return MD_TEMPLATES.get_template("report.md.j2").render(
        report=report, md_table=markdown_table, md=md_escape, with_images=with_images)


def md_escape(text: Any) -> str:
    """Text safe inside Markdown: no raw HTML, no table breaks."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\n", " "))


def markdown_table(table: Table, limit: int = 40) -> str:
    frame = table.frame.head(limit)
    lines = ["| " + " | ".join(md_escape(_header(c)) for c in frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(md_escape(_cell_text(v)) for v in row) + " |")
    if len(table.frame) > limit:
        lines.append(f"\n*{len(table.frame) - limit} more rows in results.json (table `{table.name}`).*")
    return "\n".join(lines)


# -- PNG and SVG ----------------------------------------------------------------------------------------------
def write_chart_images(report: Report, folder: Path) -> None:
    """PNG and SVG of every chart; rendered images are cached by spec, so an unchanged chart costs a copy."""
    jobs = [(chart.name, chart.spec) for section in report.sections for chart in section.charts]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda job: _render_chart(job[0], job[1], folder), jobs))


def _render_chart(name: str, spec: dict, folder: Path) -> None:
    import vl_convert

    static = _static_spec(spec)
    key = hashlib.sha256((vl_convert.__version__ + json.dumps(static, sort_keys=True)).encode()).hexdigest()[:24]
    for suffix in ("svg", "png"):
        cached = _cache_dir() / "charts" / f"{key}.{suffix}"
        if not cached.is_file():
            data = (vl_convert.vegalite_to_svg(static).encode("utf-8") if suffix == "svg"
                    else vl_convert.vegalite_to_png(static, scale=2))
            _write_atomically(cached, data)
        shutil.copyfile(cached, folder / f"{name}.{suffix}")


def _static_spec(spec: dict) -> dict:
    """The same chart for a file: a fixed width instead of the page's container width, no interaction."""
    static = copy.deepcopy(spec)

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = STATIC_WIDTH
            for child in node.values():
                fix(child)
        elif isinstance(node, list):
            for child in node:
                fix(child)

    fix(static)
    static.setdefault("background", "white")
    return static


def _cache_dir() -> Path:
    path = settings.load().report_cache_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)


__all__ = ["write_report", "results_document", "render_html", "render_markdown", "Section"]
