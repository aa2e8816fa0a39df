"""Render a built report as files: index.html (the sections), sources.html (the source list every figure links
to), vega.js (the chart library both pages load), report.md, results.json, charts/*.png and *.svg.

Everything is written to a staging folder beside the destination and moved into place only when complete
(report.folder), so a failed run never leaves half a report.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from mindshare import settings
from mindshare._version import __version__
from mindshare.report.folder import ReportFolder
from mindshare.report.model import Report, Section, Table, jsonable
from mindshare.report.tables import MAX_ALIGNED_COLUMNS, html_table, markdown_table, md_escape
from mindshare.report.theme import css_variables, dark_chart_config, favicon_link

STATIC_WIDTH = 640
SOURCES_SECTION = "sources"
HEADLINE_SECTION = "headline"
VEGA_SCRIPT = "vega.js"   # Vega, Vega-Lite and vega-embed, beside the pages (no CDN)
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
    """Write `report` to the folder `out` (see report.folder: a new, empty or report folder; files the user
    added stay); return the folder."""
    folder = ReportFolder(out)
    try:
        with folder.staging() as staging:
            (staging / "charts").mkdir()
            document = results_document(report)
            (staging / "results.json").write_text(json.dumps(document, indent=1, ensure_ascii=False),
                                                  encoding="utf-8")
            (staging / "index.html").write_text(render_html(report), encoding="utf-8")
            (staging / "sources.html").write_text(render_sources_html(report), encoding="utf-8")
            (staging / VEGA_SCRIPT).write_text(vega_bundle(), encoding="utf-8")
            (staging / "report.md").write_text(render_markdown(report, with_images=render_images), encoding="utf-8")
            if render_images:
                write_chart_images(report, staging / "charts")
            folder.publish(staging)
    except OSError as exc:
        raise folder.error(exc.strerror or str(exc)) from None
    return folder.path


# -- JSON -----------------------------------------------------------------------------------------------------
def results_document(report: Report) -> dict[str, Any]:
    return {
        "generated_at": report.generated_at,
        "mindshare_version": __version__,
        "field": report.field_name,
        "field_title": report.field_title,
        "as_of": report.as_of,
        "sections": [jsonable(s.document) if s.document is not None else {
            "id": s.id, "title": s.title, "intro": s.intro,
            "tables": [{"name": t.name, "caption": t.caption, "rows": _rows(t.frame)} for t in s.tables],
            "findings": [{"text": f.text, "figures": jsonable(f.figures)} for f in s.findings],
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
            out[column] = out[column].map(jsonable)
    return json.loads(out.to_json(orient="records", default_handler=str, double_precision=15))


# -- HTML -----------------------------------------------------------------------------------------------------
def render_html(report: Report) -> str:
    """index.html: the answer first (title, headline, sentences, the whole scoreboard: the first screen), then every
    section but the source list, which is sources.html."""
    answer = _headline_section(report)
    sections = [s for s in report.sections if s.id not in (SOURCES_SECTION, HEADLINE_SECTION)]
    specs = {chart.name: _script_json(chart.spec) for section in sections for chart in section.charts}
    return TEMPLATES.get_template("report.html.j2").render(
        report=report, sections=sections, sources_section=_sources_section(report), specs=specs,
        answer=_answer_parts(answer), vega_script=VEGA_SCRIPT, table_html=html_table, version=__version__,
        aligned=MAX_ALIGNED_COLUMNS, **_page_look())


def _headline_section(report: Report) -> Section | None:
    return next((s for s in report.sections if s.id == HEADLINE_SECTION), None)


def _answer_parts(section: Section | None) -> dict[str, Any]:
    """The headline section's parts as the templates place them: the first screen, the line under the
    scoreboard, and what follows it."""
    from mindshare.report.sections import headline

    return {
        "section": section,
        "headline": headline.findings(section, ("headline",)),
        "sentences": headline.findings(section, ("sentence",)),
        "through": headline.findings(section, headline.AFTER_SCOREBOARD_ROLES),
        "more": headline.findings(section, headline.MORE_ROLES),
        "scoreboard": headline.table_rows(section, "scoreboard"),
        "lead_lag": headline.table_rows(section, "lead_lag"),
        "survey_changes": headline.table_rows(section, "survey_changes"),
        "notes": section.notes if section is not None else [],
    }


def render_sources_html(report: Report) -> str:
    """sources.html: the source list, one row per S-number, each row the target of the links to it."""
    section = _sources_section(report)
    table = section.tables[0] if section and section.tables else None
    return TEMPLATES.get_template("sources.html.j2").render(
        report=report, section=section, table=table, version=__version__, aligned=MAX_ALIGNED_COLUMNS,
        sources_table=lambda t: html_table(_with_anchors(t), links_to=""), **_page_look())


def _page_look() -> dict[str, str]:
    """What both pages' <head> take from report.theme: the favicon and the light/dark colours."""
    return {"favicon": favicon_link(), "theme_css": css_variables(), "dark_chart_config": _script_json(dark_chart_config())}


def _sources_section(report: Report) -> Section | None:
    return next((s for s in report.sections if s.id == SOURCES_SECTION), None)


def _with_anchors(table: Table) -> Table:
    """The source list with each ref the anchor its links jump to, and each URL a link."""
    from markupsafe import Markup

    frame = table.frame.copy()
    if "ref" in frame:
        frame["ref"] = pd.Series([Markup('<a id="{0}" href="#{0}">{0}</a>').format(ref) for ref in frame["ref"]],
                                 index=frame.index, dtype=object)
    if "reference" in frame:
        frame["reference"] = pd.Series([Markup('<a href="{0}">{0}</a>').format(r)
                                        if str(r).startswith(("http://", "https://")) else r
                                        for r in frame["reference"]], index=frame.index, dtype=object)
    return Table(table.name, table.caption, frame, table.collapsed)


def _script_json(spec: dict) -> str:
    # Inside <script type="application/json"> only "</" could end the element early; escape every "<".
    return json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")


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
    """report.md: the answer first (as index.html), then the sections, the source list last."""
    sections = [s for s in report.sections if s.id != HEADLINE_SECTION]
    return MD_TEMPLATES.get_template("report.md.j2").render(
        report=report, sections=sections, answer=_answer_parts(_headline_section(report)), md_table=markdown_table,
        md=md_escape, with_images=with_images, scoreboard_table=_scoreboard_markdown)


SCOREBOARD_COLUMNS = {"label": "measure", "period": "period", "leader_name": "leader", "lead": "lead",
                      "trend": "trend", "confidence": "confidence", "age": "data age"}


def _scoreboard_markdown(rows: list[dict]) -> str:
    frame = pd.DataFrame([{name: _scoreboard_cell(row, key) for key, name in SCOREBOARD_COLUMNS.items()}
                          for row in rows])
    return markdown_table(Table("scoreboard", "", frame))


def _scoreboard_cell(row: dict, key: str) -> str:
    if key == "confidence":
        return f"{row.get('confidence', '')}: {row.get('confidence_reason', '')}"
    if key == "label" and not row.get("current", True):
        return f"{row.get('label', '')} (not counted)"
    return "" if row.get(key) is None else str(row.get(key))


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


__all__ = ["write_report", "results_document", "render_html", "render_sources_html", "render_markdown"]
